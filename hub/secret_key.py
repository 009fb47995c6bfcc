"""The hub's secret key: ``TURNERO_SECRET_KEY``, or one made on first start and kept in the
data directory; likewise the key that seals credentials at rest (``TURNERO_ENCRYPTION_KEY``,
a Fernet key: Google tokens, WhatsApp and payment secrets).

In production (``TURNERO_PRODUCTION``) the key must come from the environment and be a real
secret: a process refuses to start without one (``ConfigurationError``, which every entry
point prints as one line and exits 2). Otherwise a missing key is made once, at random, and
written to ``<data dir>/secret_key`` (mode 0600); later starts, and other processes sharing
the data directory (a web process and ``turnero worker``), read the same file.

The encryption key follows the same rule outside production (``<data dir>/encryption_key``),
so a business on the embedded default can connect WhatsApp, payments and Google without
setting anything. In production it comes only from the environment: without it those
screens explain that the server cannot keep secrets, and nothing is stored in the clear.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from hub.config import ConfigurationError, Settings

KEY_FILE = "secret_key"
ENCRYPTION_KEY_FILE = "encryption_key"
MIN_LENGTH = 32
# Values that have shipped as examples or defaults: whoever read them could sign sessions.
PLACEHOLDERS = frozenset(
    {"dev-insecure-secret-change-me", "change-me-in-production", "change-me", "secret"}
)
GENERATE_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"


def with_secret_key(settings: Settings) -> Settings:
    """``settings`` with a usable ``secret_key``; raises ``ConfigurationError`` if there is
    none in production, or the one given there is not a real secret."""
    key = settings.secret_key
    if settings.production:
        if not key:
            raise ConfigurationError(
                "TURNERO_SECRET_KEY must be set when TURNERO_PRODUCTION is on"
                f" (at least {MIN_LENGTH} random characters: {GENERATE_HINT})"
            )
        if key in PLACEHOLDERS or len(key) < MIN_LENGTH:
            raise ConfigurationError(
                f"TURNERO_SECRET_KEY is not a real secret: use at least {MIN_LENGTH}"
                f" random characters ({GENERATE_HINT})"
            )
        return settings
    if not key:
        settings = dataclasses.replace(settings, secret_key=stored_key(settings.data_dir))
    if not settings.encryption_key:
        settings = dataclasses.replace(
            settings,
            encryption_key=stored_key(settings.data_dir, ENCRYPTION_KEY_FILE, _fernet_key),
        )
    return settings


def _fernet_key() -> str:
    """A Fernet key (32 random bytes, URL-safe base64), made without the library."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _token() -> str:
    return secrets.token_urlsafe(48)


def stored_key(data_dir: Path, name: str = KEY_FILE, make: Callable[[], str] = _token) -> str:
    """The key kept in ``data_dir/name``, made by ``make`` (atomically, 0600) if there is
    none yet."""
    path = data_dir / name
    key = _read(path)
    if key is not None:
        return key
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        # Written whole under a private name, then linked into place: a process starting at
        # the same moment either links first or reads the winner's complete file.
        temporary = data_dir / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(make() + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink()
    except OSError as exc:
        raise ConfigurationError(
            f"cannot keep a secret key in {data_dir} ({exc.strerror}): make TURNERO_DATA_DIR"
            " writable or set TURNERO_SECRET_KEY"
        ) from None
    key = _read(path)
    if key is None:
        raise ConfigurationError(f"cannot read the secret key in {path}")
    return key


def _read(path: Path) -> str | None:
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigurationError(f"cannot read the secret key in {path} ({exc.strerror})") from None
    if len(key) < MIN_LENGTH:
        raise ConfigurationError(f"{path} does not hold a usable key: delete it to make a new one")
    return key
