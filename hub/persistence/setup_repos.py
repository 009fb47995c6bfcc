"""SQL repositories for a business's setup: businesses, branches, resources, groups, services,
customers. Every read is scoped by business id (tenants never see each other).

Bookings are in ``booking_repos``; blocks and the records the core writes in ``record_repos``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Select, Table, bindparam, insert, inspect, select
from sqlalchemy.orm import Session

from hub.domain.geo import Zone
from hub.domain.model import Branch, Business, Customer, Resource, ResourceGroup, Service
from hub.persistence import convert, geo_rows
from hub.persistence.models import (
    BranchRow,
    BusinessRow,
    CustomerRow,
    GroupRow,
    ResourceRow,
    ServiceRow,
    ZoneRow,
)

# Built once: every booking runs these (building a statement costs more than running it).
_RESOURCES = cast(Table, ResourceRow.__table__)
_RESOURCES_BY_ID = select(_RESOURCES).where(  # on table columns: no ORM entity loading
    _RESOURCES.c.business_id == bindparam("business_id"),
    _RESOURCES.c.id.in_(bindparam("ids", expanding=True)),
)
_BUSINESSES = cast(Table, BusinessRow.__table__)
_CUSTOMERS = cast(Table, CustomerRow.__table__)


def _customer_by(column: str) -> Select[Any]:
    """The business's customer whose ``column`` is ``:value`` (the oldest, if several)."""
    return (
        select(_CUSTOMERS)
        .where(_CUSTOMERS.c.business_id == bindparam("business_id"))
        .where(_CUSTOMERS.c[column] == bindparam("value"))
        .order_by(_CUSTOMERS.c.id)
        .limit(1)
    )


_CUSTOMER_BY_PHONE = _customer_by("phone")
_CUSTOMER_BY_EMAIL = _customer_by("email")


@functools.cache
def _by_id(table: Table) -> Select[Any]:
    """``SELECT * FROM table WHERE id = :id``, built once per table."""
    return select(table).where(table.c.id == bindparam("id"))


def _changed(session: Session, row: Any) -> None:
    """Bump the row's version if ``to_row`` changed anything in it: calendar events rendered
    from the row derive their ETags from it. ``version + 1`` in the UPDATE itself, so two
    concurrent changes cannot both write the same number."""
    column = getattr(type(row), "version", None)  # groups are not shown in any event
    if column is not None and session.is_modified(row):
        row.version = column + 1


D = TypeVar("D")
R = TypeVar("R", BranchRow, ResourceRow, GroupRow, ServiceRow, CustomerRow, ZoneRow)


class SqlBusinessRepository:
    def __init__(self, session: Session) -> None:
        self._s = session
        # Rows read by id in this unit of work: a use case and then the adapter rendering its
        # result both read the business, and the second read costs no query.
        self._found: dict[str, Any] = {}

    def add(self, business: Business) -> None:
        self._s.add(convert.business_to_row(business))
        self._s.flush()  # rows have no relationship(): flush in FK order

    def get(self, business_id: str) -> Business | None:
        row: Any = self._found.get(business_id)
        if row is None:
            row = self._s.execute(_by_id(_BUSINESSES), {"id": business_id}).first()
            if row is None:
                return None
            self._found[business_id] = row
        return convert.business_from_row(row)

    def get_by_slug(self, slug: str) -> Business | None:
        row = self._s.scalar(select(BusinessRow).where(BusinessRow.slug == slug))
        return convert.business_from_row(row) if row is not None else None

    def list(self) -> list[Business]:
        rows = self._s.scalars(select(BusinessRow).order_by(BusinessRow.slug))
        return [convert.business_from_row(r) for r in rows]

    def update(self, business: Business) -> None:
        self._found.pop(business.id, None)
        row = self._s.get(BusinessRow, business.id)
        if row is None:
            raise KeyError(business.id)
        convert.business_to_row(business, row)
        _changed(self._s, row)


class _Scoped(Generic[D, R]):
    """add/get/list/update/delete of one entity kind, scoped by business."""

    row_type: type[R]
    to_row: Callable[[D, R | None], R]
    from_row: Callable[[R], D]
    order_by: str = "name"

    def __init__(self, session: Session) -> None:
        self._s = session
        # Rows read or added by id in this unit of work (as plain rows or column values):
        # reading one again, as adapters do after a use case, costs no query.
        self._found: dict[str, Any] = {}

    @classmethod
    def _table(cls) -> Table:
        return cast(Table, cls.row_type.__table__)

    def _row(self, business_id: str, entity_id: str) -> R | None:
        """The ORM row, for changing or deleting it."""
        self._found.pop(entity_id, None)
        row = self._s.get(self.row_type, entity_id)
        if row is None or row.business_id != business_id:
            return None
        return row

    def add(self, entity: D) -> None:
        # A plain INSERT: the ORM's unit of work costs more than the statement, and nothing
        # needs the row as an ORM object afterwards (``update`` reads it back).
        row = type(self).to_row(entity, None)
        columns = self._table().columns
        given = inspect(row).dict  # what was set: columns left out keep their defaults
        values = {c.key: given[c.key] for c in columns if c.key in given}
        self._s.execute(insert(self._table()), values)
        if len(values) == len(columns):
            self._found[row.id] = SimpleNamespace(**values)

    def get(self, business_id: str, entity_id: str) -> D | None:
        row: Any = self._found.get(entity_id)
        if row is None:
            row = self._s.execute(_by_id(self._table()), {"id": entity_id}).first()
            if row is None:
                return None
            self._found[entity_id] = row
        if row.business_id != business_id:
            return None
        return type(self).from_row(row)

    def list(self, business_id: str) -> list[D]:
        query = (
            select(self.row_type)
            .where(self.row_type.business_id == business_id)
            .order_by(getattr(self.row_type, self.order_by), self.row_type.id)
        )
        return [type(self).from_row(r) for r in self._s.scalars(query)]

    def update(self, entity: D) -> None:
        ident: Any = entity
        row = self._row(ident.business_id, ident.id)
        if row is None:
            raise KeyError(ident.id)
        type(self).to_row(entity, row)
        _changed(self._s, row)

    def delete(self, business_id: str, entity_id: str) -> bool:
        row = self._row(business_id, entity_id)
        if row is None:
            return False
        self._s.delete(row)
        self._s.flush()
        return True


class SqlBranchRepository(_Scoped[Branch, BranchRow]):
    row_type = BranchRow
    to_row = staticmethod(convert.branch_to_row)
    from_row = staticmethod(convert.branch_from_row)


class SqlResourceRepository(_Scoped[Resource, ResourceRow]):
    row_type = ResourceRow
    to_row = staticmethod(convert.resource_to_row)
    from_row = staticmethod(convert.resource_from_row)

    def get_many(self, business_id: str, resource_ids: Sequence[str]) -> list[Resource]:
        if not resource_ids:
            return []
        rows = self._s.execute(
            _RESOURCES_BY_ID, {"business_id": business_id, "ids": list(resource_ids)}
        )
        found = {r.id: convert.resource_from_row(r) for r in rows}
        return [found[i] for i in dict.fromkeys(resource_ids) if i in found]


class SqlGroupRepository(_Scoped[ResourceGroup, GroupRow]):
    row_type = GroupRow
    to_row = staticmethod(convert.group_to_row)
    from_row = staticmethod(convert.group_from_row)


class SqlServiceRepository(_Scoped[Service, ServiceRow]):
    row_type = ServiceRow
    to_row = staticmethod(convert.service_to_row)
    from_row = staticmethod(convert.service_from_row)


class SqlZoneRepository(_Scoped[Zone, ZoneRow]):
    row_type = ZoneRow
    to_row = staticmethod(geo_rows.zone_to_row)
    from_row = staticmethod(geo_rows.zone_from_row)


class SqlCustomerRepository(_Scoped[Customer, CustomerRow]):
    row_type = CustomerRow
    to_row = staticmethod(convert.customer_to_row)
    from_row = staticmethod(convert.customer_from_row)

    def find_by_phone(self, business_id: str, phone: str) -> Customer | None:
        return self._find(_CUSTOMER_BY_PHONE, business_id, phone)

    def find_by_email(self, business_id: str, email: str) -> Customer | None:
        return self._find(_CUSTOMER_BY_EMAIL, business_id, email)

    def _find(self, query: Select[Any], business_id: str, value: str) -> Customer | None:
        row = self._s.execute(query, {"business_id": business_id, "value": value}).first()
        if row is None:
            return None
        self._found[row.id] = row
        return convert.customer_from_row(row)

    def list(self, business_id: str, limit: int = 100, offset: int = 0) -> list[Customer]:
        rows = self._s.scalars(
            select(CustomerRow)
            .where(CustomerRow.business_id == business_id)
            .order_by(CustomerRow.name, CustomerRow.id)
            .limit(limit)
            .offset(offset)
        )
        return [convert.customer_from_row(r) for r in rows]
