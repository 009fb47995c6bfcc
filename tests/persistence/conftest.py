from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.persistence.migrate import migrate
from hub.persistence.uow import SqlDatabase


@pytest.fixture
def db(database_url: str) -> Iterator[SqlDatabase]:
    """A migrated database on each backend in turn."""
    migrate(database_url)
    database = SqlDatabase(database_url)
    yield database
    database.dispose()
