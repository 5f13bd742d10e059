"""Conversations the tests repeat: a person going through onboarding, tapping as users do."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.db.models import Operator
from bot.db.session import SessionFactory
from bot.i18n import Translator
from bot.sandbox.client import SandboxClient, SandboxUser
from handlers.labels import AGE_LABELS, INTEREST_LABELS, label

ROME = ZoneInfo("Europe/Rome")


def translator(locale: str) -> Translator:
    return Translator(locale, ROME)


async def onboard(
    client: SandboxClient,
    locale: str = "en",
    age: str = "18_24",
    neighbourhood: str | None = "San Vito",
    interests: tuple[str, ...] = ("sport",),
    start: str = "/start",
) -> SandboxUser:
    """A new person with Telegram set to `locale` goes through onboarding to the end."""
    t = translator(locale)
    user = await client.add_user("Sam", locale)
    await user.send(start)
    await user.tap(t.pgettext("button", "Continue ▶"))
    await user.tap(label(t, AGE_LABELS[age]))
    if age == "u14":
        return user
    await user.tap(t.pgettext("button", "✅ I agree"))
    if neighbourhood is None:
        await user.tap(t.pgettext("button", "Skip"))
    else:
        await user.tap(neighbourhood)
    for interest in interests:
        await user.tap(label(t, INTEREST_LABELS[interest]))
    await user.tap(t.pgettext("button", "Done"))
    return user


async def staff(
    client: SandboxClient, db: SessionFactory, role: str = "operator", locale: str = "en"
) -> SandboxUser:
    """Hub staff (named by an admin, never /start-ed) with Telegram set to `locale`."""
    user = await client.add_user("Giulia", locale)
    async with db.begin() as session:
        session.add(Operator(telegram_id=user.id, role=role))
    return user


async def wait_until(predicate: Callable[[], bool], seconds: float) -> None:
    """Wait for what the bot does on its own (the outbox, a restart) to show."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.1)
