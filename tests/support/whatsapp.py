"""A fake WhatsApp Cloud API (Graph) on loopback, written from Meta's public documentation,
that the real ``connectors.notify.whatsapp`` client talks to over HTTP.

What it follows (each rule cites the page it comes from):

- Sending, ``POST /{phone-number-id}/messages`` with a bearer token: an accepted message is
  answered at once with its ``wamid``; whether it reaches the client is told later by status
  webhooks (``sent``, ``delivered``, ``read``, ``failed`` with ``errors``).
  https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
  https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples#message-status-updates
- The customer service window: free-form messages (text, interactive) reach a client only
  within 24 hours of the client's last message to the business number; outside it only
  template messages do. A free-form message outside the window is still accepted with an id,
  and then fails with error 131047 "Re-engagement message" in a ``failed`` status webhook.
  https://developers.facebook.com/docs/whatsapp/conversation-types#customer-service-window
  https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/
- A number that is not a WhatsApp user: accepted, then ``failed`` with 131026
  "Message undeliverable" (same error-codes page).
- Template messages: the name and language must name a template of the account that is
  APPROVED (else 132001 "Template name does not exist in the translation"); the body's
  parameters must be as many as its ``{{n}}`` placeholders (else 132000 "Number of
  parameters does not match the expected number of params"); a text parameter may not hold
  new lines, tabs or more than four spaces in a row (132018); quick-reply button parameters
  carry the payload returned when the client taps the button (131009 for a button index the
  template does not have).
  https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates
- Templates are created with ``POST /{waba-id}/message_templates`` (name: lowercase letters,
  digits and underscores; category UTILITY, MARKETING or AUTHENTICATION; a BODY component,
  with ``example.body_text`` when it has placeholders), answered ``{id, status: PENDING,
  category}``; listed with ``GET /{waba-id}/message_templates`` (``name`` filter), each with
  its ``status`` (APPROVED, PENDING, REJECTED…). Approval is Meta's review: here a test
  calls ``review``. A name and language that exist already are refused (100).
  Authentication templates (one-time codes) carry no body text of their own: Meta writes
  it ("*{{1}}* is your verification code."), and their one OTP button takes the code too.
  https://developers.facebook.com/docs/whatsapp/business-management-api/authentication-templates
  https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates
  https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/overview
- Webhooks are POSTed as JSON with ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw
  body under the app secret>``.
  https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads
  https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components

Status webhooks are queued and sent when a test calls ``flush`` (no timing in tests); a
client writing to the business is ``client_writes`` (opens the window and posts the inbound
message webhook).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WINDOW = timedelta(hours=24)
_PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_CATEGORIES = frozenset({"UTILITY", "MARKETING", "AUTHENTICATION"})
_FREE_FORM = frozenset({"text", "interactive"})
# The texts Meta writes into authentication templates (body, security advice, expiry).
_AUTHENTICATION_BODIES = {
    "es": "*{{1}}* es tu código de verificación.",
    "en": "*{{1}}* is your verification code.",
}
_SECURITY_ADVICE = {
    "es": " Por tu seguridad, no lo compartas.",
    "en": " For your security, do not share this code.",
}
_EXPIRY_FOOTER = {
    "es": "Este código caduca en {minutes} minutos.",
    "en": "This code expires in {minutes} minutes.",
}


@dataclass
class GraphCall:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Template:
    id: str
    name: str
    language: str
    category: str
    body: str
    buttons: list[str]  # quick-reply titles
    status: str = "PENDING"
    rejected_reason: str = "NONE"

    def as_graph(self) -> dict[str, Any]:
        components: list[dict[str, Any]] = [{"type": "BODY", "text": self.body}]
        if self.buttons:
            components.append(
                {
                    "type": "BUTTONS",
                    "buttons": [{"type": "QUICK_REPLY", "text": t} for t in self.buttons],
                }
            )
        return {
            "id": self.id,
            "name": self.name,
            "language": self.language,
            "category": self.category,
            "status": self.status,
            "rejected_reason": self.rejected_reason,
            "components": components,
        }


@dataclass
class Message:
    """One accepted message: what the client would read (``text``) and its status."""

    id: str
    phone_number_id: str
    to: str
    type: str
    text: str
    payloads: list[str] = field(default_factory=list)  # quick-reply payloads, in order
    body: dict[str, Any] = field(default_factory=dict)  # the request as sent
    status: str = "accepted"
    error_code: int | None = None


def _error(
    code: int, message: str, *, details: str = "", subcode: int | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEf",
    }
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


class _Refused(Exception):
    def __init__(self, status: int, answer: dict[str, Any]) -> None:
        super().__init__(status)
        self.status, self.answer = status, answer


# error-codes page: title and details of the asynchronous failures the fake reports
_ASYNC_ERRORS = {
    131047: (
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer "
        "last replied to this number.",
    ),
    131026: ("Message undeliverable", "Recipient is not a WhatsApp user"),
}


class FakeWhatsAppGraph:
    """The Graph API of one WhatsApp Business Account (``waba_id``) on loopback.

    Knobs for tests: ``not_on_whatsapp`` (numbers, digits only: accepted then failed 131026),
    ``refused_at_once`` (numbers answered 400 / 131026 synchronously, as Graph does for some
    recipients), ``broken`` (numbers answered 500), ``webhook_url`` and ``app_secret`` (where
    and how status webhooks are signed), ``clock`` (for the 24-hour window)."""

    def __init__(
        self,
        token: str = "test-token",
        *,
        waba_id: str = "102290129340398",
        app_secret: str = "app-secret",
        webhook_url: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.token = token
        self.waba_id = waba_id
        self.app_secret = app_secret
        self.webhook_url = webhook_url
        self.clock = clock or (lambda: datetime.now(UTC))
        self.calls: list[GraphCall] = []
        self.not_on_whatsapp: set[str] = set()
        self.refused_at_once: set[str] = set()
        self.broken: set[str] = set()
        self.templates: dict[tuple[str, str], Template] = {}
        self.messages: list[Message] = []
        self.webhook_answers: list[int] = []
        self._last_inbound: dict[tuple[str, str], datetime] = {}
        self._queued: list[dict[str, Any]] = []
        self._lock = threading.RLock()
        # Every new WhatsApp Business Account comes with this approved sample template
        # (https://developers.facebook.com/docs/whatsapp/cloud-api/get-started).
        self.add_template(
            "hello_world",
            "en_US",
            "Hello World\nWelcome and congratulations!! This message demonstrates your ability "
            "to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank "
            "you for taking the time to test with us.",
        )
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, status: int, answer: dict[str, Any]) -> None:
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                fake._log("GET", self.path, dict(self.headers), query)
                self._answer(*fake.get(url.path, self.headers.get("Authorization"), query))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = None
                if not isinstance(body, dict):
                    self._answer(400, _error(100, "Invalid parameter"))
                    return
                fake._log("POST", self.path, dict(self.headers), body)
                path = urllib.parse.urlsplit(self.path).path
                self._answer(*fake.post(path, self.headers.get("Authorization"), body))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v21.0"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeWhatsAppGraph:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def _log(self, method: str, path: str, headers: dict[str, str], body: dict[str, Any]) -> None:
        with self._lock:
            self.calls.append(GraphCall(method, path, headers, body))

    @property
    def sent(self) -> list[dict[str, Any]]:
        """The bodies of the messages accepted, in order."""
        with self._lock:
            return [m.body for m in self.messages]

    # --- what tests arrange and read -------------------------------------------------------

    def add_template(
        self,
        name: str,
        language: str,
        body: str,
        *,
        buttons: list[str] | None = None,
        status: str = "APPROVED",
        category: str = "UTILITY",
    ) -> Template:
        with self._lock:
            template = Template(
                id=str(1000 + len(self.templates)),
                name=name,
                language=language,
                category=category,
                body=body,
                buttons=list(buttons or []),
                status=status,
            )
            self.templates[(name, language)] = template
            return template

    def review(self, name: str, language: str, status: str, reason: str = "NONE") -> None:
        """Meta's review of a template: APPROVED or REJECTED (with ``reason``)."""
        with self._lock:
            template = self.templates[(name, language)]
            template.status, template.rejected_reason = status, reason

    def client_writes(
        self,
        phone_number_id: str,
        number: str,
        text: str = "",
        *,
        payload: str | None = None,
        title: str | None = None,
    ) -> int | None:
        """The client ``number`` (digits) writes to the business: the window opens, and the
        inbound message webhook is posted (a button tap when ``payload`` is given)."""
        now = self.clock()
        with self._lock:
            self._last_inbound[(phone_number_id, number)] = now
            ident = f"wamid.IN{len(self._last_inbound)}{len(self.calls)}"
        if payload is not None:
            message: dict[str, Any] = {
                "from": number,
                "id": ident,
                "timestamp": str(int(now.timestamp())),
                "type": "button",
                "button": {"payload": payload, "text": title or text},
            }
        else:
            message = {
                "from": number,
                "id": ident,
                "timestamp": str(int(now.timestamp())),
                "type": "text",
                "text": {"body": text},
            }
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000000", "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": "Cliente"}, "wa_id": number}],
            "messages": [message],
        }
        return self._post_webhook(value) if self.webhook_url else None

    def inbox(self, number: str) -> list[Message]:
        """What reached ``number`` (digits), in order: messages not failed."""
        with self._lock:
            return [m for m in self.messages if m.to == number and m.status != "failed"]

    def message(self, message_id: str) -> Message:
        with self._lock:
            return next(m for m in self.messages if m.id == message_id)

    def flush(self) -> list[int]:
        """Post the queued status webhooks, signed; returns our webhook's answers."""
        with self._lock:
            queued, self._queued = self._queued, []
        answers = [self._post_webhook(value) for value in queued]
        return answers

    def read(self, message_id: str) -> None:
        """The client opened the message: a ``read`` status is queued."""
        with self._lock:
            message = self.message(message_id)
            self._status(message, "read")

    # --- the API ---------------------------------------------------------------------------

    def get(
        self, path: str, authorization: str | None, query: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        if authorization != f"Bearer {self.token}":
            return 401, _error(190, "Invalid OAuth access token.")
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[2] == "message_templates":
            if parts[1] != self.waba_id:
                return 400, _error(
                    100,
                    f"Unsupported get request. Object with ID '{parts[1]}' does not exist",
                    subcode=33,
                )
            with self._lock:
                found = [
                    t.as_graph()
                    for t in self.templates.values()
                    if not query.get("name") or t.name == query["name"]
                ]
            return 200, {"data": found, "paging": {"cursors": {"before": "", "after": ""}}}
        if len(parts) == 2:  # the phone number's own node: used as a credentials check
            return 200, {"id": parts[1], "verified_name": "Negocio", "quality_rating": "GREEN"}
        return 400, _error(100, "Unknown path components")

    def post(
        self, path: str, authorization: str | None, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if authorization != f"Bearer {self.token}":
            return 401, _error(190, "Invalid OAuth access token.")
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[2] == "message_templates":
            return self._create_template(parts[1], body)
        if len(parts) == 3 and parts[2] == "messages":
            return self._send(parts[1], body)
        return 400, _error(100, "Unknown path components")

    def _create_template(self, waba: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if waba != self.waba_id:
            return 400, _error(
                100, f"Unsupported post request. Object with ID '{waba}' does not exist", subcode=33
            )
        name, language = str(body.get("name", "")), str(body.get("language", ""))
        category = str(body.get("category", ""))
        if not _TEMPLATE_NAME.match(name) or not language or category not in _CATEGORIES:
            return 400, _error(100, "Invalid parameter", details="name, language or category")
        components = body.get("components") or []
        if category == "AUTHENTICATION":
            return self._create_authentication(name, language, components)
        bodies = [c for c in components if isinstance(c, dict) and c.get("type") == "BODY"]
        if len(bodies) != 1 or not str(bodies[0].get("text", "")).strip():
            return 400, _error(100, "Invalid parameter", details="a BODY component is required")
        text = str(bodies[0]["text"])
        variables = _PLACEHOLDER.findall(text)
        examples = ((bodies[0].get("example") or {}).get("body_text") or [[]])[0]
        if variables and len(examples) != len(set(variables)):
            return 400, _error(
                100,
                "Invalid parameter",
                subcode=2388043,
                details='Message template "body" component is missing examples',
            )
        buttons: list[str] = []
        for component in components:
            if isinstance(component, dict) and component.get("type") == "BUTTONS":
                buttons = [
                    str(b.get("text", ""))
                    for b in component.get("buttons") or []
                    if isinstance(b, dict) and b.get("type") == "QUICK_REPLY"
                ]
        with self._lock:
            if (name, language) in self.templates:
                return 400, _error(
                    100,
                    "Invalid parameter",
                    subcode=2388024,
                    details="Content in this language already exists",
                )
            template = self.add_template(
                name, language, text, buttons=buttons, status="PENDING", category=category
            )
        return 200, {"id": template.id, "status": "PENDING", "category": category}

    def _create_authentication(
        self, name: str, language: str, components: list[Any]
    ) -> tuple[int, dict[str, Any]]:
        """An authentication template: Meta writes the body itself (no text may be given)
        and its one button is a one-time-password button (copy code, one tap, zero tap)."""
        kinds = {c.get("type"): c for c in components if isinstance(c, dict)}
        buttons = (kinds.get("BUTTONS") or {}).get("buttons") or []
        otp = [b for b in buttons if isinstance(b, dict) and b.get("type") == "OTP"]
        if "BODY" not in kinds or "text" in kinds["BODY"] or len(otp) != 1:
            return 400, _error(
                100, "Invalid parameter", details="authentication: preset BODY and one OTP button"
            )
        ours = language.partition("_")[0]
        text = _AUTHENTICATION_BODIES.get(ours, _AUTHENTICATION_BODIES["en"])
        if kinds["BODY"].get("add_security_recommendation"):
            text += _SECURITY_ADVICE.get(ours, _SECURITY_ADVICE["en"])
        minutes = (kinds.get("FOOTER") or {}).get("code_expiration_minutes")
        if minutes:
            footer = _EXPIRY_FOOTER.get(ours, _EXPIRY_FOOTER["en"])
            text += "\n" + footer.format(minutes=minutes)
        with self._lock:
            if (name, language) in self.templates:
                return 400, _error(
                    100,
                    "Invalid parameter",
                    subcode=2388024,
                    details="Content in this language already exists",
                )
            template = self.add_template(
                name,
                language,
                text,
                buttons=[str(otp[0].get("text") or "Copy code")],
                status="PENDING",
                category="AUTHENTICATION",
            )
        return 200, {"id": template.id, "status": "PENDING", "category": "AUTHENTICATION"}

    def _send(self, phone_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body.get("messaging_product") != "whatsapp":
            return 400, _error(100, "Invalid parameter")
        to, kind = str(body.get("to", "")), str(body.get("type", "text"))
        if to in self.broken:
            return 500, _error(1, "An unknown error occurred")
        if to in self.refused_at_once:
            return 400, _error(
                131026, "Message undeliverable", details="Recipient is not a WhatsApp user"
            )
        payloads: list[str] = []
        if kind == "template":
            try:
                text, payloads = self._template_text(body.get("template"))
            except _Refused as refused:
                return refused.status, refused.answer
        elif kind == "text":
            text = str((body.get("text") or {}).get("body", ""))
        elif kind == "interactive":
            interactive = body.get("interactive") or {}
            text = str((interactive.get("body") or {}).get("text", ""))
            payloads = [
                str(b["reply"]["id"])
                for b in (interactive.get("action") or {}).get("buttons") or []
            ]
        else:
            return 400, _error(100, "Invalid parameter", details=f"type {kind!r}")
        with self._lock:
            message = Message(
                f"wamid.TEST{len(self.messages) + 1}", phone_id, to, kind, text, payloads, body
            )
            self.messages.append(message)
            last = self._last_inbound.get((phone_id, to))
            in_window = last is not None and self.clock() - last < WINDOW
            if to in self.not_on_whatsapp:
                self._fail(message, 131026)
            elif kind in _FREE_FORM and not in_window:
                self._fail(message, 131047)
            else:
                self._status(message, "sent")
                self._status(message, "delivered")
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": message.id}],
        }

    def _template_text(self, spec: Any) -> tuple[str, list[str]]:
        spec = spec if isinstance(spec, dict) else {}
        name = str(spec.get("name", ""))
        language = str((spec.get("language") or {}).get("code", ""))
        with self._lock:
            template = self.templates.get((name, language))
        if template is None or template.status != "APPROVED":
            raise _Refused(
                404,
                _error(
                    132001,
                    "Template name does not exist in the translation",
                    details=f"template name ({name}) does not exist in {language}",
                ),
            )
        parameters: list[str] = []
        payloads: list[str] = []
        for component in spec.get("components") or []:
            if component.get("type") == "body":
                parameters = [str(p.get("text", "")) for p in component.get("parameters") or []]
            elif component.get("type") == "button":
                index = int(component.get("index", -1))
                if not 0 <= index < len(template.buttons):
                    raise _Refused(
                        400,
                        _error(
                            131009,
                            "Parameter value is not valid",
                            details=f"button at index {index} is not in the template",
                        ),
                    )
                payloads += [
                    str(p.get("payload") or p.get("text") or "")
                    for p in component.get("parameters") or []
                ]
        expected = len(set(_PLACEHOLDER.findall(template.body)))
        if len(parameters) != expected:
            raise _Refused(
                400,
                _error(
                    132000,
                    "Number of parameters does not match the expected number of params",
                    details=f"body: number of localizable_params ({len(parameters)}) "
                    f"does not match the expected number of params ({expected})",
                ),
            )
        for value in parameters:
            if "\n" in value or "\t" in value or "     " in value or not value.strip():
                raise _Refused(
                    400,
                    _error(
                        132018,
                        "There was an issue with the parameters in your template",
                        details="Param text cannot have new-line/tab "
                        "characters or more than 4 consecutive spaces",
                    ),
                )
        text = _PLACEHOLDER.sub(lambda m: parameters[int(m.group(1)) - 1], template.body)
        if template.buttons:
            text += "\n" + " | ".join(f"[{t}]" for t in template.buttons)
        return text, payloads

    # --- status webhooks -------------------------------------------------------------------

    def _fail(self, message: Message, code: int) -> None:
        message.status, message.error_code = "failed", code
        title, details = _ASYNC_ERRORS[code]
        self._queue(
            message,
            "failed",
            errors=[
                {
                    "code": code,
                    "title": title,
                    "message": title,
                    "error_data": {"details": details},
                    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
                }
            ],
        )

    def _status(self, message: Message, status: str) -> None:
        message.status = status
        self._queue(message, status)

    def _queue(self, message: Message, status: str, **extra: Any) -> None:
        entry: dict[str, Any] = {
            "id": message.id,
            "status": status,
            "timestamp": str(int(self.clock().timestamp())),
            "recipient_id": message.to,
            **extra,
        }
        self._queued.append(
            {
                "messaging_product": "whatsapp",
                "metadata": {
                    "display_phone_number": "15550000000",
                    "phone_number_id": message.phone_number_id,
                },
                "statuses": [entry],
            }
        )

    def _post_webhook(self, value: dict[str, Any]) -> int:
        assert self.webhook_url, "set webhook_url to receive webhooks"
        payload = {
            "object": "whatsapp_business_account",
            "entry": [{"id": self.waba_id, "changes": [{"value": value, "field": "messages"}]}],
        }
        raw = json.dumps(payload).encode()
        signature = hmac.new(self.app_secret.encode(), raw, hashlib.sha256).hexdigest()
        request = urllib.request.Request(
            self.webhook_url,
            data=raw,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": f"sha256={signature}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                code = int(answer.status)
        except urllib.error.HTTPError as exc:
            code = exc.code
        with self._lock:
            self.webhook_answers.append(code)
        return code


def approve_shipped(fake: FakeWhatsAppGraph, languages: tuple[str, ...] = ("es", "en")) -> None:
    """Our shipped templates, created and approved in the fake's account (what a business
    gets by creating them from the console and waiting for Meta's review)."""
    from connectors.notify import whatsapp_templates

    for language in languages:
        for kind in whatsapp_templates.SHIPPED_KINDS:
            definition = whatsapp_templates.definition(kind, language)
            fake.add_template(
                definition["name"],
                definition["language"],
                whatsapp_templates.shipped_body(kind, language),
                buttons=list(whatsapp_templates.buttons(kind, language)),
            )
        code = whatsapp_templates.code_definition(language)
        fake._create_authentication(code["name"], code["language"], code["components"])
        fake.review(code["name"], code["language"], "APPROVED")


def running_graph(token: str) -> Iterator[FakeWhatsAppGraph]:
    """The fake Graph API on loopback, answering ``token``, while the generator runs."""
    fake = FakeWhatsAppGraph(token=token).start()
    try:
        yield fake
    finally:
        fake.stop()
