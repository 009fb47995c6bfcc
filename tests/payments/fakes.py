"""Old import path; the fake lives in ``tests.support.payments``."""

from tests.support.payments import Endpoint, FakeMercadoPago, FakeStripe  # noqa: F401
