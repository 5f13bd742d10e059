"""`porta sandbox`: Porta and a Telegram emulator in one process, tried in a web page that
looks and behaves like Telegram, as a young person and as staff."""

from __future__ import annotations

import asyncio
import signal

from bot.config import Settings
from bot.sandbox.web import pages
from bot.sandbox.web.world import World


async def serve_page(settings: Settings, port: int) -> None:
    """Serve the page on 127.0.0.1:`port` until Ctrl-C (SIGINT) or SIGTERM."""
    world = World(settings, port, pages.setup)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
    await world.start()
    try:
        print(f"Porta sandbox: open {world.url} in a browser (Ctrl-C stops it)", flush=True)
        await stop.wait()
    finally:
        await world.stop()
