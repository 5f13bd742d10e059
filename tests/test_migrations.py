"""Migrations: from empty to head, matching the models, and the schema check."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import migrate
from bot.db.models import Base
from bot.db.session import create_engine


async def test_the_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection)
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []
    assert await migrate.current_revision(engine) == migrate.head_revision()
    await migrate.ensure_current(engine)


async def test_an_empty_database_is_refused_until_upgraded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/fresh.db")
    with pytest.raises(migrate.SchemaBehind, match="porta db upgrade"):
        await migrate.ensure_current(engine)
    await migrate.upgrade(engine)
    await migrate.ensure_current(engine)
    await migrate.downgrade(engine, "base")
    assert await migrate.current_revision(engine) is None
    await engine.dispose()
