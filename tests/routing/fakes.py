"""Old import path; the fake lives in ``tests.support.routing``."""

from tests.support.routing import FakeRouting, serve_routing  # noqa: F401
