"""Fake Stripe and fake MercadoPago on loopback, spoken to by the real SDKs.

``FakeStripe`` serves ``POST /v1/checkout/sessions`` (form-encoded, Idempotency-Key),
``POST /v1/refunds``, ``GET /v1/refunds?payment_intent=…``, ``GET /v1/payment_intents/{id}`` and
``GET /v1/balance`` (the connection test), and signs events the way Stripe
does (``Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.payload")``). ``FakeMercadoPago``
serves ``POST /checkout/preferences``, ``GET /v1/payments/{id}``,
``POST /v1/payments/{id}/refunds`` (``x-idempotency-key``) and ``GET /users/me`` (the
connection test), and signs notifications as
MercadoPago does (``x-signature: ts=…,v1=HMAC-SHA256(secret, "id:…;request-id:…;ts:…;")``).
Tests play the client paying by calling ``pay``/``complete`` on them, and the business refunding
in the provider's dashboard with ``dashboard_refund``; or a browser does it on
the fakes' hosted checkout page (``/checkout/…``): its pay button makes the payment, sends the
signed event to the webhook endpoint the business registered (``endpoint``) and sends the
browser back to the success URL, as the providers do.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlparse

import httpx

Json = dict[str, Any]


@dataclass(frozen=True)
class Endpoint:
    """A webhook endpoint registered in the provider's dashboard, with its signing secret."""

    url: str
    secret: str


@dataclass(frozen=True)
class Page:
    """A browser-facing answer (the hosted checkout), not the JSON API."""

    status: int
    body: str = ""
    location: str | None = None


def checkout_page(title: str, amount: str, action: str) -> Page:
    body = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Checkout</title></head><body>"
        f"<h1>{escape(title)}</h1><p class='amount'>{escape(amount)}</p>"
        f"<form method='post' action='{escape(action)}'><button type='submit'>Pay</button></form>"
        "</body></html>"
    )
    return Page(200, body)


class _Server:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.ids = itertools.count(1)
        self.requests: list[tuple[str, str]] = []
        self.endpoint: Endpoint | None = None
        self._idem: dict[str, tuple[int, Json]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> _Server:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def route(
        self, method: str, path: str, body: bytes, headers: Any, query: dict[str, str]
    ) -> tuple[int, Json]:
        raise NotImplementedError

    def page(self, method: str, path: str, query: dict[str, str]) -> Page | None:
        """The hosted checkout a browser is sent to; ``None`` for API paths."""
        return None

    def deliver(self, response: httpx.Response, success_url: str) -> Page:
        """Back to the business's site once its webhook took the event, as providers do
        (a refused event leaves the browser on an error page)."""
        if response.status_code != 200:
            return Page(502, f"<p>webhook refused: {escape(response.text)}</p>")
        return Page(303, location=success_url)

    def idempotent(self, key: str | None, make: Any) -> tuple[int, Json]:
        with self.lock:
            if key and key in self._idem:
                return self._idem[key]
            answer: tuple[int, Json] = make()
            if key:
                self._idem[key] = answer
            return answer

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urlparse(self.path)
                path = url.path
                with fake.lock:
                    fake.requests.append((method, path))
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                page = fake.page(method, path, query)
                if page is not None:
                    self._page(page)
                    return
                status, payload = fake.route(method, path, body, self.headers, query)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _page(self, page: Page) -> None:
                data = page.body.encode()
                self.send_response(page.status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                if page.location:
                    self.send_header("Location", page.location)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

        return Handler


def _nest(pairs: list[tuple[str, str]]) -> Json:
    """Stripe's form encoding (``a[b][0][c]=v``) back into nested dicts/lists."""
    out: Json = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node: Any = out
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt = parts[i + 1] if not last else None
            container: Any = [] if nxt is not None and nxt.isdigit() else {}
            if isinstance(node, list):
                idx = int(part)
                while len(node) <= idx:
                    node.append({} if nxt is None or not nxt.isdigit() else [])
                if last:
                    node[idx] = value
                else:
                    if not node[idx]:
                        node[idx] = container
                    node = node[idx]
            elif last:
                node[part] = value
            else:
                node = node.setdefault(part, container)
    return out


class FakeStripe(_Server):
    def __init__(self) -> None:
        super().__init__()
        self.sessions: dict[str, Json] = {}
        self.intents: dict[str, Json] = {}
        self.refunds: list[Json] = []  # asked for through the API
        self.intent_refunds: dict[str, list[Json]] = {}  # all, dashboard ones too

    def route(
        self, method: str, path: str, body: bytes, headers: Any, query: dict[str, str]
    ) -> tuple[int, Json]:
        if not str(headers.get("Authorization", "")).startswith("Bearer sk_"):
            return 401, {"error": {"type": "invalid_request_error", "message": "bad key"}}
        form = _nest(parse_qsl(body.decode(), keep_blank_values=True))
        key = headers.get("Idempotency-Key")
        if method == "POST" and path == "/v1/checkout/sessions":
            return self.idempotent(key, lambda: self._session(form))
        if method == "POST" and path == "/v1/refunds":
            return self.idempotent(key, lambda: self._api_refund(form))
        if method == "GET" and path == "/v1/refunds":
            data = self.intent_refunds.get(query.get("payment_intent", ""), [])
            listed = {"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"}
            return 200, listed
        if method == "GET" and path == "/v1/balance":
            # https://docs.stripe.com/api/balance/balance_retrieve
            money = [{"amount": 0, "currency": "ars", "source_types": {"card": 0}}]
            return 200, {
                "object": "balance",
                "available": money,
                "pending": money,
                "livemode": False,
            }
        if method == "GET" and path.startswith("/v1/payment_intents/"):
            intent = self.intents.get(path.rsplit("/", 1)[1])
            return (200, intent) if intent else (404, {"error": {"message": "no such intent"}})
        return 404, {"error": {"type": "invalid_request_error", "message": "unknown path"}}

    def page(self, method: str, path: str, query: dict[str, str]) -> Page | None:
        parts = path.strip("/").split("/")
        if parts[0] != "checkout" or len(parts) < 2 or parts[1] not in self.sessions:
            return None
        session = self.sessions[parts[1]]
        if method == "GET" and len(parts) == 2:
            amount = f"{session['amount_total']} {session['currency'].upper()}"
            return checkout_page("Stripe Checkout", amount, f"/checkout/{session['id']}/pay")
        if method == "POST" and parts[2:] == ["pay"] and self.endpoint is not None:
            payload = self.complete(session["id"])
            signature = self.sign(payload, self.endpoint.secret)
            response = httpx.post(
                self.endpoint.url,
                content=payload,
                headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
                timeout=20,
            )
            return self.deliver(response, session["success_url"])
        return None

    def _session(self, form: Json) -> tuple[int, Json]:
        # expires_at: 30 minutes to 24 hours after creation, else the request is refused
        # (https://docs.stripe.com/api/checkout/sessions/create#create_checkout_session-expires_at).
        expires_at = form.get("expires_at")
        if expires_at is not None:
            ahead = int(expires_at) - int(time.time())
            if not 30 * 60 <= ahead <= 24 * 3600:
                message = "The `expires_at` timestamp must be between 30 minutes and 24 hours"
                return 400, {"error": {"type": "invalid_request_error", "message": message}}
        n = next(self.ids)
        item = form["line_items"][0]["price_data"]
        session = {
            "id": f"cs_test_{n}",
            "object": "checkout.session",
            "url": f"{self.url}/checkout/cs_test_{n}",
            "amount_total": int(item["unit_amount"]),
            "currency": item["currency"],
            "metadata": form.get("metadata", {}),
            "client_reference_id": form.get("client_reference_id"),
            "success_url": form["success_url"],
            "cancel_url": form["cancel_url"],
            "payment_status": "unpaid",
            "payment_intent": None,
            "status": "open",
            "expires_at": int(expires_at) if expires_at is not None else None,
        }
        self.sessions[session["id"]] = session
        return 200, session

    def _api_refund(self, form: Json) -> tuple[int, Json]:
        intent = self.intents.get(form.get("payment_intent", ""))
        if intent is None:
            return 400, {"error": {"type": "invalid_request_error", "message": "no intent"}}
        refund = self._refund(intent, int(form["amount"]))
        self.refunds.append(refund)
        return 200, refund

    def _refund(self, intent: Json, amount: int) -> Json:
        with self.lock:
            refund = {
                "id": f"re_{next(self.ids)}",
                "object": "refund",
                "amount": amount,
                "currency": intent["currency"],
                "charge": intent["latest_charge"],
                "created": int(time.time()),
                "payment_intent": intent["id"],
                "status": "succeeded",
            }
            self.intent_refunds.setdefault(intent["id"], []).append(refund)
        return refund

    def outside_sale(self, amount: int, currency: str) -> str:
        """A payment on the same account not made through a Turnero checkout."""
        with self.lock:
            pi = f"pi_{next(self.ids)}"
            self.intents[pi] = {
                "id": pi,
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount,
                "currency": currency.lower(),
                "status": "succeeded",
                "metadata": {},
                "latest_charge": f"ch_{next(self.ids)}",
            }
        return pi

    def dashboard_refund(self, payment_intent: str, amount: int) -> bytes:
        """The business refunds ``amount`` in Stripe's dashboard; returns the
        ``charge.refunded`` event Stripe sends."""
        self._refund(self.intents[payment_intent], amount)
        return self.charge_refunded(payment_intent)

    def charge_refunded(self, payment_intent: str) -> bytes:
        """The ``charge.refunded`` event of the intent's charge as it stands."""
        intent = self.intents[payment_intent]
        refunded = sum(r["amount"] for r in self.intent_refunds.get(payment_intent, []))
        charge = {
            "id": intent["latest_charge"],
            "object": "charge",
            "amount": intent["amount"],
            "amount_refunded": refunded,
            "currency": intent["currency"],
            "payment_intent": payment_intent,
            "refunded": refunded >= intent["amount"],
            "metadata": {},
        }
        return self.event("charge.refunded", charge)

    @staticmethod
    def event(kind: str, obj: Json) -> bytes:
        event = {
            "id": f"evt_{uuid.uuid4().hex[:16]}",
            "object": "event",
            "api_version": "2025-01-01",
            "type": kind,
            "created": int(time.time()),
            "data": {"object": obj},
        }
        return json.dumps(event).encode()

    # -- the client paying, and Stripe telling the business ------------------------------

    def complete(self, session_id: str, amount: int | None = None) -> bytes:
        """The client pays the session; returns the ``checkout.session.completed`` event."""
        with self.lock:
            session = self.sessions[session_id]
            if session["payment_intent"] is None:
                pi = f"pi_{next(self.ids)}"
                session.update(payment_status="paid", status="complete", payment_intent=pi)
                self.intents[pi] = {
                    "id": pi,
                    "object": "payment_intent",
                    "amount": session["amount_total"],
                    "amount_received": session["amount_total"],
                    "currency": session["currency"],
                    "status": "succeeded",
                    "metadata": session["metadata"],
                    "latest_charge": f"ch_{next(self.ids)}",
                }
            obj = dict(session)
        if amount is not None:
            obj["amount_total"] = amount
        return self.event("checkout.session.completed", obj)

    @staticmethod
    def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
        t = int(time.time()) if timestamp is None else timestamp
        mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256)
        return f"t={t},v1={mac.hexdigest()}"


class FakeMercadoPago(_Server):
    def __init__(self) -> None:
        super().__init__()
        self.preferences: dict[str, Json] = {}
        self.payments: dict[str, Json] = {}
        self.refunds: list[Json] = []

    def route(
        self, method: str, path: str, body: bytes, headers: Any, query: dict[str, str]
    ) -> tuple[int, Json]:
        if not str(headers.get("Authorization", "")).startswith("Bearer APP_USR-"):
            return 401, {"message": "invalid access token", "status": 401}
        key = headers.get("x-idempotency-key")
        data: Json = json.loads(body) if body else {}
        if method == "POST" and path == "/checkout/preferences":
            return self.idempotent(key, lambda: self._preference(data))
        if method == "GET" and path == "/users/me":
            # "GET /users/me" of the SDK (mercadopago.resources.user), answered as documented at
            # https://developers.mercadolibre.com.ar/es_ar/consulta-usuarios
            return 200, {
                "id": 123456789,
                "nickname": "LAVADERO_TEST",
                "email": "lavadero@example.com",
                "site_id": "MLA",
                "country_id": "AR",
            }
        parts = path.strip("/").split("/")
        if parts[:2] == ["v1", "payments"] and len(parts) >= 3:
            payment = self.payments.get(parts[2])
            if payment is None:
                return 404, {"message": "Payment not found", "status": 404}
            if method == "GET" and len(parts) == 3:
                return 200, payment
            if method == "POST" and parts[3:] == ["refunds"]:
                return self.idempotent(key, lambda: self._api_refund(payment, data))
        return 404, {"message": "resource not found", "status": 404}

    def page(self, method: str, path: str, query: dict[str, str]) -> Page | None:
        pref = self.preferences.get(query.get("pref_id", ""))
        if pref is None or not path.startswith("/checkout/v1/"):
            return None
        if method == "GET" and path == "/checkout/v1/redirect":
            item = pref["items"][0]
            amount = f"{item['unit_price']} {item['currency_id']}"
            return checkout_page("Mercado Pago", amount, f"/checkout/v1/pay?pref_id={pref['id']}")
        if method == "POST" and path == "/checkout/v1/pay" and self.endpoint is not None:
            payment_id = self.pay(pref["id"])
            request_id = str(uuid.uuid4())
            signature = self.sign(payment_id, request_id, self.endpoint.secret)
            sep = "&" if "?" in self.endpoint.url else "?"
            response = httpx.post(
                f"{self.endpoint.url}{sep}{urlencode({'data.id': payment_id, 'type': 'payment'})}",
                json={"action": "payment.created", "type": "payment", "data": {"id": payment_id}},
                headers={"x-signature": signature, "x-request-id": request_id},
                timeout=20,
            )
            # Checkout Pro's auto_return appends what was paid to the success URL.
            back = pref["back_urls"]["success"]
            join = "&" if "?" in back else "?"
            extra = urlencode(
                {
                    "collection_status": "approved",
                    "payment_id": payment_id,
                    "external_reference": pref["external_reference"],
                    "preference_id": pref["id"],
                }
            )
            return self.deliver(response, f"{back}{join}{extra}")
        return None

    def _preference(self, data: Json) -> tuple[int, Json]:
        n = next(self.ids)
        pref = {
            "id": f"pref-{n}",
            "init_point": f"{self.url}/checkout/v1/redirect?pref_id=pref-{n}",
            **data,
        }
        self.preferences[pref["id"]] = pref
        return 201, pref

    def _api_refund(self, payment: Json, data: Json) -> tuple[int, Json]:
        refund = self._refund(payment, Decimal(str(data.get("amount", "0"))) or None)
        self.refunds.append(refund)
        return 201, refund

    def _refund(self, payment: Json, amount: Decimal | None) -> Json:
        """A refund of ``amount`` (all that is left when ``None``); the payment stays
        ``approved`` until it is refunded in full."""
        with self.lock:
            paid = Decimal(str(payment["transaction_amount"]))
            done = Decimal(str(payment["transaction_amount_refunded"]))
            value = amount if amount is not None else paid - done
            refund = {
                "id": 900000 + next(self.ids),
                "payment_id": payment["id"],
                "amount": float(value),
                "status": "approved",
                "date_created": datetime.now(UTC).isoformat(timespec="milliseconds"),
            }
            payment["refunds"].append(refund)
            payment["transaction_amount_refunded"] = float(done + value)
            if done + value >= paid:
                payment["status"] = "refunded"
        return refund

    def outside_sale(self, amount: Decimal, currency: str) -> str:
        """A payment on the same account not made through a Turnero checkout."""
        with self.lock:
            payment_id = str(1_000_000 + next(self.ids))
            self.payments[payment_id] = {
                "id": int(payment_id),
                "status": "approved",
                "transaction_amount": float(amount),
                "currency_id": currency,
                "external_reference": None,
                "refunds": [],
                "transaction_amount_refunded": 0.0,
            }
        return payment_id

    def dashboard_refund(self, payment_id: str, amount: Decimal | None = None) -> None:
        """The business refunds ``amount`` (default: all) in MercadoPago's dashboard."""
        self._refund(self.payments[payment_id], amount)

    # -- the client paying, and MercadoPago telling the business -------------------------

    def pay(
        self, preference_id: str, amount: Decimal | None = None, status: str = "approved"
    ) -> str:
        """The client pays the preference; returns the payment id."""
        with self.lock:
            pref = self.preferences[preference_id]
            item = pref["items"][0]
            payment_id = str(1_000_000 + next(self.ids))
            self.payments[payment_id] = {
                "id": int(payment_id),
                "status": status,
                "transaction_amount": float(amount if amount is not None else item["unit_price"]),
                "currency_id": item["currency_id"],
                "external_reference": pref["external_reference"],
                "refunds": [],
                "transaction_amount_refunded": 0.0,
            }
        return payment_id

    @staticmethod
    def sign(data_id: str, request_id: str, secret: str, ts: int | None = None) -> str:
        t = int(time.time()) if ts is None else ts
        manifest = f"id:{data_id};request-id:{request_id};ts:{t};"
        mac = hmac.new(secret.encode(), manifest.encode(), hashlib.sha256).hexdigest()
        return f"ts={t},v1={mac}"
