"""Test support in one place: the servers, fakes, clock and builders every test area shares.

- ``live``: an ASGI app under uvicorn on a loopback port (``LiveServer``).
- ``clock``: the settable clock a served hub reads (``Clock``), and a fake monotonic clock.
- ``smtp``: one SMTP server (aiosmtpd) that keeps what it accepted (``SmtpSink``).
- ``browser``: Chromium through Playwright, skipping with a reason when absent.
- one fake per outside service: ``whatsapp``, ``google``, ``payments`` (Stripe and
  MercadoPago), ``geocoding``, ``routing``.

What does not belong here: fixtures of one area only (those stay in that area's conftest).
"""
