"""HTTP for the emulator: the Bot API at /bot<token>/<method>, the user side at /sandbox/."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from aiohttp import BodyPartReader, web

from bot.sandbox.emulator import DropConnection
from bot.sandbox.people import Emulator, SandboxError
from bot.sandbox.spec import Upload

EMULATOR: web.AppKey[Emulator] = web.AppKey("emulator", Emulator)
BAD_GATEWAY = "<html><head><title>502 Bad Gateway</title></head><body>502</body></html>"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def bot_api(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR]
    if emulator.outage == "refuse":  # a connection opened before the outage
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)
    if emulator.outage == "502":
        return web.Response(status=502, text=BAD_GATEWAY, content_type="text/html")
    params: dict[str, Any] = dict(request.query)
    form = True
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        if not isinstance(body, dict):
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: expected a JSON object",
                },
                status=400,
            )
        params.update(body)
        form = False
    elif request.content_type.startswith("multipart/"):
        async for part in await request.multipart():
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            data = await part.read()
            if part.filename:
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                params[part.name] = Upload(part.filename, bytes(data), content_type)
            else:
                params[part.name] = bytes(data).decode()
    elif request.can_read_body:
        params.update(await request.post())
    # A parameter that is an attach:// reference names a multipart part.
    for name, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[name] = params.pop(value.removeprefix("attach://"), value)
    try:
        answer = await emulator.call(
            request.match_info["token"], request.match_info["method"], params, form=form
        )
    except DropConnection:
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)
    return web.json_response(
        answer,
        status=200 if answer["ok"] else answer["error_code"],
        dumps=lambda o: json.dumps(o, ensure_ascii=False),
    )


@web.middleware
async def sandbox_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except SandboxError as error:
        return web.json_response({"error": str(error)}, status=400)
    except (KeyError, ValueError, TypeError) as error:
        return web.json_response({"error": f"bad request: {error}"}, status=400)


def user_id(request: web.Request) -> int:
    return int(request.match_info["user_id"])


def chat_id(request: web.Request) -> int:
    return int(request.match_info["chat_id"])


def as_json(data: Any) -> web.Response:
    return web.json_response(data, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


async def add_user(request: web.Request) -> web.Response:
    body = await request.json()
    user = request.app[EMULATOR].add_user(
        body.get("first_name", "Sam"), body.get("language_code"), body.get("id")
    )
    return web.json_response(user)


async def add_group(request: web.Request) -> web.Response:
    body = await request.json()
    emulator = request.app[EMULATOR]
    chat = emulator.add_group(body.get("title", "Group"), bool(body.get("forum", False)))
    return web.json_response({"chat_id": chat})


async def add_member(request: web.Request) -> web.Response:
    """{"user_id", "status", and for an administrator any can_... rights}."""
    body = await request.json()
    rights = {k: v for k, v in body.items() if k not in ("user_id", "status")}
    member = request.app[EMULATOR].add_member(
        chat_id(request), int(body["user_id"]), body.get("status", "member"), **rights
    )
    return as_json({"member": member})


async def bot_rights(request: web.Request) -> web.Response:
    """{"status", "can_manage_topics", and any other can_... rights}."""
    body = await request.json()
    emulator = request.app[EMULATOR]
    rights = {k: v for k, v in body.items() if k not in ("status", "can_manage_topics")}
    update_id = emulator.set_bot_rights(
        chat_id(request),
        body.get("status", "administrator"),
        bool(body.get("can_manage_topics", True)),
        **rights,
    )
    answer: dict[str, Any] = {"member": emulator.group(chat_id(request)).members[emulator.bot_id]}
    if update_id is not None:
        answer["update_id"] = update_id
    return as_json(answer)


async def create_topic(request: web.Request) -> web.Response:
    """{"name", optional "user_id" (an administrator; else an anonymous one), "icon_color"}."""
    body = await request.json()
    emulator = request.app[EMULATOR]
    extra = {"icon_color": int(body["icon_color"])} if "icon_color" in body else {}
    thread_id, update_id = emulator.create_topic_update(
        chat_id(request), body["name"], optional_int(body.get("user_id")), **extra
    )
    return web.json_response({"message_thread_id": thread_id, "update_id": update_id})


async def close_topic(request: web.Request) -> web.Response:
    """{"closed": true or false, optional "user_id"}: a person closes or reopens a topic."""
    body = await request.json()
    update_id = request.app[EMULATOR].close_topic(
        chat_id(request),
        int(request.match_info["thread_id"]),
        bool(body.get("closed", True)),
        optional_int(body.get("user_id")),
    )
    return web.json_response({"update_id": update_id})


async def topics(request: web.Request) -> web.Response:
    return as_json(request.app[EMULATOR].topics(chat_id(request)))


async def topic_messages(request: web.Request) -> web.Response:
    thread_id = int(request.match_info["thread_id"])
    return as_json(request.app[EMULATOR].topic_messages(chat_id(request), thread_id))


async def send(request: web.Request) -> web.Response:
    body = await request.json()
    update_id = request.app[EMULATOR].send(
        user_id(request),
        body.get("kind", "text"),
        body.get("value"),
        optional_int(body.get("chat_id")),
        optional_int(body.get("thread_id")),
    )
    return web.json_response({"update_id": update_id})


async def edit(request: web.Request) -> web.Response:
    body = await request.json()
    update_id = request.app[EMULATOR].edit(user_id(request), body["message_id"], body["text"])
    return web.json_response({"update_id": update_id})


async def tap(request: web.Request) -> web.Response:
    body = await request.json()
    emulator = request.app[EMULATOR]
    chat = optional_int(body.get("chat_id"))
    if "data" in body:
        update_id, query_id = emulator.tap_data(
            user_id(request), body["message_id"], body["data"], chat
        )
    else:
        update_id, query_id = emulator.tap(
            user_id(request), body["label"], body.get("message_id"), chat
        )
    return web.json_response({"update_id": update_id, "callback_query_id": query_id})


async def block(request: web.Request) -> web.Response:
    body = await request.json()
    update_id = request.app[EMULATOR].set_blocked(user_id(request), bool(body.get("blocked", True)))
    return web.json_response({"update_id": update_id})


async def chat(request: web.Request) -> web.Response:
    chat = optional_int(request.query.get("chat_id") or None)
    emulator = request.app[EMULATOR]
    return web.json_response(
        {
            "messages": emulator.transcript(user_id(request), chat),
            "keyboard": emulator.reply_labels(user_id(request), chat),
            "toasts": emulator.toasts(user_id(request)),
        },
        dumps=lambda o: json.dumps(o, ensure_ascii=False),
    )


async def file(request: web.Request) -> web.Response:
    upload = request.app[EMULATOR].files.get(request.match_info["file_id"])
    if upload is None:
        raise web.HTTPNotFound()
    headers = {"Content-Type": upload.content_type}
    if request.query.get("download"):
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(upload.filename)}"
    return web.Response(body=upload.content, headers=headers)


async def calls(request: web.Request) -> web.Response:
    since = int(request.query.get("since", 0))
    return web.json_response(
        [asdict(c) for c in request.app[EMULATOR].calls[since:]],
        dumps=lambda o: json.dumps(o, ensure_ascii=False, default=str),
    )


async def bot_state(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR]
    return web.json_response(
        {
            "commands": {
                f"{scope}:{lang}": cmds for (scope, lang), cmds in emulator.commands.items()
            },
            "descriptions": emulator.descriptions,
            "short_descriptions": emulator.short_descriptions,
            "delivered_up_to": emulator.delivered_up_to,
            "unanswered_callback_queries": emulator.unanswered_queries(),
            "expired_callback_queries": emulator.expired_queries(),
        },
        dumps=lambda o: json.dumps(o, ensure_ascii=False),
    )


def create_app(
    emulator: Emulator, extend: Callable[[web.Application], None] | None = None
) -> web.Application:
    """The emulator's routes; `extend` adds more (the web sandbox's page) before start."""
    app = web.Application(middlewares=[sandbox_errors], client_max_size=60 * 1024 * 1024)
    app[EMULATOR] = emulator
    if extend is not None:
        extend(app)
    app.router.add_route("*", "/bot{token}/{method}", bot_api)
    app.router.add_post("/sandbox/users", add_user)
    app.router.add_post("/sandbox/groups", add_group)
    app.router.add_post("/sandbox/groups/{chat_id}/members", add_member)
    app.router.add_post("/sandbox/groups/{chat_id}/bot", bot_rights)
    app.router.add_post("/sandbox/groups/{chat_id}/topics", create_topic)
    app.router.add_get("/sandbox/groups/{chat_id}/topics", topics)
    app.router.add_post("/sandbox/groups/{chat_id}/topics/{thread_id}", close_topic)
    app.router.add_get("/sandbox/groups/{chat_id}/topics/{thread_id}", topic_messages)
    app.router.add_post("/sandbox/users/{user_id}/send", send)
    app.router.add_post("/sandbox/users/{user_id}/edit", edit)
    app.router.add_post("/sandbox/users/{user_id}/tap", tap)
    app.router.add_post("/sandbox/users/{user_id}/block", block)
    app.router.add_get("/sandbox/users/{user_id}/chat", chat)
    app.router.add_get("/sandbox/files/{file_id}", file)
    app.router.add_get("/sandbox/calls", calls)
    app.router.add_get("/sandbox/bot", bot_state)
    return app


class EmulatorServer:
    """The emulator served on 127.0.0.1; port 0 picks a free one."""

    def __init__(
        self,
        emulator: Emulator,
        host: str = "127.0.0.1",
        port: int = 0,
        extend: Callable[[web.Application], None] | None = None,
    ) -> None:
        self.emulator, self.host, self.port = emulator, host, port
        self.runner = web.AppRunner(
            create_app(emulator, extend), access_log=None, shutdown_timeout=2
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def bot_api_base(self) -> str:
        """The TELEGRAM_API_BASE_URL that points a bot at this emulator."""
        return f"{self.url}/bot"

    async def start(self) -> None:
        await self.runner.setup()
        await self._listen()

    async def _listen(self) -> None:
        self.site = web.TCPSite(self.runner, self.host, self.port)
        await self.site.start()
        server = self.site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def refuse_connections(self) -> None:
        """The Bot API goes away: new connections are refused, open ones dropped."""
        self.emulator.outage = "refuse"
        await self.site.stop()

    async def accept_connections(self) -> None:
        """The Bot API is back, on the same address."""
        await self._listen()
        self.emulator.outage = None

    async def stop(self) -> None:
        self.emulator.update_event.set()
        await self.emulator.stop_webhook_delivery()
        await self.runner.cleanup()
