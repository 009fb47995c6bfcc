"""Schema migrations by Alembic, configured in code (no alembic.ini).

``migrate(url)`` upgrades to every head: other parts of the product add their own tables as
further revisions in ``migrations/versions`` (depending on ``core_0001`` or as separate
branches), and all of them are applied.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.attributes["database_url"] = database_url
    return config


def migrate(database_url: str) -> None:
    """Bring the database at ``database_url`` up to date (``alembic upgrade heads``)."""
    command.upgrade(alembic_config(database_url), "heads")
