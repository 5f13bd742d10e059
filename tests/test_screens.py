"""Screens: handlers reach each other's screens by name (no import cycle), and the one helper
that puts a screen on the phone never sends an edit Telegram refuses."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db.session import SessionFactory
from bot.sandbox.client import SandboxClient
from bot.sandbox.emulator import NOT_MODIFIED, ApiError
from bot.sandbox.people import Emulator
from tests import factories
from tests.flows import onboard, translator

HANDLERS = Path(__file__).resolve().parent.parent / "handlers"
# What every feature module may import: the shared pieces, none of which imports a feature.
# "typed" takes the forms' typed answers; "voice" reads any screen aloud.
SHARED = {"callbacks", "common", "screens", "cards", "labels", "notices", "gate", "casecard"}
SHARED |= {"typed", "voice"}


def handler_imports() -> dict[str, set[str]]:
    """Which handlers modules each handlers module imports (read with ast, not run)."""
    modules = {path.stem: path for path in HANDLERS.glob("*.py") if path.stem != "__init__"}
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "handlers":
                edges[name] |= {alias.name for alias in node.names if alias.name in modules}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("handlers."):
                edges[name].add((node.module or "").split(".")[1])
            elif isinstance(node, ast.Import):
                edges[name] |= {
                    a.name.split(".")[1] for a in node.names if a.name.startswith("handlers.")
                }
    return edges


def test_handlers_have_no_import_cycle() -> None:
    edges = handler_imports()

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for module in edges.get(todo.pop(), set()):
                if module not in seen:
                    seen.add(module)
                    todo.append(module)
        return seen

    assert [m for m in sorted(edges) if m in reachable(m)] == []


def test_feature_modules_import_only_the_shared_pieces() -> None:
    wrong = {
        module: sorted(imported - SHARED)
        for module, imported in handler_imports().items()
        if imported - SHARED
    }
    assert wrong == {}


def test_every_screen_drawn_by_name_exists() -> None:
    import bot.app  # noqa: F401 (wiring the application registers every screen)
    from handlers import screens

    drawn = set()
    for path in HANDLERS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "draw"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                drawn.add(node.args[0].value)
    assert drawn, "no screen is drawn by name"
    assert drawn - screens.names() == set()


def errors_since(emulator: Emulator, since: int) -> list[tuple[str, str | None]]:
    return [(c.method, c.error) for c in emulator.calls[since:] if not c.ok]


def sent_since(emulator: Emulator, since: int) -> list[str]:
    """The methods the bot called since `since`, polling left out."""
    return [c.method for c in emulator.calls[since:] if c.method != "getUpdates"]


@pytest.mark.parametrize("locale", ["it", "ar", "uk"])
async def test_tapping_the_chosen_language_again_changes_nothing_and_logs_nothing(
    client: SandboxClient, emulator: Emulator, locale: str, caplog: pytest.LogCaptureFixture
) -> None:
    t = translator(locale)
    user = await client.add_user("Sam", locale)
    await user.send("/start")
    welcome = await user.last()
    since = len(emulator.calls)
    native = {"it": "Italiano", "ar": "العربية", "uk": "Українська"}[locale]
    await user.tap(native)
    await user.tap_data(welcome["message_id"], f"lang:1:{locale}:o")
    assert errors_since(emulator, since) == []
    assert await user.bot_messages() == [welcome]
    assert sent_since(emulator, since) == ["answerCallbackQuery"] * 2
    assert [q["text"] for q in await user.toasts()] == [f"✓ {native}"] * 2
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    assert (await client.bot_state())["unanswered_callback_queries"] == []
    # and the welcome still works from there
    await user.tap(t.pgettext("button", "Continue ▶"))
    assert (await user.last())["text"] == t.directed(t("How old are you?"))


async def test_another_language_redraws_the_welcome_in_place(
    client: SandboxClient, emulator: Emulator
) -> None:
    user = await client.add_user("Sam", "en")
    await user.send("/start")
    welcome = await user.last()
    await user.tap("Français")
    [shown] = await user.bot_messages()
    assert shown["message_id"] == welcome["message_id"] and shown["edited"]
    assert shown["text"].startswith("👋 Bonjour")


async def test_a_double_tap_on_sign_up_signs_up_once_and_is_refused_nothing(
    client: SandboxClient, emulator: Emulator, db: SessionFactory
) -> None:
    user = await onboard(client, "en")
    hub = await factories.hub(db)
    activity = await factories.activity(
        db, hub.id, starts=datetime.now(UTC) + timedelta(days=2), capacity=5
    )
    await user.send(f"/start a{activity.id}")
    card = await user.last()
    sign_up = next(
        b["callback_data"] for row in card["buttons"] for b in row if "Sign up" in b["text"]
    )
    since = len(emulator.calls)
    await user.tap_data(card["message_id"], sign_up)
    await user.tap_data(card["message_id"], sign_up)
    assert errors_since(emulator, since) == []
    shown = await user.last()
    assert shown["message_id"] == card["message_id"]
    assert "You have a place" in shown["text"]
    toasts = [q["text"] for q in await user.toasts()][-2:]
    assert toasts == ["You have a place! See you there."] * 2
    cancel = next(
        b["callback_data"] for row in shown["buttons"] for b in row if "Cancel" in b["text"]
    )
    await user.tap_data(card["message_id"], cancel)
    await user.tap_data(card["message_id"], cancel)
    assert errors_since(emulator, since) == []
    assert [q["text"] for q in await user.toasts()][-2:] == [
        "Your place is cancelled.",
        "You are not signed up.",
    ]
    assert (await client.bot_state())["unanswered_callback_queries"] == []


async def test_a_redraw_that_changes_nothing_says_so(
    client: SandboxClient, emulator: Emulator
) -> None:
    user = await onboard(client, "en")
    await user.tap("🗓 Activities")
    menu = await user.last()
    await user.tap("🏠 By hub")
    since = len(emulator.calls)
    await user.tap_data(menu["message_id"], "ac:1:hubs")
    assert errors_since(emulator, since) == []
    assert sent_since(emulator, since) == ["answerCallbackQuery"]
    assert (await user.toasts())[-1]["text"] == "✓ Already on your screen."


async def test_telegram_saying_not_modified_counts_as_done(
    client: SandboxClient, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """The message in a callback can be older than the one on screen (two fast taps)."""
    user = await onboard(client, "en")
    await user.tap("🗓 Activities")
    emulator.inject("editMessageText", ApiError(400, f"Bad Request: {NOT_MODIFIED}"))
    await user.tap("🏠 By hub")
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    assert "Sorry" not in (await user.last())["text"]
    assert (await client.bot_state())["unanswered_callback_queries"] == []


async def test_a_message_that_cannot_be_edited_is_replaced_by_a_new_one(
    client: SandboxClient, emulator: Emulator
) -> None:
    user = await onboard(client, "en")
    await user.tap("🗓 Activities")
    menu = await user.last()
    emulator.chats[user.id].records[menu["message_id"]].deleted = True
    await user.tap_data(menu["message_id"], "ac:1:hubs")
    shown = await user.last()
    assert shown["message_id"] != menu["message_id"] and shown["text"] == "Which hub?"
    assert (await client.bot_state())["unanswered_callback_queries"] == []
