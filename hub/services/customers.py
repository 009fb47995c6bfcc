"""Customers: no account, identified per business by phone (E.164) or email.

``find_or_create_customer`` is called by booking use cases inside their unit of work; the
setup CRUD for customers is in ``hub.services.setup``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import phonenumbers

from hub.domain.booking import Invitee
from hub.domain.contacts import Contact, normalise_email
from hub.domain.errors import ValidationError
from hub.domain.model import Business, Customer
from hub.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class CustomerDetails:
    """Who books, as typed on a page, the console or an API call."""

    name: str
    phone: str | None = None
    email: str | None = None
    address: str | None = None


def normalise_phone(raw: str, country: str | None) -> str:
    """``raw`` in E.164 (``+5491123456789``), read with ``country`` as the default region."""
    try:
        number = phonenumbers.parse(raw, (country or "").upper() or None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(f"{raw!r} is not a phone number", field="phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(f"{raw!r} is not a phone number", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Argentina and Mexico dial mobiles with a prefix that is not part of the subscriber's
# number: "+54 9 11 2345 6789" and "+54 11 2345 6789" are the same line (and WhatsApp
# writes from the first while clients often type the second); so are "+52 1 …" and "+52 …".
_MOBILE_PREFIXES = (("+54", "9"), ("+52", "1"))


def phone_equivalents(number: str) -> tuple[str, ...]:
    """``number`` (E.164) and the other way of writing the same line, if it has one."""
    for country, mobile in _MOBILE_PREFIXES:
        if number.startswith(country + mobile):
            return number, country + number[len(country) + 1 :]
        if number.startswith(country):
            return number, country + mobile + number[len(country) :]
    return (number,)


def whatsapp_number(number: str) -> str:
    """The form of ``number`` (E.164) that WhatsApp knows the line by: Argentine mobiles
    with the 9 (``+54 9 11 …``), as WhatsApp itself writes them."""
    if number.startswith("+54") and not number.startswith("+549"):
        return "+549" + number[3:]
    return number


def find_by_phone(uow: UnitOfWork, business_id: str, number: str) -> Customer | None:
    """The business's customer with ``number`` (E.164), however the line was written."""
    for candidate in phone_equivalents(number):
        found = uow.customers.find_by_phone(business_id, candidate)
        if found is not None:
            return found
    return None


@dataclass(frozen=True, slots=True)
class InviteeDetails:
    """Someone to invite, as typed: an address and, optionally, how to call them."""

    email: str
    name: str = ""


def clean_invitees(invitees: Sequence[str | InviteeDetails]) -> tuple[InviteeDetails, ...]:
    """Invitees with normalised addresses, each address once (the first name given for it
    wins), in order; ``invitees`` names the field of any error."""
    found: dict[str, InviteeDetails] = {}
    for item in invitees:
        given = item if isinstance(item, InviteeDetails) else InviteeDetails(item)
        email = normalise_email(given.email, "invitees")
        name = " ".join(given.name.split())
        if not name.isprintable() or len(name) > 200:
            raise ValidationError("an invitee's name is one line of text", field="invitees")
        if email not in found or (name and not found[email].name):
            found[email] = InviteeDetails(email, name)
    return tuple(found.values())


def merge_invitees(
    current: tuple[Invitee, ...], wanted: Sequence[InviteeDetails]
) -> tuple[Invitee, ...]:
    """The invitees after an edit to ``wanted``: those already invited keep their link and
    answer (and take a new name if one is given); new ones get a link of their own."""
    by_email = {i.email: i for i in current}
    merged = []
    for details in wanted:
        kept = by_email.get(details.email)
        if kept is None:
            merged.append(Invitee(details.email, details.name))
        else:
            merged.append(replace(kept, name=details.name or kept.name))
    return tuple(merged)


def clean_details(details: CustomerDetails, business: Business) -> CustomerDetails:
    """Validated, normalised details (nothing is written)."""
    name = details.name.strip()
    phone = details.phone.strip() if details.phone else None
    email = details.email.strip() if details.email else None
    if not name:
        raise ValidationError("the customer needs a name", field="name")
    if not phone and not email:
        raise ValidationError("a phone number or an email is needed", field="phone")
    return CustomerDetails(
        name=name,
        phone=normalise_phone(phone, business.country) if phone else None,
        email=normalise_email(email) if email else None,
        address=(details.address or "").strip() or None,
    )


def find_or_create_customer(
    uow: UnitOfWork, business: Business, details: CustomerDetails
) -> Customer:
    """The business's customer with this phone (else this email), created if new; a phone
    matches the same line written another way (``phone_equivalents``). Missing
    contact data on a known customer is filled in; a different name does not rename them."""
    return match_customer(uow, business, clean_details(details, business))


def contact_of(clean: CustomerDetails) -> Contact:
    """The contact a booking keeps from details as typed (already ``clean_details``)."""
    return Contact(clean.name, clean.phone, clean.email)


def match_customer(uow: UnitOfWork, business: Business, clean: CustomerDetails) -> Customer:
    """``find_or_create_customer`` for details already through ``clean_details``."""
    found = None
    if clean.phone:
        found = find_by_phone(uow, business.id, clean.phone)
    if found is None and clean.email:
        found = uow.customers.find_by_email(business.id, clean.email)
    if found is None:
        customer = Customer(business.id, clean.name, clean.phone, clean.email, clean.address)
        uow.customers.add(customer)
        return customer
    changed = False
    for name in ("phone", "email", "address"):
        if getattr(found, name) is None and getattr(clean, name) is not None:
            setattr(found, name, getattr(clean, name))
            changed = True
    if changed:
        uow.customers.update(found)
    return found
