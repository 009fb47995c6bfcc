"""Use case: a client with no link sees their bookings at a business by proving a contact
they booked with — a six-digit one-time code sent to that phone (WhatsApp) or email.

- ``request_code``: the contact as typed (phone, read as E.164 in the business's country, or
  email, compared lower-cased). When some booking at the business was made with it, a fresh
  code replaces any earlier one and is returned to be sent (``CodeSender``); otherwise
  nothing is stored or sent. Callers answer both cases alike, so the page never tells who
  is a client. Every request counts against the contact and the source address
  (``login_throttle`` with rules of its own).
- ``check_code``: the code typed for that contact. Codes are random, stored as hashes,
  expire after ``CODE_TTL``, work once and are burnt by ``MAX_ATTEMPTS`` wrong tries; wrong
  codes also count against the source address. The answer is a ``HistoryPass``, sealed
  (HMAC) into the short-lived cookie of the history page (``seal_pass``/``open_pass``).

Not here: the list itself (``hub.services.history.contact_history``), the messages
(``connectors.notify.history_code``), the page (``booking_pages.public_history``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from hub.domain.booking import Booking
from hub.domain.contacts import normalise_email
from hub.domain.errors import AuthenticationError, NotFoundError, ValidationError
from hub.domain.model import Business, Customer
from hub.services.customers import normalise_phone, phone_equivalents
from hub.services.login_throttle import FailureStore, Limit, LoginThrottle, ThrottleRules
from hub.services.ports import UnitOfWork

CODE_TTL = timedelta(minutes=10)
KEEP_EXPIRED = timedelta(days=1)  # then even the hashes of a code and its contact go
MAX_ATTEMPTS = 5
CODE_LENGTH = 6
MAX_CONTACT = 254
BOOKINGS_LIMIT = 100

# Sending: three codes to one contact from one address, then 10 minutes' wait (doubling up
# to an hour); five to one contact from anywhere; thirty from one address to any contacts.
REQUEST_RULES = ThrottleRules(
    pair=Limit(3, timedelta(minutes=10), timedelta(hours=1)),
    source=Limit(30, timedelta(minutes=10), timedelta(hours=1)),
    account=Limit(5, timedelta(minutes=10), timedelta(hours=1)),
)
# Guessing: each code takes MAX_ATTEMPTS wrong tries; these bound guesses across codes.
GUESS_RULES = ThrottleRules(
    pair=Limit(10, timedelta(minutes=1), timedelta(minutes=30)),
    source=Limit(50, timedelta(minutes=1), timedelta(hours=1)),
    account=Limit(20, timedelta(minutes=5), timedelta(hours=1)),
)


@dataclass(frozen=True, slots=True)
class ClientContact:
    """A phone (E.164) or an email (lower-cased) a client booked with."""

    kind: str  # "phone" | "email"
    value: str

    @property
    def phones(self) -> tuple[str, ...]:
        """Every way of writing the line (``phone_equivalents``); none for an email."""
        return phone_equivalents(self.value) if self.kind == "phone" else ()

    @property
    def key(self) -> str:
        """What codes and throttles are kept under: a hash, the same however a phone's line
        was written."""
        canonical = min(self.phones) if self.kind == "phone" else self.value
        return hashlib.sha256(f"{self.kind}:{canonical}".encode()).hexdigest()

    def booked(self, booking: Booking, customer: Customer) -> bool:
        """Whether ``booking`` was made with this contact (its own contact as typed, else
        its client record's)."""
        contact = booking.contact_or(customer.name, customer.phone, customer.email)
        if self.kind == "phone":
            return contact.phone is not None and contact.phone in self.phones
        return contact.email is not None and contact.email.lower() == self.value


def read_contact(raw: str, country: str | None) -> ClientContact:
    """The contact in ``raw``: an email when it has an ``@``, else a phone number.
    ``ValidationError`` (field ``contact``) for anything else."""
    text = raw.strip()
    if not text or len(text) > MAX_CONTACT:
        raise ValidationError("a phone number or an email is needed", field="contact")
    try:
        if "@" in text:
            return ClientContact("email", normalise_email(text, "contact"))
        return ClientContact("phone", normalise_phone(text, country))
    except ValidationError as exc:
        raise ValidationError(str(exc), field="contact") from exc


@dataclass(slots=True)
class HistoryCode:
    id: str
    business_id: str
    contact_key: str
    code_hash: str
    created_at: datetime
    expires_at: datetime
    attempts: int = 0
    used_at: datetime | None = None


class ClientHistoryStore(Protocol):
    """One-time codes, and the bookings a contact made."""

    def add_code(self, code: HistoryCode) -> None: ...

    def retire_codes(self, business_id: str, contact_key: str, now: datetime) -> None:
        """Every unused code of the contact stops working (a newer one replaces them)."""
        ...

    def open_code(
        self, business_id: str, contact_key: str, now: datetime, max_attempts: int
    ) -> HistoryCode | None:
        """The contact's newest code that is unused, unexpired and not burnt (locked)."""
        ...

    def save_code(self, code: HistoryCode) -> None: ...

    def forget_codes(self, expired_before: datetime) -> None:
        """Drop every code (of any business) that expired before ``expired_before``."""
        ...

    def bookings_with_contact(
        self, business_id: str, phones: Sequence[str], email: str | None, limit: int
    ) -> list[tuple[Booking, Customer]]:
        """The business's bookings (latest first) whose own contact or client record has
        one of ``phones`` or ``email`` — a superset: ``ClientContact.booked`` decides."""
        ...


class HistoryUnitOfWork(UnitOfWork, Protocol):
    client_history: ClientHistoryStore


@dataclass(frozen=True, slots=True)
class CodeMessage:
    """A code to send: to the phone by WhatsApp when the business has it set up, else (or
    when WhatsApp refuses) by email."""

    business: Business
    code: str
    minutes: int
    language: str
    phone: str | None
    email: str | None


class CodeSender(Protocol):
    """Delivers a code; True when it reached some channel."""

    def send_code(self, message: CodeMessage) -> bool: ...


@dataclass(frozen=True)
class HistoryThrottles:
    requests: LoginThrottle
    guesses: LoginThrottle

    @classmethod
    def over(cls, store: FailureStore) -> HistoryThrottles:
        return cls(
            LoginThrottle(store, REQUEST_RULES, namespace="history-request:"),
            LoginThrottle(store, GUESS_RULES, namespace="history-guess:"),
        )


def _business(uow: UnitOfWork, business_id: str) -> Business:
    with uow:
        business = uow.businesses.get(business_id)
    if business is None:
        raise NotFoundError("no such business", entity="business")
    return business


def _hash(code_id: str, code: str) -> str:
    return hashlib.sha256(f"{code_id}:{code}".encode()).hexdigest()


def contact_bookings(
    uow: HistoryUnitOfWork, business_id: str, contact: ClientContact, limit: int = BOOKINGS_LIMIT
) -> list[Booking]:
    """The business's bookings made with ``contact``, latest first."""
    email = contact.value if contact.kind == "email" else None
    with uow:
        found = uow.client_history.bookings_with_contact(business_id, contact.phones, email, limit)
    return [b for b, c in found if b.business_id == business_id and contact.booked(b, c)]


def request_code(
    uow: HistoryUnitOfWork,
    throttles: HistoryThrottles,
    business_id: str,
    raw_contact: str,
    *,
    source: str,
    language: str,
    now: datetime,
) -> CodeMessage | None:
    """A new code for the contact in ``raw_contact``, or None when no booking at the
    business was made with it. ``ValidationError`` for a contact that is neither phone nor
    email, ``TooManyAttemptsError`` when the contact or ``source`` must wait."""
    business = _business(uow, business_id)
    contact = read_contact(raw_contact, business.country)
    login = f"{business.id}/{contact.key}"
    throttles.requests.check(source, login, now)
    throttles.requests.failed(source, login, now)  # every request counts, answered or not
    found = contact_bookings(uow, business.id, contact)
    if not found:
        return None
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))
    code_id = str(uuid.uuid4())
    with uow:
        uow.client_history.forget_codes(now - KEEP_EXPIRED)
        uow.client_history.retire_codes(business.id, contact.key, now)
        uow.client_history.add_code(
            HistoryCode(
                code_id, business.id, contact.key, _hash(code_id, code), now, now + CODE_TTL
            )
        )
        uow.commit()
    phone: str | None
    email: str | None
    if contact.kind == "email":
        phone, email = None, contact.value
    else:  # the email of their latest booking, for when WhatsApp cannot take the code
        phone = contact.value
        email = next((b.contact.email for b in found if b.contact and b.contact.email), None)
    minutes = int(CODE_TTL.total_seconds() // 60)
    return CodeMessage(business, code, minutes, language, phone, email)


def check_code(
    uow: HistoryUnitOfWork,
    throttles: HistoryThrottles,
    business_id: str,
    raw_contact: str,
    code: str,
    *,
    source: str,
    now: datetime,
) -> ClientContact:
    """The contact, once ``code`` is its current code. ``AuthenticationError`` for a wrong,
    expired, used or burnt code alike (and for a contact that never got one)."""
    business = _business(uow, business_id)
    contact = read_contact(raw_contact, business.country)
    code = code.strip().replace(" ", "")
    if len(code) != CODE_LENGTH or not code.isascii() or not code.isdigit():
        raise ValidationError(f"the code has {CODE_LENGTH} digits", field="code")
    login = f"{business.id}/{contact.key}"
    throttles.guesses.check(source, login, now)
    with uow:
        found = uow.client_history.open_code(business.id, contact.key, now, MAX_ATTEMPTS)
        right = found is not None and hmac.compare_digest(found.code_hash, _hash(found.id, code))
        if found is not None:
            if right:
                found.used_at = now
            else:
                found.attempts += 1
            uow.client_history.save_code(found)
            uow.commit()
    if not right:
        throttles.guesses.failed(source, login, now)
        raise AuthenticationError("the code is wrong or no longer valid")
    throttles.guesses.succeeded(source, login, now)
    return contact
