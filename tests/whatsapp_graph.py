"""Old import path of the fake WhatsApp Cloud API; it lives in ``tests.support.whatsapp``."""

from tests.support.whatsapp import FakeWhatsAppGraph, approve_shipped  # noqa: F401
