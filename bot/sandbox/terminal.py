"""A plain terminal chat with Porta in the sandbox: type to send, a number to tap."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.config import Settings
from bot.db.session import create_engine, session_factory
from bot.demo import load_demo
from bot.sandbox.client import SandboxUser
from bot.sandbox.runner import Sandbox
from bot.services import operators

HELP = """\
Porta sandbox: you are chatting with Porta through a local Telegram emulator.
  type text and press Enter to send it; /start to begin
  type a number to tap the button with that number
  :photo :sticker :voice :location   send that kind of message
  :edit TEXT     edit your last message     :block / :unblock   block the bot
  :help          this help                  :quit               leave
"""


class Screen:
    """Prints what is new in the chat since the last look."""

    def __init__(self, user: SandboxUser) -> None:
        self.user = user
        self.seen: dict[int, tuple[str, int]] = {}
        self.toasts = 0
        self.choices: list[tuple[str, int | None]] = []

    async def refresh(self) -> None:
        screen = await self.user.screen()
        for message in screen["messages"]:
            if message["from"] != "bot":
                continue
            shown = (message["text"], len(message["buttons"]))
            if self.seen.get(message["message_id"]) == shown:
                continue
            tag = "(edited) " if message["message_id"] in self.seen else ""
            self.seen[message["message_id"]] = shown
            print(f"\nPorta {tag}» {render(message)}")
        for toast in screen["toasts"][self.toasts :]:
            if toast["text"]:
                print(f"  [{toast['text']}]")
        self.toasts = len(screen["toasts"])
        self.choices = []
        inline = next((m for m in reversed(screen["messages"]) if m["buttons"]), None)
        if inline is not None:
            self.choices += [
                (b["text"], inline["message_id"]) for row in inline["buttons"] for b in row
            ]
        self.choices += [(text, None) for text in screen["keyboard"]]
        if self.choices:
            print("  " + "  ".join(f"[{i}] {text}" for i, (text, _) in enumerate(self.choices, 1)))


def render(message: dict[str, Any]) -> str:
    text = str(message["text"])
    if "document" in message:
        text = f"📎 {message['document']['file_name']} — {text}"
    if "venue" in message:
        text = f"📍 {message['venue']['title']}, {message['venue']['address']}"
    return text


async def act(user: SandboxUser, line: str, screen: Screen, last_sent: list[int]) -> bool:
    """Do what the typed line says; False to leave."""
    if line in (":quit", ":q"):
        return False
    if line == ":help":
        print(HELP)
    elif line.isdigit() and len(line) <= 2:
        if not 1 <= int(line) <= len(screen.choices):
            print(f"  (no button {line} on screen)")
            return True
        label, message_id = screen.choices[int(line) - 1]
        await user.tap(label, message_id)
    elif line in (":photo", ":sticker", ":voice", ":location"):
        await user.send_kind(line[1:])
    elif line.startswith(":edit ") and last_sent:
        await user.edit(last_sent[-1], line[6:])
    elif line in (":block", ":unblock"):
        await user.block(line == ":block")
    elif line:
        await user.send(line)
        mine = [m for m in await user.messages() if m["from"] == "user"]
        last_sent.append(mine[-1]["message_id"])
    return True


async def run_sandbox(settings: Settings, port: int, language: str, operator: bool) -> None:
    sandbox = Sandbox(settings, port=port)
    client = await sandbox.start()
    try:
        user = await client.add_user("You", language)
        engine = create_engine(settings.database_url)
        async with session_factory(engine).begin() as session:
            await load_demo(session, settings.zone)
            if operator:
                await operators.add(session, user.id, "admin")
        await engine.dispose()
        print(HELP)
        print(f"Bot API emulator at {sandbox.server.bot_api_base}<token>/<method>")
        screen, last_sent = Screen(user), list[int]()
        await user.send("/start")
        await screen.refresh()
        while True:
            try:
                line = (await asyncio.to_thread(input, "\nyou › ")).strip()
            except EOFError:
                break
            if not await act(user, line, screen, last_sent):
                break
            await screen.refresh()
    finally:
        await sandbox.stop()
