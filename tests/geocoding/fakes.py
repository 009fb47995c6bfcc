"""Old import path; the fake lives in ``tests.support.geocoding``."""

from tests.support.geocoding import FakeGeocoding, serve_geocoding  # noqa: F401
