"""Bound commands of a business's email domains and "Login with Google": claim a domain
(verified by an emailed one-time link), resend, verify, unclaim, list, and sign a Google
user in when their verified email is on a verified domain. Each runs at the root's clock on
the unit of work typed for the account use cases.

Part of the one door, ``hub.services.bound.Services``. Not here: the rules
(``hub.services.email_domains``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hub.domain.accounts import User
from hub.domain.booking import Channel
from hub.domain.email_domains import EmailDomain
from hub.services import email_domains
from hub.services.account_ports import AccountsUnitOfWork
from hub.services.bound_base import Bindings
from hub.services.email_domains import DomainVerification


class DomainCommands(Bindings):
    def _accounts(self) -> AccountsUnitOfWork:
        if self.new_accounts_uow is None:
            raise RuntimeError("no accounts unit of work was bound")
        return self.new_accounts_uow()

    def claim_email_domain(
        self, business_id: str, domain: str, address: str, *, by: str | None, channel: Channel
    ) -> DomainVerification:
        return email_domains.claim_domain(
            self._accounts(), business_id, domain, address, by=by, now=self.clock(), channel=channel
        )

    def resend_domain_verification(
        self, business_id: str, domain: str, *, by: str | None, channel: Channel
    ) -> DomainVerification:
        return email_domains.resend_verification(
            self._accounts(), business_id, domain, by=by, now=self.clock(), channel=channel
        )

    def verify_email_domain(self, token: str) -> EmailDomain:
        return email_domains.verify_domain(self._accounts(), token, self.clock())

    def unclaim_email_domain(
        self, business_id: str, domain: str, *, by: str | None, channel: Channel
    ) -> EmailDomain:
        return email_domains.unclaim_domain(
            self._accounts(), business_id, domain, by=by, now=self.clock(), channel=channel
        )

    def email_domains(self, business_id: str) -> Sequence[EmailDomain]:
        return email_domains.list_domains(self._accounts(), business_id)

    def verified_email_domains(self) -> Mapping[str, list[str]]:
        return email_domains.verified_domains(self._accounts())

    def sign_in_with_google(self, email: str, *, email_verified: bool) -> User | None:
        return email_domains.sign_in_with_google(
            self._accounts(), email, email_verified=email_verified, now=self.clock()
        )
