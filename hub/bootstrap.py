"""The one place where adapters are wired to the use cases: ``build_hub(settings) → Hub``.

Building a hub connects to nothing (engines connect lazily). Entry points — the ASGI app, the
CLI, the scheduler, tests — build one hub and pass it down; other packages add what they own
to it at wiring time (busy sources, after-commit hooks) instead of reaching for globals.
"""

from __future__ import annotations

from collections.abc import Callable

from hub.api.ratelimit import Rate, TokenBucket
from hub.config import Settings
from hub.domain.model import Business
from hub.persistence.uow import SqlDatabase
from hub.process import Clock, Hub, system_clock
from hub.secret_key import with_secret_key
from hub.services.email_domains import DomainVerification
from hub.services.password_links import PasswordLink

__all__ = ["Clock", "Hub", "build_hub", "system_clock"]


def build_hub(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    public_write_rate: Rate | None = None,
) -> Hub:
    """Wire a hub for ``settings``. Nothing connects until first use. Raises
    ``ConfigurationError`` when there is no usable secret key (``hub.secret_key``)."""
    from caldav_server.personal_busy import PersonalBusySource
    from connectors.notify.history_code import HistoryCodeSender
    from connectors.routing.engines import travel_times_from

    settings = with_secret_key(settings)
    database = SqlDatabase(settings.database_url)
    hub = Hub(
        settings=settings,
        database=database,
        clock=clock,
        public_writes=TokenBucket(public_write_rate or Rate()),
        # Personal calendars are busy time in every process (web, worker, CLI), not only in
        # those that mount /dav.
        busy_sources=[PersonalBusySource(database)],
        # Availability, booking checks and the day's route all drive by the same source.
        travel_times=travel_times_from(
            settings.routing, url=settings.routing_url, key=settings.routing_key
        ),
    )
    hub.mail_password_link = _password_mail(hub)
    hub.code_senders.append(HistoryCodeSender(settings))  # client history's one-time codes
    hub.mail_domain_link = _domain_mail(hub)
    return hub


def _password_mail(hub: Hub) -> Callable[[PasswordLink, Business], None]:
    def send(link: PasswordLink, business: Business) -> None:
        from booking_pages.console_passwords import mail_link

        mail_link(hub, link, business)

    return send


def _domain_mail(hub: Hub) -> Callable[[DomainVerification, Business], None]:
    def send(verification: DomainVerification, business: Business) -> None:
        from booking_pages.console_domains import mail_verification

        mail_verification(hub, verification, business)

    return send
