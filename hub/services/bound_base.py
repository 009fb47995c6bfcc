"""What every group of bound commands shares: the unit-of-work factory, the clock, the busy
sources, the geocoders and the travel times the composition root binds in once.

``hub.services.bound.Services`` is the one door; the groups of commands it is made of
(``bound_bookings``, ``bound_series``, ``bound_status``, ``bound_replies``,
``bound_payments``, ``bound_history``, ``bound_domains``) each extend ``Bindings``. Not here:
any command, or any rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hub.services.account_ports import AccountsUnitOfWork
from hub.services.history_codes import CodeSender, HistoryThrottles
from hub.services.payment_ports import PaymentsUnitOfWork
from hub.services.ports import BusySource, Geocoder, TravelTimes, UnitOfWork
from hub.services.travel_times import STRAIGHT_LINE


@dataclass(frozen=True)
class Bindings:
    """One unit-of-work factory, one clock and the one list of busy sources the root
    registered (plus the geocoders and the travel-time source)."""

    new_uow: Callable[[], UnitOfWork]
    clock: Callable[[], datetime]
    busy_sources: Sequence[BusySource]
    # Locating typed addresses of at-address visits (none: the business's zones do it).
    geocoders: Sequence[Geocoder] = field(default=())
    # Driving times between clients' addresses (default: each business's straight-line model).
    travel_times: TravelTimes = STRAIGHT_LINE
    # Client history by a one-time code: its throttles, and who delivers the codes (the
    # root registers the notify connector's sender).
    history_throttles: HistoryThrottles | None = None
    code_senders: Sequence[CodeSender] = field(default=())
    # The same unit of work typed for the account use cases (users, claimed email domains).
    new_accounts_uow: Callable[[], AccountsUnitOfWork] | None = None
    # The unit of work with the payment records (deposits); none: no payment commands.
    payments_uow: Callable[[], PaymentsUnitOfWork] | None = None

    def now(self) -> datetime:
        return self.clock()

    def _uow(self, uow: UnitOfWork | None) -> UnitOfWork:
        return uow if uow is not None else self.new_uow()

    def _payments(self) -> PaymentsUnitOfWork:
        if self.payments_uow is None:
            raise RuntimeError("this hub has no payment records bound")
        return self.payments_uow()
