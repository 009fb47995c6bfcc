"""Old import path; the fake lives in ``tests.support.google``."""

from tests.support.google import FakeGoogle  # noqa: F401
