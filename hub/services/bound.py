"""The use cases with their dependencies bound once: ``Services(uow, clock, busy_sources)``.

The composition root (``hub.bootstrap.build_hub``) builds one and every entry point calls
commands on it (``hub.core.create_booking(request, by=CLIENT)``). An entry point names what
the caller asked for and who asked; the clock, the unit of work and which busy time counts
are the root's, so no entry point can book past a busy source it forgot or at a time of its
own (cosmicpython's ``bootstrap`` injecting dependencies into handlers is the model).

A caller that holds a unit of work open (to read the answer in the same transaction) may
hand it in as ``uow=``; the use case joins it.

``Services`` is the one door; its commands are grouped by verb in the modules it is made of:
``bound_bookings`` (availability, create, reschedule, reassign, edit, day route),
``bound_series`` (recurring series), ``bound_status`` (confirm, start, complete, no-show,
cancel, check in, the system's sweeps), ``bound_replies`` (clients' and invitees' answers),
``bound_payments`` (deposits and refunds), ``bound_history`` (a client's history by a
one-time code) and ``bound_domains`` (claimed email domains, Google sign-in); what they
share is ``bound_base.Bindings``. Not here: the rules (the use-case modules).
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.services.bound_bookings import BookingCommands
from hub.services.bound_domains import DomainCommands
from hub.services.bound_history import HistoryCommands
from hub.services.bound_payments import PaymentCommands
from hub.services.bound_replies import ReplyCommands
from hub.services.bound_series import SeriesCommands
from hub.services.bound_status import StatusCommands


@dataclass(frozen=True)
class Services(
    BookingCommands,
    SeriesCommands,
    StatusCommands,
    ReplyCommands,
    PaymentCommands,
    HistoryCommands,
    DomainCommands,
):
    """The booking use cases that depend on time and busy time, bound to one unit-of-work
    factory, one clock and the one list of busy sources the root registered."""
