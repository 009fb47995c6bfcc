"""The admins of a business hear once, by email in its language, that the month's booking
quota was reached; employees and other businesses' admins do not, and a retry does not
email anyone twice."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from sqlalchemy import select

from connectors.notify.mailers import DirectoryMailer
from connectors.notify.plan_notice import QuotaNotice
from hub.config import Settings
from hub.domain.accounts import Role
from hub.domain.model import Business
from hub.persistence.convert import outbox_from_row
from hub.persistence.models import OutboxRow
from hub.services import accounts, platform
from hub.services.plans import QUOTA_EVENT
from scheduler.consumers import DeliveryContext, LogEntry
from tests.services.conftest import NOW, OPERATOR, World, make_world


def test_the_admins_get_one_email_in_the_business_language(sqlite_url: str, tmp_path: Path) -> None:
    world: World = make_world(sqlite_url)
    other = Business(slug="otro", name="Otro", timezone="UTC", currency="USD", language="en")
    with world.uow() as uow:
        uow.businesses.add(other)
        uow.commit()
    for email, role, business_id in (
        ("duenia@lavadero.test", Role.BUSINESS_ADMIN, world.business.id),
        ("empleado@lavadero.test", Role.EMPLOYEE, world.business.id),
        ("admin@otro.test", Role.BUSINESS_ADMIN, other.id),
    ):
        accounts.create_user(world.uow(), business_id=business_id, email=email, role=role, now=NOW)
    platform.set_quota(world.uow(), world.business.id, 0, by=OPERATOR, now=NOW)
    with world.db.sessions() as session:
        rows = session.execute(select(OutboxRow).where(OutboxRow.type == QUOTA_EVENT)).scalars()
        (event,) = [outbox_from_row(r) for r in rows]
    mail_dir = tmp_path / "mail"
    notice = QuotaNotice(world.db, Settings(), DirectoryMailer(mail_dir))
    sent: list[LogEntry] = []
    ctx = DeliveryContext(
        delivery_id="d1",
        consumer=notice.name,
        attempt=1,
        now=NOW,
        record=sent.append,
        sent_before=lambda _channel: frozenset(e.recipient for e in sent),
    )
    assert notice.handles(event)
    notice.deliver(event, ctx)
    notice.deliver(event, ctx)  # a retry: nobody gets it twice
    mails = [
        BytesParser(policy=policy.default).parsebytes(p.read_bytes())
        for p in sorted(mail_dir.glob("*.eml"))
    ]
    assert [m["To"] for m in mails] == ["duenia@lavadero.test"]
    assert mails[0]["Subject"] == "Lavadero reached this month's booking limit"
    assert "taken 0 of the 0 bookings" in mails[0].get_content()
    world.db.dispose()
