"""SQL rows and repository for resources' feed links (``hub.domain.feeds``). The table was
made with the CalDAV view (``caldav_0001``), which serves the feeds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.domain.feeds import FeedLink
from hub.persistence.models import ID, Base


class FeedTokenRow(Base):
    __tablename__ = "caldav_feed_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    business_id: Mapped[str] = mapped_column(ID)
    resource_id: Mapped[str] = mapped_column(ID, unique=True)
    created_at: Mapped[datetime]


def _link(row: FeedTokenRow) -> FeedLink:
    return FeedLink(row.token, row.business_id, row.resource_id, row.created_at)


class SqlFeedTokenRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, token: str) -> FeedLink | None:
        row = self._s.get(FeedTokenRow, token)
        return _link(row) if row is not None else None

    def for_resource(self, business_id: str, resource_id: str) -> FeedLink | None:
        row = self._s.scalar(
            select(FeedTokenRow).where(
                FeedTokenRow.business_id == business_id, FeedTokenRow.resource_id == resource_id
            )
        )
        return _link(row) if row is not None else None

    def add(self, link: FeedLink) -> None:
        self._s.add(
            FeedTokenRow(
                token=link.token,
                business_id=link.business_id,
                resource_id=link.resource_id,
                created_at=link.created_at,
            )
        )

    def delete_for_resource(self, business_id: str, resource_id: str) -> bool:
        result = self._s.execute(
            delete(FeedTokenRow).where(
                FeedTokenRow.business_id == business_id, FeedTokenRow.resource_id == resource_id
            )
        )
        return bool(getattr(result, "rowcount", 0))
