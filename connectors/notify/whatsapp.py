"""WhatsApp Cloud API client (Graph ``/{phone-number-id}/messages``) over httpx.

Sends free text, reply buttons and pre-approved templates. Outside the 24-hour customer
service window WhatsApp only delivers templates, so business-initiated messages (a
confirmation right after a web booking, reminders) should go as templates; text and buttons
suit answers to a client who just wrote. Errors are typed: ``WhatsAppRefusedError`` (4xx,
with the Graph error code) is permanent, ``WhatsAppUnavailableError`` (timeouts, 5xx,
throttling) is worth a retry.

Inbound webhooks are ``connectors.notify.whatsapp_webhook``'s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from connectors.notify.errors import WhatsAppRefusedError, WhatsAppUnavailableError

_E164 = re.compile(r"^\+?[1-9]\d{6,14}$")
# Graph codes that come back as 4xx but mean "slow down": retry later
# (4 app throttling, 80007 WABA rate limit, 130429 throughput, 131056 pair rate limit).
_THROTTLED = frozenset({4, 80007, 130429, 131056})


def whatsapp_number(e164: str) -> str:
    """The form WhatsApp delivers to for ``e164``: Argentine mobiles with the "9" after
    +54 and Mexican mobiles with the "1" after +52 — the form their WhatsApp ids take (and
    inbound webhooks' ``from``) — whichever way the client typed the number."""
    number = e164.replace(" ", "").replace("-", "")
    if number.startswith("+54") and not number.startswith("+549"):
        return "+549" + number[3:]
    if number.startswith("+52") and not number.startswith("+521") and len(number) == 13:
        return "+521" + number[3:]
    return number


@dataclass(frozen=True, slots=True)
class TemplateState:
    """A message template of the WhatsApp Business Account, as Meta reports it."""

    id: str
    name: str
    language: str
    status: str  # APPROVED | PENDING | REJECTED | PAUSED | DISABLED …
    rejected_reason: str = ""


@dataclass(frozen=True, slots=True)
class SentMessage:
    message_id: str  # wamid…, the id delivery statuses refer to
    wa_id: str | None  # the recipient's WhatsApp id, when Graph says it


class WhatsAppClient:
    def __init__(
        self,
        graph_url: str,
        phone_number_id: str,
        token: str,
        *,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.phone_number_id = phone_number_id
        self._http = httpx.Client(
            base_url=graph_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WhatsAppClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def send_text(self, to_e164: str, body: str, *, preview_url: bool = True) -> SentMessage:
        return self._send(to_e164, "text", {"body": body, "preview_url": preview_url})

    def send_buttons(
        self, to_e164: str, body: str, buttons: Sequence[tuple[str, str]]
    ) -> SentMessage:
        """Text with up to three reply buttons, each ``(payload id, title ≤ 20 chars)``;
        a tap comes back as an inbound ``button_reply`` carrying the id."""
        action = {
            "buttons": [
                {"type": "reply", "reply": {"id": ident, "title": title[:20]}}
                for ident, title in buttons[:3]
            ]
        }
        return self._send(
            to_e164, "interactive", {"type": "button", "body": {"text": body}, "action": action}
        )

    def send_template(
        self,
        to_e164: str,
        name: str,
        language: str,
        *,
        body_parameters: Sequence[str] = (),
        button_payloads: Sequence[str] = (),
    ) -> SentMessage:
        """A pre-approved template; ``button_payloads[i]`` is the payload of its i-th
        quick-reply button (returned in the inbound ``button`` message)."""
        components: list[dict[str, Any]] = []
        if body_parameters:
            components.append(
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": p} for p in body_parameters],
                }
            )
        for index, payload in enumerate(button_payloads):
            components.append(
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": str(index),
                    "parameters": [{"type": "payload", "payload": payload}],
                }
            )
        template: dict[str, Any] = {"name": name, "language": {"code": language}}
        if components:
            template["components"] = components
        return self._send(to_e164, "template", template)

    def send_code(self, to_e164: str, name: str, language: str, code: str) -> SentMessage:
        """A one-time code through an authentication template: the code fills the body and
        the copy-code button (https://developers.facebook.com/docs/whatsapp/business-management-api/authentication-templates/copy-code-button-authentication-templates)."""
        template = {
            "name": name,
            "language": {"code": language},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": code}]},
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": "0",
                    "parameters": [{"type": "text", "text": code}],
                },
            ],
        }
        return self._send(to_e164, "template", template)

    def check(self) -> str:
        """Reads the phone number's own node (``GET /{phone-number-id}``): whether the id
        and token work; returns the number's verified name."""
        data = self._call("GET", self.phone_number_id)
        return str(data.get("verified_name") or data.get("id") or "")

    def create_template(self, waba_id: str, definition: dict[str, Any]) -> TemplateState:
        """Submits a template for review (``POST /{waba-id}/message_templates``,
        https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates);
        Meta answers its id and status (PENDING until reviewed)."""
        data = self._call("POST", f"{waba_id}/message_templates", definition)
        return TemplateState(
            str(data.get("id") or ""),
            str(definition.get("name") or ""),
            str(definition.get("language") or ""),
            str(data.get("status") or "PENDING"),
        )

    def templates(self, waba_id: str) -> list[TemplateState]:
        """The account's templates with their review status (first page, up to 200)."""
        data = self._call("GET", f"{waba_id}/message_templates", params={"limit": "200"})
        found = []
        for item in data.get("data") or ():
            if isinstance(item, dict) and item.get("name"):
                reason = str(item.get("rejected_reason") or "")
                found.append(
                    TemplateState(
                        str(item.get("id") or ""),
                        str(item["name"]),
                        str(item.get("language") or ""),
                        str(item.get("status") or ""),
                        "" if reason == "NONE" else reason,
                    )
                )
        return found

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, json=body, params=params)
        except httpx.TimeoutException as exc:
            raise WhatsAppUnavailableError(f"WhatsApp API timed out: {exc}") from exc
        except httpx.TransportError as exc:
            raise WhatsAppUnavailableError(f"cannot reach the WhatsApp API: {exc}") from exc
        if response.is_success:
            return _json(response)
        raise _error(response)

    def _send(self, to_e164: str, kind: str, content: dict[str, Any]) -> SentMessage:
        number = whatsapp_number(to_e164)
        if not _E164.match(number):
            raise WhatsAppRefusedError(f"{to_e164!r} is not an E.164 number", status=400)
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": number.lstrip("+"),
            "type": kind,
            kind: content,
        }
        try:
            response = self._http.post(f"{self.phone_number_id}/messages", json=payload)
        except httpx.TimeoutException as exc:
            raise WhatsAppUnavailableError(f"WhatsApp API timed out: {exc}") from exc
        except httpx.TransportError as exc:
            raise WhatsAppUnavailableError(f"cannot reach the WhatsApp API: {exc}") from exc
        if response.is_success:
            return _sent(response)
        raise _error(response)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _sent(response: httpx.Response) -> SentMessage:
    data = _json(response)
    messages = data.get("messages") or [{}]
    contacts = data.get("contacts") or [{}]
    message_id = messages[0].get("id") if isinstance(messages[0], dict) else None
    if not isinstance(message_id, str):
        raise WhatsAppUnavailableError(
            "the WhatsApp API answered without a message id", status=response.status_code
        )
    wa_id = contacts[0].get("wa_id") if isinstance(contacts[0], dict) else None
    return SentMessage(message_id, wa_id if isinstance(wa_id, str) else None)


def _error(response: httpx.Response) -> Exception:
    error = _json(response).get("error")
    error = error if isinstance(error, dict) else {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    message = str(error.get("message") or response.reason_phrase or "error")
    status = response.status_code
    if status >= 500 or status == 429 or code in _THROTTLED:
        return WhatsAppUnavailableError(
            f"WhatsApp API {status}: {message}", status=status, code=code
        )
    error_data = error.get("error_data")
    details = error_data.get("details") if isinstance(error_data, dict) else None
    subcode = error.get("error_subcode")
    return WhatsAppRefusedError(
        f"WhatsApp refused the message ({code}): {details or message}",
        status=status,
        code=code,
        subcode=subcode if isinstance(subcode, int) else None,
        graph_message=message,
        details=str(details) if details else None,
        trace_id=str(error["fbtrace_id"]) if error.get("fbtrace_id") else None,
    )
