"""nginx in front of several Porta processes, for the tests and the benchmarks: each webhook
request goes to the next process in turn."""

from __future__ import annotations

import itertools
import socket

import aiohttp
from aiohttp import web


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Proxy:
    """nginx in front of the processes: each request to the next process in turn."""

    def __init__(self, ports: list[int]) -> None:
        self.targets = itertools.cycle(ports)
        self.port = free_port()
        self.taken: list[tuple[int, int]] = []  # (update id, port)
        server = web.Application()
        server.router.add_post("/hook", self.forward)
        self.runner = web.AppRunner(server, access_log=None)
        self.http: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def start(self) -> None:
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def forward(self, request: web.Request) -> web.Response:
        port, body = next(self.targets), await request.read()
        self.taken.append((int((await request.json())["update_id"]), port))
        if self.http is None:
            self.http = aiohttp.ClientSession()
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-telegram")}
        headers["Content-Type"] = "application/json"
        try:
            async with self.http.post(
                f"http://127.0.0.1:{port}/hook", data=body, headers=headers
            ) as answer:
                passed = await answer.read()  # as it is: a method to run, say
                return web.Response(
                    status=answer.status, body=passed, content_type=answer.content_type
                )
        except aiohttp.ClientError:
            return web.Response(status=502, text="bad gateway")  # Telegram tries again

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.close()
        await self.runner.cleanup()
