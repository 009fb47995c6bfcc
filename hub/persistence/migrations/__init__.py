"""Alembic environment and revisions of the hub database (see ``hub.persistence.migrate``)."""
