""" "Login with Google" finds or creates the user by tenant: the admin claims the business's
email domain in the console (Setup ▸ Dominios), the link emailed to an address there verifies
it, and a Google account whose verified email is on that domain signs in as a new employee
the first time — once; any other unknown account is still refused."""

from __future__ import annotations

import dataclasses
import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from booking_pages.console_auth import SESSION_COOKIE
from hub.domain.accounts import JOINED_VIA_GOOGLE_DOMAIN, Role, User
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.persistence.accounts import UserRow
from hub.services import accounts, platform
from tests.google.conftest import World
from tests.google.site import PASSWORD, Browsers
from tests.pages.helpers import csrf_of, text_of

DOMAIN = "estudio-acme.com.ar"
LINK = re.compile(r"/console/domains/verify/([A-Za-z0-9_\-]+)")


@pytest.fixture
def mail_dir(site: tuple[World, str], tmp_path: Path) -> Path:
    world, _ = site
    folder = tmp_path / "domain-mail"
    world.hub.settings = dataclasses.replace(world.hub.settings, mail_dir=folder)
    return folder


def _link_in_mail(mail_dir: Path, to: str) -> str:
    for path in sorted(mail_dir.glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if message["To"] == to:
            found = LINK.search(message.get_content())
            assert found is not None
            return found.group(0)
    raise AssertionError(f"no mail to {to}")


def _claim_in_console(browsers: Browsers, world: World, mail_dir: Path) -> httpx.Client:
    """The admin claims the domain and someone at it opens the emailed link."""
    admin = browsers.signed_in(world.admin.email)
    page = admin.get("/console/domains")
    assert page.status_code == 200
    sent = admin.post(
        "/console/domains",
        data={"csrf_token": csrf_of(page.text), "domain": DOMAIN, "address": f"it@{DOMAIN}"},
    )
    assert sent.status_code == 303, sent.text
    listed = text_of(admin.get("/console/domains").text)
    assert DOMAIN in listed and f"sin verificar: enlace enviado a it@{DOMAIN}" in listed
    link = _link_in_mail(mail_dir, f"it@{DOMAIN}")
    mailbox = browsers.new()
    ask = mailbox.get(link)
    done = mailbox.post(link, data={"csrf_token": csrf_of(ask.text)})
    assert done.status_code == 200 and "Dominio verificado" in text_of(done.text)
    assert "verificado" in text_of(admin.get("/console/domains").text)
    return admin


def _google_login(browsers: Browsers, email: str) -> httpx.Response:
    browser = browsers.new()
    start = browser.get("/console/login/google")
    assert start.status_code == 303
    consent = httpx.get(start.headers["location"] + "&login_hint=" + email, timeout=30)
    return browser.get(consent.headers["location"])


def _users(world: World, email: str) -> list[User]:
    with world.hub.accounts_uow() as uow:
        found = uow.users.get_by_email(email)
    return [] if found is None else [found]


def _user_count(world: World) -> int:
    with world.hub.database.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)


def test_google_login_on_a_claimed_domain_creates_an_employee_once(
    site: tuple[World, str], browsers: Browsers, mail_dir: Path
) -> None:
    world, _ = site
    admin = _claim_in_console(browsers, world, mail_dir)
    newcomer = f"lucia@{DOMAIN}"

    first = _google_login(browsers, newcomer)
    assert first.status_code == 303, first.text
    assert SESSION_COOKIE in first.cookies
    (user,) = _users(world, newcomer)
    assert user.business_id == world.business.id
    assert user.role is Role.EMPLOYEE and user.resource_ids == ()
    assert user.joined_via == JOINED_VIA_GOOGLE_DOMAIN and user.password_hash is None
    count = _user_count(world)

    again = _google_login(browsers, newcomer)
    assert again.status_code == 303
    assert _users(world, newcomer)[0].id == user.id
    assert _user_count(world) == count

    # The admin sees them as new via Google, and can promote and link them.
    staff = text_of(admin.get("/console/staff").text)
    assert newcomer in staff and "nuevo por Google" in staff
    page = admin.get("/console/staff")
    changed = admin.post(
        f"/console/staff/{user.id}",
        data={
            "csrf_token": csrf_of(page.text),
            "role": "business_admin",
            f"resource:{world.juan.resource.id}": "1",
        },
    )
    assert changed.status_code == 303
    promoted = _users(world, newcomer)[0]
    assert promoted.role is Role.BUSINESS_ADMIN
    assert promoted.resource_ids == (world.juan.resource.id,)


def test_unverified_emails_other_domains_and_pending_claims_are_refused(
    site: tuple[World, str], browsers: Browsers, mail_dir: Path
) -> None:
    world, _ = site
    count = _user_count(world)
    # Pending (the link not opened yet): nobody joins.
    world.hub.core.claim_email_domain(
        world.business.id, DOMAIN, f"it@{DOMAIN}", by=None, channel=Channel.CLI
    )
    pending = _google_login(browsers, f"pedro@{DOMAIN}")
    assert pending.status_code == 403
    assert "no es de nadie del personal" in text_of(pending.text)

    _claim_in_console(browsers, world, mail_dir)
    world.google.unverified.add(f"mallory@{DOMAIN}")
    unverified = _google_login(browsers, f"mallory@{DOMAIN}")
    assert unverified.status_code == 403
    assert SESSION_COOKIE not in unverified.cookies
    # Only the exact domain counts: not a subdomain, not a look-alike.
    for stranger in (f"ana@ventas.{DOMAIN}", "ana@estudio-acme.com", "ana@example.com"):
        refused = _google_login(browsers, stranger)
        assert refused.status_code == 403, stranger
        assert SESSION_COOKIE not in refused.cookies
    assert _user_count(world) == count


def test_a_removed_domain_or_person_and_a_suspended_business_let_nobody_in(
    site: tuple[World, str], browsers: Browsers, mail_dir: Path
) -> None:
    world, _ = site
    admin = _claim_in_console(browsers, world, mail_dir)
    assert _google_login(browsers, f"lucia@{DOMAIN}").status_code == 303
    (lucia,) = _users(world, f"lucia@{DOMAIN}")

    # Removed from the staff: the domain does not bring her back.
    accounts.deactivate_user(
        world.hub.accounts_uow(),
        world.business.id,
        lucia.id,
        by=world.admin.id,
        now=world.hub.now(),
    )
    assert _google_login(browsers, f"lucia@{DOMAIN}").status_code == 403
    assert _users(world, f"lucia@{DOMAIN}")[0].active is False

    # Suspended: neither newcomers nor known staff get in.
    by = ChangedBy(Actor.OPERATOR, Channel.CLI)
    platform.suspend_business(world.hub.uow(), world.business.id, by=by, now=world.hub.now())
    suspended = _google_login(browsers, f"tomas@{DOMAIN}")
    assert suspended.status_code == 403 and "suspendido" in text_of(suspended.text)
    assert _google_login(browsers, world.maria.email).status_code == 403
    assert _users(world, f"tomas@{DOMAIN}") == []
    platform.reactivate_business(world.hub.uow(), world.business.id, by=by, now=world.hub.now())

    # Removed domain: newcomers are refused again.
    page = admin.get("/console/domains")
    removed = admin.post(
        f"/console/domains/{DOMAIN}/remove", data={"csrf_token": csrf_of(page.text)}
    )
    assert removed.status_code == 303
    assert _google_login(browsers, f"tomas@{DOMAIN}").status_code == 403
    assert _users(world, f"tomas@{DOMAIN}") == []


def test_public_domains_are_refused_in_the_console_and_the_platform_lists_verified_ones(
    site: tuple[World, str], browsers: Browsers, mail_dir: Path
) -> None:
    world, _ = site
    admin = browsers.signed_in(world.admin.email)
    page = admin.get("/console/domains")
    refused = admin.post(
        "/console/domains",
        data={"csrf_token": csrf_of(page.text), "domain": "gmail.com", "address": "yo@gmail.com"},
    )
    assert refused.status_code == 422
    assert "proveedor de email público" in text_of(refused.text)
    assert list(mail_dir.glob("*.eml")) == []
    # Employees do not see the page.
    assert browsers.signed_in(world.maria.email).get("/console/domains").status_code == 404

    _claim_in_console(browsers, world, mail_dir)
    accounts.create_user(
        world.hub.accounts_uow(),
        business_id=None,
        email="root@turnero.example",
        role=Role.PLATFORM_ADMIN,
        password=PASSWORD,
        now=world.hub.now(),
    )
    operator = browsers.signed_in("root@turnero.example")
    listing = operator.get("/console/platform")
    assert listing.status_code == 200
    assert DOMAIN in text_of(listing.text)
