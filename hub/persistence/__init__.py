"""Persistence adapter of the booking core: SQLAlchemy 2.x rows, repositories, the unit of
work and Alembic migrations, on SQLite (embedded) and PostgreSQL (scaled).

- ``create_engine_for(url)`` / ``SqlDatabase(url)`` / ``SqlUnitOfWork`` (``uow``)
- ``migrate(url)`` upgrades the schema to every head (``migrate``)

No business rule lives here; the use cases in ``hub.services`` hold them.
"""
