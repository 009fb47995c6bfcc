"""Configuration, read once from the environment into a typed object.

Every setting is a ``TURNERO_*`` environment variable (documented in the README). Nothing
here connects to anything; ``hub.bootstrap`` does the wiring.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SMTP_FROM = "turnero@localhost"
DEFAULT_WHATSAPP_GRAPH_URL = "https://graph.facebook.com/v21.0"
DEFAULT_GOOGLE_AUTH_URI = "https://accounts.google.com/o/oauth2/auth"
DEFAULT_GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL
DEFAULT_GOOGLE_REVOKE_URI = "https://oauth2.googleapis.com/revoke"
DEFAULT_GEOCODER_USER_AGENT = "Turnero appointment hub (self-hosted; geocoding on booking)"
DEFAULT_MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_MAP_ATTRIBUTION = "© OpenStreetMap contributors"


class ConfigurationError(ValueError):
    """A ``TURNERO_*`` variable holds something that cannot be used; says which and why."""


def whole_number(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    """The integer in ``env[name]`` (``default`` when unset or blank), at least ``minimum``."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {value}")
    return value


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _csv(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path()
    database_url: str = ""
    redis_url: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    # Signs what the hub signs (console session cookies). From the environment, "" means
    # "the key kept in the data directory" (``hub.secret_key``); a Settings built in code
    # (tests, tools) gets a random one of its own. Never a constant.
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    production: bool = False
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_from: str = DEFAULT_SMTP_FROM
    mail_dir: Path = Path("outbox-mail")
    whatsapp_graph_url: str = DEFAULT_WHATSAPP_GRAPH_URL
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    google_client_id: str | None = None
    google_client_secret: str | None = None
    google_auth_uri: str = DEFAULT_GOOGLE_AUTH_URI
    google_token_uri: str = DEFAULT_GOOGLE_TOKEN_URI
    google_revoke_uri: str = DEFAULT_GOOGLE_REVOKE_URI
    google_api_url: str | None = None  # None: the real Calendar API
    encryption_key: str | None = None  # Fernet key for tokens at rest
    # Locating clients' addresses: "nominatim" or "google" (None: the business's zones only).
    geocoder: str | None = None
    geocoder_url: str | None = None  # None: the provider's public endpoint
    geocoder_key: str | None = None  # Google's API key
    geocoder_user_agent: str = DEFAULT_GEOCODER_USER_AGENT  # Nominatim's policy asks for one
    # Road driving times for at-address visits: "osrm" or "openrouteservice" (None: each
    # business's straight-line model). The URL is the engine's base; the key ORS's.
    routing: str | None = None
    routing_url: str | None = None
    routing_key: str | None = None
    stripe_api_base: str | None = None
    mercadopago_api_base: str | None = None
    webhook_allow_hosts: tuple[str, ...] = ()
    web_threads: int = 8
    metrics_token: str | None = None  # None: /metrics answers loopback clients only
    max_body_bytes: int = 256 * 1024
    max_dav_body_bytes: int = 1024 * 1024
    max_calendar_body_bytes: int = 10 * 1024 * 1024
    body_timeout_seconds: int = 60
    # The console's route map: a tile server (OpenStreetMap's by default, whose policy asks
    # for attribution and lets the operator point elsewhere); "" shows the list only.
    map_tile_url: str = DEFAULT_MAP_TILE_URL
    map_attribution: str = DEFAULT_MAP_ATTRIBUTION
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("TURNERO_DATA_DIR", ".")).expanduser()
        database_url = env.get("TURNERO_DATABASE_URL") or f"sqlite:///{data_dir / 'turnero.db'}"
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            redis_url=env.get("TURNERO_REDIS_URL") or None,
            base_url=env.get("TURNERO_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            secret_key=env.get("TURNERO_SECRET_KEY", "").strip(),
            production=_flag(env.get("TURNERO_PRODUCTION")),
            smtp_host=env.get("TURNERO_SMTP_HOST") or None,
            smtp_port=whole_number(env, "TURNERO_SMTP_PORT", 25, minimum=1),
            smtp_user=env.get("TURNERO_SMTP_USER") or None,
            smtp_password=env.get("TURNERO_SMTP_PASSWORD") or None,
            smtp_starttls=_flag(env.get("TURNERO_SMTP_STARTTLS")),
            smtp_from=env.get("TURNERO_SMTP_FROM", DEFAULT_SMTP_FROM),
            mail_dir=Path(env.get("TURNERO_MAIL_DIR", str(data_dir / "outbox-mail"))),
            whatsapp_graph_url=env.get("TURNERO_WHATSAPP_GRAPH_URL", DEFAULT_WHATSAPP_GRAPH_URL),
            whatsapp_app_secret=env.get("TURNERO_WHATSAPP_APP_SECRET") or None,
            whatsapp_verify_token=env.get("TURNERO_WHATSAPP_VERIFY_TOKEN") or None,
            google_client_id=env.get("TURNERO_GOOGLE_CLIENT_ID") or None,
            google_client_secret=env.get("TURNERO_GOOGLE_CLIENT_SECRET") or None,
            google_auth_uri=env.get("TURNERO_GOOGLE_AUTH_URI", DEFAULT_GOOGLE_AUTH_URI),
            google_token_uri=env.get("TURNERO_GOOGLE_TOKEN_URI", DEFAULT_GOOGLE_TOKEN_URI),
            google_revoke_uri=env.get("TURNERO_GOOGLE_REVOKE_URI", DEFAULT_GOOGLE_REVOKE_URI),
            google_api_url=env.get("TURNERO_GOOGLE_API_URL") or None,
            map_tile_url=env.get("TURNERO_MAP_TILE_URL", DEFAULT_MAP_TILE_URL).strip(),
            map_attribution=env.get("TURNERO_MAP_ATTRIBUTION", DEFAULT_MAP_ATTRIBUTION).strip(),
            encryption_key=env.get("TURNERO_ENCRYPTION_KEY") or None,
            geocoder=(env.get("TURNERO_GEOCODER") or "").strip().lower() or None,
            geocoder_url=env.get("TURNERO_GEOCODER_URL") or None,
            geocoder_key=env.get("TURNERO_GEOCODER_KEY") or None,
            geocoder_user_agent=(
                env.get("TURNERO_GEOCODER_USER_AGENT") or DEFAULT_GEOCODER_USER_AGENT
            ),
            routing=(env.get("TURNERO_ROUTING") or "").strip().lower() or None,
            routing_url=env.get("TURNERO_ROUTING_URL") or None,
            routing_key=env.get("TURNERO_ROUTING_KEY") or None,
            stripe_api_base=env.get("TURNERO_STRIPE_API_BASE") or None,
            mercadopago_api_base=env.get("TURNERO_MERCADOPAGO_API_BASE") or None,
            webhook_allow_hosts=_csv(env.get("TURNERO_WEBHOOK_ALLOW_HOSTS")),
            web_threads=whole_number(env, "TURNERO_WEB_THREADS", 8, minimum=1),
            metrics_token=env.get("TURNERO_METRICS_TOKEN", "").strip() or None,
            max_body_bytes=whole_number(env, "TURNERO_MAX_BODY_BYTES", 256 * 1024, minimum=1024),
            max_dav_body_bytes=whole_number(
                env, "TURNERO_MAX_DAV_BODY_BYTES", 1024 * 1024, minimum=1024
            ),
            max_calendar_body_bytes=whole_number(
                env, "TURNERO_MAX_CALENDAR_BODY_BYTES", 10 * 1024 * 1024, minimum=1024
            ),
            body_timeout_seconds=whole_number(env, "TURNERO_BODY_TIMEOUT_SECONDS", 60, minimum=1),
            extra={k: v for k, v in env.items() if k.startswith("TURNERO_")},
        )
