"""Alembic environment: runs on the connection the portal hands over (``store.migrate``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from scoring.portal.store.models import Base

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("use `scoring db upgrade`: the portal passes its own database connection")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
