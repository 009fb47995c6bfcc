"""WhatsApp credentials at rest: the access token, the app secret and the verify token are
kept in the business's settings sealed as every credential is (``hub.sealed``)."""

from __future__ import annotations

from hub.sealed import PREFIX, SecretKeyMissingError, reveal, seal

__all__ = ["PREFIX", "SecretKeyMissingError", "reveal", "seal"]
