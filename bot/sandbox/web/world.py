"""The web sandbox's world: the emulator, Porta started the way `porta run` starts it (pointed
at the emulator), the demo set, a few demo people, the two staff groups linked to their teams,
and a reset that starts them all again from the beginning."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import serve
from bot.app import PortaApplication
from bot.config import Settings
from bot.db import migrate
from bot.db.models import Base, User
from bot.db.session import create_engine, session_factory
from bot.demo import load_demo
from bot.i18n import SUPPORTED_LOCALES, native_name, negotiate
from bot.sandbox.people import Emulator
from bot.sandbox.server import EmulatorServer
from bot.services import cases, operators

# (Telegram id, first name, Telegram language, role in Porta): three young people who have not
# opened Porta yet, and the staff who answer them.
DEMO_PEOPLE = (
    (10001, "Luca", "it", None),
    (10002, "Amira", "ar", None),
    (10003, "Olena", "uk", None),
    (10004, "Giulia", "it", "housing"),
    (10005, "Marco", "it", "youth"),
    (10006, "Sara", "it", "operator"),
)
STAFF_GROUPS = (("housing", "Casa · staff"), ("youth", "Giovani · staff"))
RIGHT_TO_LEFT = ("ar", "ur")
START_SECONDS = 60
TYPING_SECONDS = 30

Pages = Callable[[web.Application, "World"], None]


class World:
    """Everything `porta sandbox` runs; `pages` adds the web page's routes to the emulator's."""

    def __init__(self, settings: Settings, port: int, pages: Pages) -> None:
        self.settings = settings
        self.emulator = Emulator()
        self.emulator.think_time = 0.0  # real people tap at their own pace
        self.server = EmulatorServer(self.emulator, port=port, extend=lambda a: pages(a, self))
        self.engine = create_engine(settings.database_url)
        self.sessions = session_factory(self.engine)
        self.groups: dict[str, int] = {}  # team -> chat id
        self.app: PortaApplication | None = None
        self.porta: asyncio.Task[None] | None = None
        self.stopping = asyncio.Event()
        self.closing = False
        self.lock = asyncio.Lock()
        self.handling: dict[int, set[int]] = {}  # private chat -> update ids Porta still handles
        self.tracking: set[asyncio.Task[None]] = set()
        self.held = contextlib.ExitStack()  # the one-process lock, while running

    @property
    def url(self) -> str:
        return f"{self.server.url}/"

    async def start(self) -> None:
        # Before anything touches the database: another sandbox on it stops here.
        self.held.enter_context(serve.only_process(self.settings.database_url))
        await self.server.start()
        await self.populate()
        await self.start_porta()

    async def stop(self) -> None:
        self.closing = True
        self.emulator.changed()  # the live pages' streams end
        await self.stop_porta()
        await self.server.stop()
        await self.engine.dispose()
        self.held.close()

    async def reset(self) -> None:
        """Start again from the demo set: a new database, the same demo people, no chats."""
        async with self.lock:
            await self.stop_porta()
            self.emulator.reset()
            self.emulator.think_time = 0.0
            self.handling.clear()
            await self.populate()
            await self.start_porta()

    # -- Porta ------------------------------------------------------------------------------

    async def start_porta(self) -> None:
        settings = self.settings.model_copy(
            update={
                "telegram_api_base_url": self.server.bot_api_base,
                "telegram_bot_token": self.emulator.token,
            }
        )
        running = asyncio.Event()

        def started(app: PortaApplication) -> None:
            self.app = app
            running.set()

        self.stopping = asyncio.Event()
        self.porta = asyncio.create_task(
            serve.run(settings, self.stopping, started, one_process=False)
        )
        waiting = asyncio.create_task(running.wait())
        await asyncio.wait(
            {self.porta, waiting}, timeout=START_SECONDS, return_when=asyncio.FIRST_COMPLETED
        )
        waiting.cancel()
        if not running.is_set():
            await self.stop_porta()
            raise RuntimeError("Porta did not start in the sandbox")

    async def stop_porta(self) -> None:
        self.stopping.set()
        if self.porta is not None:
            await self.porta  # an error inside Porta surfaces here
        self.porta, self.app = None, None

    def track(self, person: int, chat_id: int | None, update_id: int) -> None:
        """Show "typing…" in a person's chat with Porta (`chat_id` None: theirs) until Porta
        has handled their update; nothing for what they do in a group."""
        chat_id = person if chat_id is None else chat_id
        if self.app is None or chat_id < 0:
            return
        pending = self.handling.setdefault(chat_id, set())
        pending.add(update_id)
        app = self.app

        async def wait() -> None:
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(app.wait_processed(update_id), TYPING_SECONDS)
            finally:
                pending.discard(update_id)
                self.emulator.changed()

        task = asyncio.get_running_loop().create_task(wait())
        self.tracking.add(task)
        task.add_done_callback(self.tracking.discard)

    def typing(self, chat_id: int) -> bool:
        chat = self.emulator.chats.get(chat_id)
        waiting = bool(self.handling.get(chat_id))
        return waiting or (chat is not None and chat.typing_until > time.monotonic())

    # -- the demo set -----------------------------------------------------------------------

    async def populate(self) -> None:
        await fresh_database(self.engine)
        emulator = self.emulator
        for user_id, name, language, _ in DEMO_PEOPLE:
            emulator.add_user(name, language, user_id)
        for team, title in STAFF_GROUPS:  # the same ids after a reset: links keep working
            chat_id = emulator.add_group(title, forum=True, chat_id=self.groups.get(team))
            emulator.set_bot_rights(chat_id, "administrator", True)
            self.groups[team] = chat_id
        emulator.updates.clear()  # the groups were set up long ago
        async with self.sessions.begin() as session:
            await load_demo(session, self.settings.zone)
            for team, chat_id in self.groups.items():
                await cases.link_group(session, team, chat_id, None)
            for user_id, _, _, role in DEMO_PEOPLE:
                if role:
                    await operators.add(session, user_id, role)
        for user_id, _, _, role in DEMO_PEOPLE:
            self.place(user_id, role)
        emulator.changed()

    def place(self, user_id: int, role: str | None) -> None:
        """Staff are members of their teams' groups, and of no other."""
        teams = [team for team, roles in cases.TEAM_ROLES.items() if role in roles]
        for team, chat_id in self.groups.items():
            group = self.emulator.group(chat_id)
            if team in teams:
                self.emulator.add_member(chat_id, user_id, "member")
            elif group.is_member(user_id):
                self.emulator.add_member(chat_id, user_id, "left")

    async def set_role(self, user_id: int, role: str | None) -> None:
        self.emulator.person(user_id)
        if role is not None and role not in operators.ROLES:
            raise ValueError(f"no role {role!r}")
        async with self.sessions.begin() as session:
            if role is None:
                await operators.remove(session, user_id)
            else:
                await operators.add(session, user_id, role)
        self.place(user_id, role)
        self.emulator.changed()

    # -- what the page shows ----------------------------------------------------------------

    async def people(self) -> list[dict[str, Any]]:
        ids = list(self.emulator.users)
        async with self.sessions() as session:
            rows = await session.execute(select(User.id, User.language).where(User.id.in_(ids)))
            chosen = {row.id: row.language for row in rows}
            roles = {o.telegram_id: o.role for o in await operators.all_operators(session)}
        people = []
        for user_id, user in self.emulator.users.items():
            people.append(
                {
                    "id": user_id,
                    "first_name": user["first_name"],
                    "language_code": user.get("language_code"),
                    "language": chosen.get(user_id),
                    "role": roles.get(user_id),
                    "groups": [
                        chat_id
                        for chat_id in self.groups.values()
                        if self.emulator.group(chat_id).is_member(user_id)
                    ],
                }
            )
        return people

    def staff_groups(self) -> list[dict[str, Any]]:
        return [
            {
                "chat_id": chat_id,
                "title": self.emulator.group(chat_id).title,
                "team": team,
                "topics": self.emulator.topics(chat_id),
            }
            for team, chat_id in self.groups.items()
        ]

    async def direction(self, user_id: int) -> str:
        """Right to left for a person who reads Porta in Arabic or Urdu."""
        async with self.sessions() as session:
            user = await session.get(User, user_id)
        code = self.emulator.person(user_id).get("language_code")
        language = (user.language if user else None) or negotiate(
            code, self.settings.default_language
        )
        return "rtl" if language in RIGHT_TO_LEFT else "ltr"


async def fresh_database(engine: AsyncEngine) -> None:
    """Drop every table Porta has and build the schema again with the migrations."""
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await migrate.upgrade(engine)


LANGUAGES_BEYOND = (("de", "Deutsch"), ("es", "Español"), ("zh", "中文"))


def languages() -> list[dict[str, str]]:
    """The nine, then a few Porta does not speak (to see it fall back to Italian)."""
    nine = [{"code": code, "name": native_name(code)} for code in SUPPORTED_LOCALES]
    return nine + [{"code": c, "name": f"{n} (not in Porta)"} for c, n in LANGUAGES_BEYOND]
