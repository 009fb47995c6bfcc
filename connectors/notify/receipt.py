"""The deposit receipt a message carries: what was paid (amount in the business's locale,
provider, date, the provider's payment reference) and what goes back — refunded already, due
by the refund rule on a cancellation, or kept.

Formatted once here from the ``Payment`` record; the templates word it per language. Loading
the payment and deciding which message carries it are the caller's.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from babel.dates import format_date

from connectors.notify import formatting as fmt
from hub.domain.booking import Booking, BookingStatus
from hub.domain.model import Business
from hub.domain.payments import Payment
from hub.services.refunds import refund_due

PROVIDER_NAMES = {"stripe": "Stripe", "mercadopago": "Mercado Pago"}


class RefundState(enum.StrEnum):
    NONE = "none"  # nothing refunded, nothing to refund
    BACK = "back"  # refunded, or being refunded by the refund rule (``refunded_text``)
    KEPT = "kept"  # cancelled or expired, and the refund rule keeps the deposit


@dataclass(frozen=True, slots=True)
class Receipt:
    amount_text: str  # "$2.000,00"
    provider_name: str  # "Mercado Pago"
    paid_date_text: str  # "21 nov 2026"
    reference: str  # the provider's payment id
    refund: RefundState
    refunded_text: str | None  # set when ``refund`` is BACK


def build_receipt(
    payment: Payment | None, booking: Booking, business: Business, locale: str
) -> Receipt | None:
    """The receipt of ``booking``'s paid deposit as of ``booking``'s status; ``None`` when
    nothing was paid."""
    if payment is None or not payment.paid or payment.paid_at is None:
        return None
    back = payment.refunded_minor
    refund = RefundState.BACK if back else RefundState.NONE
    if booking.status in (BookingStatus.CANCELLED, BookingStatus.EXPIRED):
        # The refund itself may still be on its way (its own consumer issues it): say what
        # the rule gives back, which is what the client will see on their statement.
        if refund_due(booking, business):
            back, refund = payment.amount_minor, RefundState.BACK
        elif not back:
            refund = RefundState.KEPT
    paid_on = fmt.local(payment.paid_at, business.timezone).date()
    return Receipt(
        amount_text=fmt.money_text(payment.amount_minor, payment.currency, locale),
        provider_name=PROVIDER_NAMES.get(payment.provider, payment.provider),
        paid_date_text=format_date(paid_on, "medium", locale=locale),
        reference=payment.provider_payment_id or payment.id,
        refund=refund,
        refunded_text=(
            fmt.money_text(back, payment.currency, locale) if refund is RefundState.BACK else None
        ),
    )
