"""Several real Porta processes (tests/benchmarks/one_process.py) on one database, behind a
round-robin proxy and the emulator's webhook delivery, for the scale benchmarks."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import IO, Any

import aiohttp

from bot.config import Settings
from bot.sandbox.limits import Limits
from bot.sandbox.people import Emulator
from bot.sandbox.server import EmulatorServer
from tests.proxy import Proxy, free_port

HERE = Path(__file__).parent


class Fleet:
    def __init__(self, settings: Settings, processes: int, log_dir: Path) -> None:
        self.settings, self.count, self.log_dir = settings, processes, log_dir
        self.emulator = Emulator(limits=Limits())
        self.emulator.think_time = 0.0
        self.server = EmulatorServer(self.emulator)
        self.ports = [free_port() for _ in range(processes)]
        self.proxy = Proxy(self.ports)
        self.processes: list[asyncio.subprocess.Process] = []
        self.logs: list[IO[bytes]] = []
        self.started_in = 0.0

    def plant(self, user: int, text: str, buttons: list[tuple[str, str]]) -> None:
        """A message from the bot with inline buttons, already in the person's chat (not
        counted against the limits: sent before the measure)."""
        keyboard = {"inline_keyboard": [[{"text": t, "callback_data": d}] for t, d in buttons]}
        self.emulator.limits.enabled = False
        chat = self.emulator.chat_for(user)
        self.emulator.bot_message(chat, {"text": text}, keyboard, None)
        self.emulator.limits.enabled = True

    async def start(self) -> None:
        self.emulator.limits = Limits()  # what was planted is not counted
        self.emulator.calls.clear()
        await self.server.start()
        await self.proxy.start()
        env = {
            **os.environ,
            "DATABASE_URL": self.settings.database_url,
            "TELEGRAM_BOT_TOKEN": self.emulator.token,
            "TELEGRAM_API_BASE_URL": self.server.bot_api_base,
            "PORTA_LOG_LEVEL": "WARNING",
            "PORTA_BENCH_WEBHOOK": self.proxy.url,
        }
        began = time.monotonic()
        for n, port in enumerate(self.ports):
            log = (self.log_dir / f"porta-{n}.log").open("wb")
            self.logs.append(log)
            self.processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    str(HERE / "one_process.py"),
                    env={**env, "PORTA_BENCH_PORT": str(port)},
                    stdout=log,
                    stderr=log,
                )
            )
        async with aiohttp.ClientSession() as http:
            for port in self.ports:
                while True:
                    try:
                        async with http.get(f"http://127.0.0.1:{port}/healthz") as answer:
                            if answer.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.2)
        self.started_in = time.monotonic() - began

    async def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            await process.wait()
        for log in self.logs:
            log.close()
        await self.proxy.stop()
        await self.server.stop()

    def tracebacks(self) -> int:
        return sum(
            (self.log_dir / f"porta-{n}.log").read_text(errors="replace").count("Traceback")
            for n in range(self.count)
        )

    def sent(self, text: str) -> list[Any]:
        return [c for c in self.emulator.calls if c.method == "sendMessage" and c.ok and c.params.get("text") == text]  # fmt: skip

    def too_many(self) -> int:
        return sum(1 for c in self.emulator.calls if c.error and c.error.startswith("Too Many"))


def busiest_second(moments: list[float]) -> int:
    moments = sorted(moments)
    best, first = 0, 0
    for last, moment in enumerate(moments):
        while moment - moments[first] >= 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best
