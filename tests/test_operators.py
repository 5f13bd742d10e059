"""Operators: the `porta operators` command, and every operator command refusing others."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bot.cli import cli
from bot.config import Settings
from bot.db.models import User
from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient
from handlers.gate import OPERATOR_COMMANDS
from tests.flows import onboard, staff


def porta(settings: Settings, *args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env={"DATABASE_URL": settings.database_url})
    assert result.exit_code == 0, result.output
    return result.output


def test_operators_add_list_remove(settings: Settings) -> None:
    assert porta(settings, "operators", "add", "111", "--role", "admin") == "111 is now admin\n"
    porta(settings, "operators", "add", "222")
    assert porta(settings, "operators", "list") == "111\tadmin\n222\toperator\n"
    porta(settings, "operators", "add", "222", "--role", "admin")
    assert "222\tadmin" in porta(settings, "operators", "list")
    assert porta(settings, "operators", "remove", "111") == "111 removed\n"
    assert porta(settings, "operators", "remove", "111") == "111 was not staff\n"
    assert porta(settings, "operators", "list") == "222\tadmin\n"


def test_operators_add_refuses_an_unknown_role(settings: Settings) -> None:
    result = CliRunner().invoke(
        cli,
        ["operators", "add", "1", "--role", "boss"],
        env={"DATABASE_URL": settings.database_url},
    )
    assert result.exit_code == 2
    assert "--role must be operator, housing, youth or admin" in result.output


@pytest.mark.parametrize("command", sorted(OPERATOR_COMMANDS))
async def test_every_operator_command_refuses_a_young_person(
    client: SandboxClient, command: str
) -> None:
    user = await onboard(client, "en")
    await user.send(f"/{command} ABC123")
    assert (await user.last())["text"] == "Sorry, this command is only for hub staff."


@pytest.mark.parametrize(
    "command", sorted(c for c, role in OPERATOR_COMMANDS.items() if role == "admin")
)
async def test_admin_commands_refuse_an_operator(
    client: SandboxClient, db: SessionFactory, command: str
) -> None:
    operator = await staff(client, db, "operator", "it")
    await operator.send(f"/{command}")
    assert (await operator.last())[
        "text"
    ] == "Scusa, questo comando è solo per lo staff dei centri."


async def test_operators_and_admins_get_their_commands(
    client: SandboxClient, db: SessionFactory
) -> None:
    operator = await staff(client, db, "operator", "it")
    await operator.send("/ops")
    assert (await operator.last())["text"].startswith("🛠 Staff dei centri")
    await operator.send("/stats")
    assert (await operator.last())["text"].startswith("📊 Persone che usano Porta")
    admin = await staff(client, db, "admin", "it")
    await admin.send("/operators")
    text = (await admin.last())["text"]
    assert f"{operator.id}: operator" in text and f"{admin.id}: admin" in text


async def test_a_guardian_consent_recorded_at_the_hub_unlocks_the_child(
    client: SandboxClient, db: SessionFactory
) -> None:
    child = await onboard(client, "ar", age="u14")
    async with db() as session:
        code = (await session.get(User, child.id)).guardian_code  # type: ignore[union-attr]
    assert code
    operator = await staff(client, db, "operator", "it")

    await operator.send("/guardian")
    assert (await operator.last())["text"].startswith("Scrivi il codice dopo il comando")
    await operator.send("/guardian ZZZZZZ")
    assert (await operator.last())[
        "text"
    ] == "Nessuno aspetta con il codice ZZZZZZ. Controllalo e riprova."
    await operator.send(f"/guardian {code.lower()}")
    assert (await operator.last())[
        "text"
    ] == "Fatto. Il consenso del genitore o tutore è registrato."

    assert (await child.wait_message("✅ وافق أحد والديك أو وصيّك."))["text"].startswith("\u200f✅")
    async with db() as session:
        saved = await session.get(User, child.id)
    assert saved is not None
    assert (saved.age_band, saved.step, saved.guardian_code) == ("u14", "done", None)
    assert saved.guardian_recorded_by == operator.id and saved.consent_at is not None
    await operator.send(f"/guardian {code}")  # the code is used up
    assert (await operator.last())["text"].startswith("Nessuno aspetta con il codice")


async def test_stats_count_people_without_naming_them(
    client: SandboxClient, db: SessionFactory
) -> None:
    await onboard(client, "en")
    await onboard(client, "ar", age="25_35")
    admin = await staff(client, db, "admin", "it")
    await admin.send("/stats")
    text = (await admin.last())["text"]
    assert "18_24: 1" in text and "25_35: 1" in text
