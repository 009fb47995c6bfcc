"""Bound commands of deposits: start a checkout, record what the provider reports (paid,
declined, refunds), refund by policy, and read a booking's payment. Each runs at the root's
clock on the unit of work with the payment records; providers are handed in by the caller
(the business's account, chosen by ``connectors.payments``).

Part of the one door, ``hub.services.bound.Services``. Not here: the rules (``payments``,
``refunds``), the providers and their webhooks (``connectors.payments``).
"""

from __future__ import annotations

from hub.domain.payments import Payment, Refund
from hub.services import payments, refunds
from hub.services.bound_base import Bindings
from hub.services.payment_ports import PaymentProvider, ProviderPayment
from hub.services.payments import PaidOutcome, PaidReport


class PaymentCommands(Bindings):
    def start_deposit(
        self,
        provider: PaymentProvider,
        token: str,
        *,
        success_url: str,
        cancel_url: str,
        notification_url: str | None = None,
    ) -> Payment:
        """The deposit checkout of the pending booking with manage token ``token``."""
        return payments.start_deposit(
            self._payments(),
            provider,
            token,
            success_url=success_url,
            cancel_url=cancel_url,
            now=self.clock(),
            notification_url=notification_url,
        )

    def record_paid(self, report: PaidReport) -> PaidOutcome:
        """A verified paid deposit: recorded once, and the booking moved on."""
        return payments.record_paid(self._payments(), report, now=self.clock())

    def record_failed(self, business_id: str, booking_id: str) -> None:
        payments.record_failed(self._payments(), business_id, booking_id, now=self.clock())

    def refund_deposit(
        self, provider: PaymentProvider, business_id: str, booking_id: str, *, reason: str = ""
    ) -> Payment | None:
        """Refund the booking's paid deposit if the business's policy says so."""
        return refunds.refund_deposit(
            self._payments(), provider, business_id, booking_id, now=self.clock(), reason=reason
        )

    def record_provider_refunds(
        self, business_id: str, provider: str, reported: ProviderPayment
    ) -> tuple[Refund, ...]:
        """The refunds the provider reports that were not recorded yet."""
        return refunds.record_provider_refunds(
            self._payments(), business_id, provider, reported, now=self.clock()
        )

    def find_provider_payment(
        self, business_id: str, provider: str, provider_payment_id: str
    ) -> Payment | None:
        return payments.find_provider_payment(
            self._payments(), business_id, provider, provider_payment_id
        )

    def get_payment(self, business_id: str, booking_id: str) -> Payment | None:
        return payments.get_payment(self._payments(), business_id, booking_id)
