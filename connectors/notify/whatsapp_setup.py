"""What the console and the REST API show of a business's WhatsApp settings: the webhook
URL to paste in Meta's app, which template each message kind goes as per language with its
last known review status, and which credentials are stored (never their values).

Not here: storing settings (``hub.services.whatsapp_settings``), the screens and routes.
"""

from __future__ import annotations

from typing import Any

from connectors.notify import whatsapp_templates as wa_templates
from hub.domain.model import Business

LANGUAGES = ("es", "en")
SECRETS = ("token", "app_secret", "verify_token")


def config_of(business: Business) -> dict[str, Any]:
    config = business.settings.get("whatsapp")
    return dict(config) if isinstance(config, dict) else {}


def webhook_url(base_url: str, business_id: str) -> str:
    """The business's own callback URL (its app secret and verify token apply there)."""
    return f"{base_url}/connectors/whatsapp/webhook/{business_id}"


def template_rows(business: Business) -> list[dict[str, str]]:
    """One row per kind and language: which template, and its status as last seen."""
    config = config_of(business)
    rows = []
    for kind in wa_templates.SHIPPED_KINDS:
        for language in LANGUAGES:
            chosen = wa_templates.choice(kind, language, config)
            stored = (config.get("templates") or {}).get(f"{kind.value}.{language}") or {}
            rows.append(
                {
                    "kind": kind.value,
                    "language": language,
                    "name": chosen.name,
                    "code": chosen.language,
                    "status": chosen.status or "UNKNOWN",
                    "reason": str(stored.get("reason") or ""),
                }
            )
    for language in LANGUAGES:  # client history's one-time code
        code = wa_templates.code_choice(language, config)
        stored = (config.get("templates") or {}).get(f"{wa_templates.CODE_KEY}.{language}") or {}
        rows.append(
            {
                "kind": wa_templates.CODE_KEY,
                "language": language,
                "name": code.name,
                "code": code.language,
                "status": code.status or "UNKNOWN",
                "reason": str(stored.get("reason") or ""),
            }
        )
    return rows


def stored_secrets(business: Business) -> dict[str, bool]:
    config = config_of(business)
    return {name: bool(config.get(name)) for name in SECRETS}
