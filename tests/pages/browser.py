"""Old import path of the browser helpers; they live in ``tests.support.browser``."""

from tests.support.browser import ARTIFACTS, PHONE, launch, phone, shot  # noqa: F401
