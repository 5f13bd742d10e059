"""Linking a team's staff group: only an admin may, and Porta says what is missing in the
group (topics, its administrator rights); cases opened before the link arrive after it."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import cli
from bot.config import Settings
from bot.db.models import TeamGroup
from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient
from bot.sandbox.runner import Sandbox
from handlers.inbox import LINK_PROBLEMS, ONLY_ADMINS
from handlers.labels import MENU_LABELS, label
from tests.casework import in_topic, topic_of
from tests.flows import onboard, staff, translator


async def test_link_says_what_is_missing_and_only_admins_may(
    client: SandboxClient, db: SessionFactory
) -> None:
    it = translator("it")
    plain = await client.add_group("No topics", forum=False)
    admin = await staff(client, db, role="admin", locale="it")
    worker = await staff(client, db, role="housing", locale="it")
    await client.add_member(plain, admin.id, "administrator")
    await client.add_member(plain, worker.id)

    async def answer_to(person_id: int, chat: int) -> str:
        """The bot's last message in the group."""
        path = f"/sandbox/users/{person_id}/chat"
        shown = (await client.http.get(path, params={"chat_id": chat})).json()
        return str([m for m in shown["messages"] if m["from"] == "bot"][-1]["text"])

    await worker.send("/link housing", chat_id=plain)
    assert await answer_to(worker.id, plain) == it(ONLY_ADMINS)
    await admin.send("/link housing", chat_id=plain)
    said = await answer_to(admin.id, plain)
    assert it(LINK_PROBLEMS["not_forum"]) in said and it(LINK_PROBLEMS["not_admin"]) in said

    forum = await client.add_group("Housing", forum=True)
    await client.add_member(forum, admin.id, "administrator")
    await client.set_bot_rights(forum, can_manage_topics=False)
    await admin.send("/link housing", chat_id=forum)
    assert await answer_to(admin.id, forum) == it(LINK_PROBLEMS["no_topics_right"])
    async with db() as session:
        assert (await session.scalars(select(TeamGroup))).all() == []

    # A conversation opened before any youth group exists arrives once one is linked.
    en = translator("en")
    user = await onboard(client, "en")
    await user.tap(label(en, MENU_LABELS["person"]))
    await user.send("Is anyone there?")
    await client.set_bot_rights(forum)
    await admin.send("/link youth", chat_id=forum)
    async with db() as session:
        [group] = (await session.scalars(select(TeamGroup))).all()
    assert (group.team, group.chat_id, group.linked_by) == ("youth", forum, admin.id)
    thread = await topic_of(client, forum, "P-")
    _, copied = await in_topic(client, forum, thread, 2)
    assert copied["text"] == "Is anyone there?"


async def test_the_command_line_links_a_group_after_checking_it(
    sandbox: Sandbox, client: SandboxClient, settings: Settings, db: SessionFactory
) -> None:
    forum = await client.add_group("Housing", forum=True)
    env = {
        "DATABASE_URL": settings.database_url,
        "TELEGRAM_BOT_TOKEN": sandbox.emulator.token,
        "TELEGRAM_API_BASE_URL": sandbox.server.bot_api_base,
    }

    async def porta(*args: str) -> tuple[int, str]:
        """The command line, in a thread of its own (it runs its own event loop)."""
        result = await asyncio.to_thread(CliRunner().invoke, cli, list(args), env=env)
        return result.exit_code, result.output

    code, output = await porta("groups", "link", "housing", str(forum))
    assert code == 1 and "not an administrator" in output, output
    await client.set_bot_rights(forum)
    code, output = await porta("groups", "link", "housing", str(forum))
    assert code == 0, output
    assert await porta("groups", "list") == (0, f"housing\t{forum}\n")
