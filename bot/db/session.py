"""The async engine and session factory."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SessionFactory = async_sessionmaker[AsyncSession]


def create_engine(url: str) -> AsyncEngine:
    """Create the engine; for SQLite also its folder, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # As many connections as updates are handled at once (bot.updates.WORKERS) would
        # be best; three processes of 24 stay under PostgreSQL's default 100 connections.
        return create_async_engine(
            url, pool_pre_ping=True, hide_parameters=True, pool_size=16, max_overflow=8
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # One connection: SQLite has one writer (every transaction takes the write lock, below),
    # and transactions that queue for the pool's connection wait their turn in order, where
    # several connections would poll for the lock in SQLite's busy handler, with growing sleeps.
    engine = create_async_engine(
        url,
        connect_args={"timeout": 30},
        pool_size=1,
        max_overflow=0,
        pool_timeout=60,
        hide_parameters=True,  # a logged error must not carry what people wrote
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        # SQLite's own lower() knows ASCII only: "Міні-футбол" must match "міні".
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        # Let SQLAlchemy, not the driver, open transactions (see _begin_immediate).
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin_immediate(connection):  # type: ignore[no-untyped-def]
        # SQLite has one writer: taking the write lock when a transaction begins makes
        # read-then-write units (a sign-up counting places) wait their turn instead of
        # failing with "database is locked" when two try to upgrade their locks at once.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)
