"""Fixtures: a real database (SQLite file, or PostgreSQL when PORTA_TEST_DATABASE_URL says
so), and Porta running against the emulator over HTTP."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings, load_settings
from bot.db import migrate
from bot.db.models import Base
from bot.db.session import SessionFactory, create_engine, session_factory
from bot.sandbox.client import SandboxClient
from bot.sandbox.limits import Limits
from bot.sandbox.people import Emulator
from bot.sandbox.runner import Sandbox

pytest_plugins = ["tests.web"]  # the web sandbox's fixtures: world, http

POSTGRES_URL = os.environ.get("PORTA_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database for the run, migrated once from empty to head."""
    if POSTGRES_URL:
        url = POSTGRES_URL
        asyncio.run(_reset_postgres(url))
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'porta.db'}"
    asyncio.run(_upgrade(url))
    yield url


async def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def _upgrade(url: str) -> None:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    await engine.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The test database, emptied before each test."""
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())
    yield engine
    await engine.dispose()


@pytest.fixture
def db(engine: AsyncEngine) -> SessionFactory:
    return session_factory(engine)


@pytest.fixture
def settings(database_url: str, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in list(os.environ):
        if name.startswith(("PORTA_", "TELEGRAM_")) and name != "PORTA_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(Path(__file__).parent)  # no developer's .env leaks in
    # Voice notes (on by default) are heard in tests/test_voice*.py and in the walks, which
    # turn them on; elsewhere each note would cost the suite a second of speech for nothing.
    return load_settings(
        DATABASE_URL=database_url, PORTA_REMINDER_SCAN_SECONDS="0.3", PORTA_VOICE="off"
    )


@pytest.fixture
def limits() -> Limits:
    return Limits()


@pytest.fixture
async def sandbox(settings: Settings, limits: Limits) -> AsyncIterator[Sandbox]:
    """Porta polling the emulator over HTTP, as in production against Telegram."""
    running = Sandbox(settings, limits=limits, poll_timeout=1)
    await running.start(upgrade=False)
    yield running
    await running.stop()


@pytest.fixture
def client(sandbox: Sandbox) -> SandboxClient:
    assert sandbox.client is not None
    return sandbox.client


@pytest.fixture
def emulator(sandbox: Sandbox) -> Emulator:
    return sandbox.emulator
