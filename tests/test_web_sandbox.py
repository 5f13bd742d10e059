"""The web sandbox's server side: the demo world, what the page reads, what a person does
there, the live stream of changes and the reset. The page itself is tested in a real browser
(tests/test_browser.py)."""

from __future__ import annotations

import asyncio
import json

import httpx
from sqlalchemy import func, select

from bot.db.models import Activity, Operator, TeamGroup, User
from bot.sandbox.web.world import World
from tests.web import act, button, chat, settled

LUCA, AMIRA, GIULIA = 10001, 10002, 10004


async def test_the_page_its_assets_and_the_demo_world(
    world: World, http: httpx.AsyncClient
) -> None:
    page = await http.get("/")
    assert page.status_code == 200 and "<html" in page.text and 'lang="' in page.text
    script = await http.get("/static/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]

    state = (await http.get("/web/state")).json()
    people = {p["first_name"]: p for p in state["users"]}
    assert list(people) == ["Luca", "Amira", "Olena", "Giulia", "Marco", "Sara"]
    assert people["Amira"]["language_code"] == "ar" and people["Amira"]["role"] is None
    groups = {g["team"]: g for g in state["groups"]}
    assert set(groups) == {"housing", "youth"}
    assert people["Giulia"]["role"] == "housing"
    assert people["Giulia"]["groups"] == [groups["housing"]["chat_id"]]
    assert people["Marco"]["groups"] == [groups["youth"]["chat_id"]]
    assert [lang["code"] for lang in state["languages"]][:9] == [
        *("it", "en", "ar", "uk", "fr", "bn", "ur", "sq", "ro")
    ]
    async with world.sessions() as session:
        linked = {t.team: t.chat_id for t in await session.scalars(select(TeamGroup))}
        activities = await session.scalar(select(func.count()).select_from(Activity))
    assert linked == {team: g["chat_id"] for team, g in groups.items()}
    assert activities and activities >= 10
    # The bot is an administrator who may manage the topics of both groups.
    for chat_id in linked.values():
        assert world.emulator.group(chat_id).manages_topics(world.emulator.bot_id)


async def test_a_person_starts_chooses_arabic_and_the_chat_turns_right_to_left(
    world: World, http: httpx.AsyncClient
) -> None:
    assert (await chat(http, LUCA))["messages"] == []
    await act(http, world, f"/web/users/{LUCA}/send", {"kind": "text", "value": "/start"})
    shown = await chat(http, LUCA)
    welcome = shown["messages"][-1]
    assert shown["dir"] == "ltr" and "Porta" in welcome["text"] and welcome["html"]
    data = button(welcome, "العربية")
    await act(
        http, world, f"/web/users/{LUCA}/tap", {"message_id": welcome["message_id"], "data": data}
    )
    shown = await chat(http, LUCA)
    assert shown["dir"] == "rtl"
    assert shown["toasts"][-1]["answered"] is True
    assert shown["messages"][-1]["message_id"] == welcome["message_id"]  # edited in place
    assert shown["messages"][-1]["edited"] is True
    assert (await chat(http, AMIRA))["dir"] == "rtl"  # Telegram set to Arabic
    async with world.sessions() as session:
        user = await session.get(User, LUCA)
    assert user is not None and user.language == "ar"


async def test_roles_make_staff_members_of_their_teams_groups(
    world: World, http: httpx.AsyncClient
) -> None:
    await act(http, world, f"/web/users/{LUCA}/role", {"role": "admin"})
    state = (await http.get("/web/state")).json()
    luca = next(p for p in state["users"] if p["id"] == LUCA)
    assert luca["role"] == "admin" and len(luca["groups"]) == 2
    await act(http, world, f"/web/users/{LUCA}/role", {"role": "youth"})
    state = (await http.get("/web/state")).json()
    luca = next(p for p in state["users"] if p["id"] == LUCA)
    youth = next(g["chat_id"] for g in state["groups"] if g["team"] == "youth")
    assert luca["role"] == "youth" and luca["groups"] == [youth]
    await act(http, world, f"/web/users/{LUCA}/role", {"role": None})
    async with world.sessions() as session:
        assert await session.get(Operator, LUCA) is None
    luca = next(p for p in (await http.get("/web/state")).json()["users"] if p["id"] == LUCA)
    assert luca["role"] is None and luca["groups"] == []
    # Someone outside a group cannot read it; a made-up role is refused.
    outside = await http.get(f"/web/users/{LUCA}/chat", params={"chat_id": youth})
    assert outside.status_code == 400 and "not a member" in outside.json()["error"]
    wrong = await http.post(f"/web/users/{LUCA}/role", json={"role": "mayor"})
    assert wrong.status_code == 400


async def test_new_people_and_bad_input_get_clear_answers(
    world: World, http: httpx.AsyncClient
) -> None:
    made = await http.post("/web/users", json={"first_name": "Hans", "language_code": "de"})
    assert made.status_code == 200
    hans = made.json()["id"]
    await act(http, world, f"/web/users/{hans}/send", {"kind": "text", "value": "/start"})
    welcome = (await chat(http, hans))["messages"][-1]
    assert welcome["text"].startswith("👋 Ciao!")  # German is not in Porta: Italian
    for path, body in (
        ("/web/users", {"first_name": "  "}),
        (f"/web/users/{hans}/send", {"kind": "text", "value": ""}),
        (f"/web/users/{hans}/send", {"kind": "photo"}),
        (f"/web/users/{hans}/tap", {"message_id": 999, "data": "x"}),
        ("/web/users/424242/send", {"kind": "text", "value": "hi"}),
    ):
        answer = await http.post(path, json=body)
        assert answer.status_code == 400 and answer.json()["error"], path
    missing = await http.post(f"/web/users/{hans}/upload", data={"kind": "photo"})
    assert missing.status_code == 400


async def test_documents_photos_and_voice_notes_are_real_files(
    world: World, http: httpx.AsyncClient
) -> None:
    files = {"file": ("orario.pdf", b"%PDF-1.4 demo", "application/pdf")}
    sent = await http.post(f"/web/users/{LUCA}/upload", data={"kind": "document"}, files=files)
    assert sent.status_code == 200
    await settled(world)
    await act(http, world, f"/web/users/{LUCA}/send", {"kind": "voice"})
    messages = (await chat(http, LUCA))["messages"]
    document = next(m["document"] for m in messages if "document" in m)
    assert document["file_name"] == "orario.pdf" and document["mime_type"] == "application/pdf"
    download = await http.get(f"/sandbox/files/{document['file_id']}", params={"download": 1})
    assert download.content == b"%PDF-1.4 demo"
    assert download.headers["content-disposition"].startswith("attachment;")
    voice = next(m["voice"] for m in messages if "voice" in m)
    assert voice["duration"] == 1  # as long as the sound plays
    sound = await http.get(f"/sandbox/files/{voice['file_id']}")
    assert sound.content[:4] == b"RIFF" and sound.headers["content-type"] == "audio/wav"


async def test_the_live_stream_tells_of_every_change(world: World, http: httpx.AsyncClient) -> None:
    versions: list[int] = []
    first = asyncio.Event()

    async def listen() -> None:
        async with http.stream("GET", "/web/events") as stream:
            async for line in stream.aiter_lines():
                if line.startswith("data: "):
                    versions.append(json.loads(line[6:])["version"])
                    first.set()
                    if len(versions) == 2:
                        return

    listening = asyncio.create_task(listen())
    await asyncio.wait_for(first.wait(), 10)
    await act(http, world, f"/web/users/{AMIRA}/send", {"kind": "text", "value": "/start"})
    await asyncio.wait_for(listening, 10)
    assert versions[1] > versions[0]


async def test_reset_starts_again_from_the_demo_set(world: World, http: httpx.AsyncClient) -> None:
    await act(http, world, f"/web/users/{LUCA}/send", {"kind": "text", "value": "/start"})
    await act(http, world, f"/web/users/{GIULIA}/role", {"role": None})
    made = await http.post("/web/users", json={"first_name": "Nora", "language_code": "sq"})
    assert made.status_code == 200
    groups = (await http.get("/web/state")).json()["groups"]
    assert (await http.post("/web/reset")).status_code == 200
    state = (await http.get("/web/state")).json()
    assert [g["chat_id"] for g in state["groups"]] == [g["chat_id"] for g in groups]
    assert [p["first_name"] for p in state["users"]][-1] == "Sara"  # Nora is gone
    assert next(p for p in state["users"] if p["id"] == GIULIA)["role"] == "housing"
    assert (await chat(http, LUCA))["messages"] == []
    async with world.sessions() as session:
        assert await session.get(User, LUCA) is None
    # Porta runs again: a new /start is answered.
    await act(http, world, f"/web/users/{LUCA}/send", {"kind": "text", "value": "/start"})
    assert (await chat(http, LUCA))["messages"][-1]["from"] == "bot"
