"""The web sandbox's routes beside the emulator's: the page and its assets, what it shows (the
people, the staff groups, one chat or topic), what a person does there, and a live stream of
changes (server-sent events)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import math
import wave
from pathlib import Path

from aiohttp import BodyPartReader, web

from bot.sandbox.people import view
from bot.sandbox.server import as_json, optional_int, user_id
from bot.sandbox.spec import Upload
from bot.sandbox.web.world import World, languages
from bot.services import operators

STATIC = Path(__file__).resolve().parent / "static"
WORLD: web.AppKey[World] = web.AppKey("world", World)
PING_SECONDS = 15.0
COALESCE_SECONDS = 0.05
MAX_UPLOAD = 20 * 1024 * 1024  # what a bot may download from Telegram


def setup(app: web.Application, world: World) -> None:
    app[WORLD] = world
    app.router.add_get("/", page)
    app.router.add_static("/static", STATIC)
    app.router.add_get("/web/state", state)
    app.router.add_get("/web/events", events)
    app.router.add_post("/web/users", new_person)
    app.router.add_get("/web/users/{user_id}/chat", chat)
    app.router.add_post("/web/users/{user_id}/role", role)
    app.router.add_post("/web/users/{user_id}/send", send)
    app.router.add_post("/web/users/{user_id}/upload", upload)
    app.router.add_post("/web/users/{user_id}/tap", tap)
    app.router.add_post("/web/reset", reset)


async def page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def state(request: web.Request) -> web.Response:
    world = request.app[WORLD]
    return as_json(
        {
            "version": world.emulator.version,
            "bot": {
                "first_name": world.emulator.bot_user["first_name"],
                "username": world.emulator.bot_user["username"],
            },
            "languages": languages(),
            "roles": list(operators.ROLES),
            "users": await world.people(),
            "groups": world.staff_groups(),
        }
    )


async def chat(request: web.Request) -> web.Response:
    """A person's chat with Porta, or a staff group's General topic, or one of its topics."""
    world, person = request.app[WORLD], user_id(request)
    emulator = world.emulator
    version = emulator.version  # what is shown is at least this new
    group_id = optional_int(request.query.get("chat_id") or None)
    thread_id = optional_int(request.query.get("thread_id") or None)
    room = emulator.member_chat(person, group_id)
    records = [r for r in room.records.values() if not r.deleted]
    title = emulator.bot_user["first_name"]
    if room.type != "private":
        title = room.title or "Group"
        if thread_id is not None:
            topic = room.topics.get(thread_id)
            if topic is None:
                raise web.HTTPNotFound()
            title = topic.name
        records = [r for r in records if r.message.get("message_thread_id") == thread_id]
    keyboard = room.reply_keyboard or {}
    toasts = [
        {"id": query_id, "text": q.text, "show_alert": q.show_alert, "answered": q.answered}
        for query_id, q in emulator.callback_queries.items()
        if q.user_id == person
    ]
    return as_json(
        {
            "version": version,
            "title": title,
            "dir": await world.direction(person) if room.type == "private" else "ltr",
            "typing": world.typing(room.id),
            "keyboard": [[b["text"] for b in row] for row in keyboard.get("keyboard", [])],
            "placeholder": keyboard.get("input_field_placeholder"),
            "toasts": toasts,
            "messages": [view(r, group=room.type != "private") for r in records],
        }
    )


async def new_person(request: web.Request) -> web.Response:
    body = await request.json()
    name = str(body.get("first_name") or "").strip()[:64]
    if not name:
        raise ValueError("a first name is needed")
    code = body.get("language_code") or None
    user = request.app[WORLD].emulator.add_user(name, code)
    request.app[WORLD].emulator.changed()
    return as_json(user)


async def role(request: web.Request) -> web.Response:
    body = await request.json()
    await request.app[WORLD].set_role(user_id(request), body.get("role") or None)
    return as_json({"ok": True})


async def send(request: web.Request) -> web.Response:
    """Text (a reply-keyboard button too), a location, a sticker or a voice note."""
    body = await request.json()
    world, person = request.app[WORLD], user_id(request)
    kind, value = str(body.get("kind", "text")), body.get("value")
    if kind not in ("text", "location", "sticker", "voice"):
        raise ValueError(f"kind {kind!r} is sent with /upload or not at all")
    if kind == "text" and not str(value or "").strip():
        raise ValueError("write something first")
    sound = Upload("voice.wav", tone(), "audio/wav") if kind == "voice" else None
    chat_id = optional_int(body.get("chat_id"))
    update_id = world.emulator.send(
        person, kind, value, chat_id, optional_int(body.get("thread_id")), upload=sound
    )
    world.track(person, chat_id, update_id)
    return as_json({"update_id": update_id})


async def upload(request: web.Request) -> web.Response:
    """A photo or a document chosen on the person's computer."""
    world, person = request.app[WORLD], user_id(request)
    fields: dict[str, str] = {}
    file: Upload | None = None
    if not request.content_type.startswith("multipart/"):
        raise ValueError("send the file as multipart/form-data")
    async for part in await request.multipart():
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        data = bytes(await part.read())
        if len(data) > MAX_UPLOAD:
            raise ValueError("the file is bigger than 20 MB")
        if part.name == "file" and part.filename:
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            file = Upload(part.filename, data, content_type)
        else:
            fields[part.name] = data.decode()
    kind = fields.get("kind", "document")
    if file is None or kind not in ("photo", "document"):
        raise ValueError("choose a photo or a document")
    value = fields.get("caption") if kind == "photo" else file.filename
    chat_id = optional_int(fields.get("chat_id") or None)
    thread_id = optional_int(fields.get("thread_id") or None)
    update_id = world.emulator.send(person, kind, value, chat_id, thread_id, upload=file)
    world.track(person, chat_id, update_id)
    return as_json({"update_id": update_id})


async def tap(request: web.Request) -> web.Response:
    body = await request.json()
    world, person = request.app[WORLD], user_id(request)
    chat_id = optional_int(body.get("chat_id"))
    update_id, query_id = world.emulator.tap_data(
        person, int(body["message_id"]), str(body["data"]), chat_id
    )
    world.track(person, chat_id, update_id)
    return as_json({"update_id": update_id, "callback_query_id": query_id})


async def reset(request: web.Request) -> web.Response:
    await request.app[WORLD].reset()
    return as_json({"ok": True})


async def events(request: web.Request) -> web.StreamResponse:
    """`data: {"version": N}` at once and after every change; a comment line keeps the
    connection open when nothing happens."""
    world = request.app[WORLD]
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    wake = asyncio.Event()
    world.emulator.listeners.add(wake)
    try:
        seen = -1
        while not world.closing:
            if world.emulator.version != seen:
                seen = world.emulator.version
                await response.write(f"data: {json.dumps({'version': seen})}\n\n".encode())
            else:
                await response.write(b": still here\n\n")
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), PING_SECONDS)
            await asyncio.sleep(COALESCE_SECONDS)  # one event for a burst of changes
    except (ConnectionResetError, RuntimeError):
        pass  # the page went away
    finally:
        world.emulator.listeners.discard(wake)
    return response


def tone(seconds: float = 1.2, rate: int = 8000) -> bytes:
    """A short fading chime as a WAV file: the sandbox's voice note, something to play."""
    frames = bytearray()
    for n in range(int(seconds * rate)):
        t = n / rate
        level = math.sin(2 * math.pi * 523.25 * t) * math.exp(-2.5 * t)
        frames += int(level * 12000).to_bytes(2, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return buffer.getvalue()
