"""The payments connector in one process: which provider a business uses
(``provider_for``), the routes mounted at ``/connectors/payments`` (``routes``) and the
``payments`` outbox consumer that refunds deposits by policy (``install_payments``).

A business connects a provider from the console or the API (``connectors.payments.setup``,
stored by ``hub.services.payment_settings`` in ``Business.settings["payments"]``: the chosen
``provider`` and each provider's sealed credentials); a service's deposit rule may name the
provider. A provider the business switched away from keeps refunding, and hearing the
webhooks of, the deposits paid through it. API roots come from ``Settings``
(``stripe_api_base``, ``mercadopago_api_base``). Webhook URLs carry the business:
``/connectors/payments/stripe/webhook?business=<id>``.

Routes:
- ``GET /pay/{token}``: the booking's deposit checkout (created once), reached through a short
  page that forwards the browser to the provider (below); back to the manage page (303) when
  there is nothing (more) to pay or no provider is connected.
- ``POST /stripe/webhook``, ``POST /mercadopago/webhook``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from html import escape
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from connectors.payments import setup
from connectors.payments.mercadopago import webhook as mp_webhook
from connectors.payments.mercadopago.provider import MercadoPagoProvider
from connectors.payments.stripe import webhook as stripe_webhook
from connectors.payments.stripe.provider import StripeProvider
from hub.config import Settings
from hub.domain.errors import DomainError
from hub.domain.model import Business, OutboxEvent, Service
from hub.process import Hub
from hub.services.payment_ports import PaymentProvider, PaymentProviderError
from scheduler.consumers import ConsumerRegistry, DeliveryContext, LogEntry, LogStatus

log = logging.getLogger(__name__)

CONSUMER = "payments"
REFUND_TRIGGERS = frozenset({"booking.cancelled", "booking.expired", "payment.succeeded"})


FORWARD_TEXT = {
    "es": ("Te llevamos a pagar la seña…", "Ir a pagar"),
    "en": ("Taking you to pay the deposit…", "Go to payment"),
}


def forward_page(url: str, language: str) -> HTMLResponse:
    """A page that sends the browser on to the provider's checkout.

    The booking form posts to our origin under ``form-action 'self'``, and browsers apply
    that directive to every redirect that follows a form submission (CSP3 §6.3.1.2
    "form-action"), so a 303 chain from the form to the provider would be blocked. A fresh
    navigation from this page is not a form submission; it works without JavaScript too."""
    heading, link = FORWARD_TEXT.get(language.split("-", maxsplit=1)[0].lower(), FORWARD_TEXT["en"])
    target = escape(url, quote=True)
    html = (
        f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="refresh" content="0; url={target}"><title>{heading}</title>'
        f'</head><body><main><p>{heading}</p><p><a id="checkout" href="{target}">{link}</a>'
        "</p></main></body></html>"
    )
    return HTMLResponse(
        html,
        headers={
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        },
    )


def credentials_of(settings: Settings, business: Business, name: str) -> dict[str, str]:
    """``name``'s credentials for ``business`` in the clear ("" when unset)."""
    return setup.credentials(settings, business, name)


def provider_for(
    settings: Settings, business: Business, name: str | None = None, *, any_connected: bool = False
) -> PaymentProvider | None:
    """The provider ``name`` (default: the one the business chose) with the business's keys,
    or ``None`` when it is not connected. New checkouts go only through the chosen provider;
    ``any_connected`` also gives one the business switched away from whose keys are still
    stored (refunds of deposits paid through it)."""
    active = setup.chosen(business)
    wanted = name or active
    if not wanted or (wanted != active and not any_connected):
        return None
    conf = credentials_of(settings, business, wanted)
    if wanted == "stripe" and conf.get("secret_key"):
        return StripeProvider(conf["secret_key"], api_base=settings.stripe_api_base)
    if wanted == "mercadopago" and conf.get("access_token"):
        return MercadoPagoProvider(conf["access_token"], api_base=settings.mercadopago_api_base)
    return None


def routes(hub: Hub) -> list[Route]:
    base = hub.settings.base_url

    def pay(token: str) -> tuple[str, str]:
        """Where the client goes (empty: no such booking), and the business's language."""
        manage = f"{base}/book/manage/{token}"
        with hub.uow() as uow:
            booking = uow.bookings.get_by_token(token)
            if booking is None:
                return "", ""
            business = uow.businesses.get(booking.business_id)
            service = uow.services.get(booking.business_id, booking.service_id)
        if business is None or service is None:
            return "", ""
        return _checkout_url(token, manage, business, service), business.language

    def _checkout_url(token: str, manage: str, business: Business, service: Service) -> str:
        provider = provider_for(hub.settings, business, service.deposit_rule(business).provider)
        if provider is None:
            log.warning("business %s asks for a deposit but has no provider", business.id)
            return manage
        hook = f"{base}/connectors/payments/{provider.name}/webhook?business={business.id}"
        try:
            payment = hub.core.start_deposit(
                provider,
                token,
                success_url=f"{manage}?new=1&paid=1",
                cancel_url=manage,
                notification_url=hook,
            )
        except DomainError:
            return manage  # nothing to pay any more: the page says why
        except PaymentProviderError as exc:
            log.warning("deposit checkout of business %s failed: %s", business.id, exc)
            return f"{manage}?done=payment_unavailable"
        if payment.paid or not payment.checkout_url:
            return manage
        return payment.checkout_url

    async def pay_route(request: Request) -> Response:
        target, language = await run_in_threadpool(pay, request.path_params["token"])
        if not target:
            return JSONResponse({"error": "not_found"}, status_code=404)
        if target.startswith(f"{base}/"):
            return RedirectResponse(target, status_code=303)
        return forward_page(target, language)

    def business_of(request: Request, name: str) -> tuple[Business, dict[str, str]] | None:
        """The business named in the URL and ``name``'s credentials there: a provider the
        business switched away from keeps its webhooks (its paid deposits still change)."""
        business_id = request.query_params.get("business", "")
        with hub.uow() as uow:
            business = uow.businesses.get(business_id) if business_id else None
        if business is None:
            return None
        return business, credentials_of(hub.settings, business, name)

    async def stripe_route(request: Request) -> Response:
        payload = await request.body()
        found = await run_in_threadpool(business_of, request, "stripe")
        conf = found[1] if found else {}
        if found is None or not conf.get("secret_key") or not conf.get("webhook_secret"):
            return JSONResponse({"error": "unknown_business"}, status_code=404)
        provider = StripeProvider(conf.get("secret_key", ""), api_base=hub.settings.stripe_api_base)
        status, code = await run_in_threadpool(
            lambda: stripe_webhook.handle_event(
                hub.core,
                provider,
                business_id=found[0].id,
                payload=payload,
                signature=request.headers.get("stripe-signature"),
                secret=conf["webhook_secret"],
            )
        )
        return JSONResponse({"result": code}, status_code=status)

    async def mercadopago_route(request: Request) -> Response:
        body: dict[str, Any] = {}
        raw = await request.body()
        if raw:
            try:
                parsed = await request.json()
            except ValueError:
                parsed = None
            body = parsed if isinstance(parsed, dict) else {}
        found = await run_in_threadpool(business_of, request, "mercadopago")
        conf = found[1] if found else {}
        token = conf.get("access_token")
        if found is None or not token:
            return JSONResponse({"error": "unknown_business"}, status_code=404)
        if not conf.get("webhook_secret"):
            return JSONResponse({"error": "unknown_business"}, status_code=404)
        provider = MercadoPagoProvider(token, api_base=hub.settings.mercadopago_api_base)
        data: dict[str, Any] = body["data"] if isinstance(body.get("data"), dict) else {}
        query = request.query_params
        status, code = await run_in_threadpool(
            lambda: mp_webhook.handle_notification(
                hub.core,
                provider,
                business_id=found[0].id,
                data_id=query.get("data.id") or (str(data["id"]) if data.get("id") else None),
                topic=query.get("type") or query.get("topic") or body.get("type"),
                signature=request.headers.get("x-signature"),
                request_id=request.headers.get("x-request-id"),
                secret=conf["webhook_secret"],
            )
        )
        return JSONResponse({"result": code}, status_code=status)

    return [
        Route("/pay/{token}", pay_route, methods=["GET"], name="payments-pay"),
        Route("/stripe/webhook", stripe_route, methods=["POST"], name="payments-stripe"),
        Route("/mercadopago/webhook", mercadopago_route, methods=["POST"], name="payments-mp"),
    ]


class RefundConsumer:
    """Refunds a paid deposit when its booking is cancelled (by policy), or when the
    payment landed after the booking stopped waiting. Retried by the dispatcher; the
    provider's idempotency key keeps a retry from refunding twice."""

    name = CONSUMER

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def handles(self, event: OutboxEvent) -> bool:
        return event.type in REFUND_TRIGGERS

    def deliver(self, event: OutboxEvent, ctx: DeliveryContext) -> Sequence[LogEntry]:
        booking_id = str(event.payload.get("booking_id") or event.aggregate_id)
        with self.hub.uow() as uow:
            business = uow.businesses.get(event.business_id)
        payment = self.hub.core.get_payment(event.business_id, booking_id)
        if business is None or payment is None or not payment.paid:
            return []
        provider = provider_for(self.hub.settings, business, payment.provider, any_connected=True)
        if provider is None:
            return [
                LogEntry("payment", "refund", LogStatus.SKIPPED, payment.provider, "no provider")
            ]
        refunded = self.hub.core.refund_deposit(
            provider, event.business_id, booking_id, reason=event.type
        )
        if refunded is None:
            return []
        return [LogEntry("payment", "refund", LogStatus.SENT, payment.provider)]


def install_payments(hub: Hub, registry: ConsumerRegistry) -> RefundConsumer:
    consumer = RefundConsumer(hub)
    registry.register_consumer(consumer.name, consumer.handles, consumer.deliver)
    return consumer
