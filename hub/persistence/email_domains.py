"""SQL row and repository for the email domains businesses claim.

A domain may be pending at several businesses, but verified at one only: a partial unique
index on verified rows says so in the database, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.domain.email_domains import EmailDomain
from hub.persistence.models import ID, Base

_VERIFIED = text("verified_at IS NOT NULL")


class EmailDomainRow(Base):
    __tablename__ = "email_domains"
    __table_args__ = (
        UniqueConstraint("business_id", "domain", name="uq_email_domains_business_domain"),
        Index(
            "uq_email_domains_verified",
            "domain",
            unique=True,
            sqlite_where=_VERIFIED,
            postgresql_where=_VERIFIED,
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID, ForeignKey("businesses.id"), index=True)
    domain: Mapped[str] = mapped_column(String(253))
    verify_address: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    verified_at: Mapped[datetime | None]


def _domain(row: EmailDomainRow) -> EmailDomain:
    return EmailDomain(
        id=row.id,
        business_id=row.business_id,
        domain=row.domain,
        verify_address=row.verify_address,
        token_hash=row.token_hash,
        token_expires_at=row.token_expires_at,
        created_at=row.created_at,
        verified_at=row.verified_at,
    )


def _fill(row: EmailDomainRow, claim: EmailDomain) -> EmailDomainRow:
    row.business_id = claim.business_id
    row.domain = claim.domain
    row.verify_address = claim.verify_address
    row.token_hash = claim.token_hash
    row.token_expires_at = claim.token_expires_at
    row.created_at = claim.created_at
    row.verified_at = claim.verified_at
    return row


class SqlEmailDomainRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, claim: EmailDomain) -> None:
        self._s.add(_fill(EmailDomainRow(id=claim.id), claim))

    def update(self, claim: EmailDomain) -> None:
        row = self._s.get(EmailDomainRow, claim.id)
        if row is not None:
            _fill(row, claim)

    def delete(self, claim_id: str) -> None:
        row = self._s.get(EmailDomainRow, claim_id)
        if row is not None:
            self._s.delete(row)

    def get(self, business_id: str, domain: str) -> EmailDomain | None:
        row = self._s.scalar(
            select(EmailDomainRow).where(
                EmailDomainRow.business_id == business_id, EmailDomainRow.domain == domain
            )
        )
        return _domain(row) if row is not None else None

    def get_by_token_hash(self, token_hash: str) -> EmailDomain | None:
        row = self._s.scalar(select(EmailDomainRow).where(EmailDomainRow.token_hash == token_hash))
        return _domain(row) if row is not None else None

    def verified_owner(self, domain: str) -> EmailDomain | None:
        row = self._s.scalar(
            select(EmailDomainRow).where(
                EmailDomainRow.domain == domain, EmailDomainRow.verified_at.is_not(None)
            )
        )
        return _domain(row) if row is not None else None

    def list(self, business_id: str | None = None) -> Sequence[EmailDomain]:
        query = select(EmailDomainRow).order_by(EmailDomainRow.domain)
        if business_id is not None:
            query = query.where(EmailDomainRow.business_id == business_id)
        return [_domain(r) for r in self._s.scalars(query)]
