"""The emulator is as strict as Telegram: checked over HTTP, as a bot would call it."""

from __future__ import annotations

import asyncio
import json
import struct
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.sandbox.limits import Limits
from bot.sandbox.people import Emulator
from bot.sandbox.server import EmulatorServer
from bot.sandbox.voice import MAX_VOICE_BYTES, opus_problem

TOKEN = "123456:SANDBOX"


class Api:
    def __init__(self, http: httpx.AsyncClient, emulator: Emulator) -> None:
        self.http, self.emulator = http, emulator

    async def __call__(
        self, method: str, token: str = TOKEN, **params: Any
    ) -> tuple[int, dict[str, Any]]:
        """Call like python-telegram-bot: form-encoded, objects as JSON strings."""
        form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        response = await self.http.post(f"/bot{token}/{method}", data=form)
        return response.status_code, response.json()


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    emulator = Emulator(limits=Limits())
    server = EmulatorServer(emulator)
    await server.start()
    async with httpx.AsyncClient(base_url=server.url) as http:
        yield Api(http, emulator)
    await server.stop()


@pytest.fixture
def chat(api: Api) -> int:
    return int(api.emulator.add_user("Sam", "en")["id"])


def error(status: int, body: dict[str, Any]) -> tuple[int, str]:
    assert body["ok"] is False and body["error_code"] == status
    return status, body["description"]


async def test_get_me_and_a_wrong_token(api: Api) -> None:
    status, body = await api("getMe")
    assert status == 200 and body["result"]["is_bot"] is True
    assert error(*await api("getMe", token="1:WRONG")) == (401, "Unauthorized")
    assert error(*await api("sendTelepathy")) == (404, "Not Found")


async def test_method_names_are_case_insensitive(api: Api) -> None:
    status, _ = await api("getme")
    assert status == 200


async def test_required_and_typed_parameters(api: Api, chat: int) -> None:
    assert error(*await api("sendMessage", text="hi")) == (400, "Bad Request: chat_id is empty")
    assert error(*await api("sendMessage", chat_id=chat)) == (400, "Bad Request: text is empty")
    _, text = error(
        *await api("sendMessage", chat_id=chat, text="hi", disable_notification="maybe")
    )
    assert "disable_notification must be a Boolean" in text
    assert error(*await api("sendMessage", chat_id=424242, text="hi")) == (
        400,
        "Bad Request: chat not found",
    )
    _, text = error(
        *await api(
            "sendVenue", chat_id=chat, latitude="north", longitude=10, title="Hub", address="Via"
        )
    )
    assert "latitude must be a Float" in text


async def test_text_and_caption_lengths(api: Api, chat: int) -> None:
    ok, _ = await api("sendMessage", chat_id=chat, text="é" * 4096)
    assert ok == 200
    api.emulator.limits.enabled = False
    assert error(*await api("sendMessage", chat_id=chat, text="x" * 4097)) == (
        400,
        "Bad Request: message is too long",
    )
    assert error(*await api("sendMessage", chat_id=chat, text="   ")) == (
        400,
        "Bad Request: message text is empty",
    )
    # Telegram counts UTF-16 code units: an emoji outside the BMP counts twice.
    assert error(*await api("sendMessage", chat_id=chat, text="😀" * 2049))[0] == 400
    # The limit applies to the text after entities are parsed.
    ok, _ = await api(
        "sendMessage", chat_id=chat, text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML"
    )
    assert ok == 200
    files = {"document": ("a.txt", b"hello", "text/plain")}
    response = await api.http.post(
        f"/bot{TOKEN}/sendDocument", data={"chat_id": str(chat), "caption": "c" * 1025}, files=files
    )
    assert response.json()["description"] == "Bad Request: message caption is too long"


async def test_html_must_be_well_formed_with_telegrams_tags(api: Api, chat: int) -> None:
    api.emulator.limits.enabled = False
    for text, reason in [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("fish & chips", "Unexpected end of name token"),
        ("a &nbsp; b", 'Unsupported HTML entity "&nbsp;" at byte offset 2'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ]:
        _status, description = error(
            *await api("sendMessage", chat_id=chat, text=text, parse_mode="HTML")
        )
        assert description == f"Bad Request: can't parse entities: {reason}"
    ok, body = await api(
        "sendMessage",
        chat_id=chat,
        text='<b>a</b> &lt;3 <a href="https://x.it">l</a>',
        parse_mode="HTML",
    )
    assert ok == 200 and body["result"]["text"] == "a <3 l"


async def test_inline_buttons_need_exactly_one_action_and_short_data(api: Api, chat: int) -> None:
    api.emulator.limits.enabled = False

    async def send(button: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return await api(
            "sendMessage", chat_id=chat, text="pick", reply_markup={"inline_keyboard": [[button]]}
        )

    assert (await send({"text": "ok", "callback_data": "x" * 64}))[0] == 200
    assert error(*await send({"text": "ok", "callback_data": "é" * 33})) == (
        400,
        "Bad Request: BUTTON_DATA_INVALID",
    )
    assert error(*await send({"text": "ok", "callback_data": ""})) == (
        400,
        "Bad Request: BUTTON_DATA_INVALID",
    )
    _, text = error(*await send({"text": "no action"}))
    assert "Text buttons are unallowed in the inline keyboard" in text
    _, text = error(*await send({"text": "two", "callback_data": "a", "url": "https://x.it"}))
    assert "exactly one action" in text
    _, text = error(*await send({"text": "odd", "callback_data": "a", "colour": "red"}))
    assert "unknown field 'colour'" in text


async def test_identical_edits_are_not_modified(api: Api, chat: int) -> None:
    _, body = await api("sendMessage", chat_id=chat, text="hello")
    message_id = body["result"]["message_id"]
    _, text = error(
        *await api("editMessageText", chat_id=chat, message_id=message_id, text="hello")
    )
    assert text.startswith("Bad Request: message is not modified")
    ok, body = await api("editMessageText", chat_id=chat, message_id=message_id, text="hello again")
    assert ok == 200 and body["result"]["text"] == "hello again"
    assert error(*await api("editMessageText", chat_id=chat, message_id=999, text="x")) == (
        400,
        "Bad Request: message to edit not found",
    )
    assert error(*await api("editMessageReplyMarkup", chat_id=chat, message_id=message_id))[
        1
    ].startswith("Bad Request: message is not modified")
    ok, _ = await api("deleteMessage", chat_id=chat, message_id=message_id)
    assert ok == 200
    assert error(*await api("deleteMessage", chat_id=chat, message_id=message_id)) == (
        400,
        "Bad Request: message to delete not found",
    )


async def test_rate_limits_answer_429_with_retry_after(api: Api) -> None:
    api.emulator.limits = Limits(clock=lambda: 1000.0)  # time stands still
    one = int(api.emulator.add_user("One", "en")["id"])
    statuses = [(await api("sendMessage", chat_id=one, text=f"m{i}"))[0] for i in range(4)]
    assert statuses == [200, 200, 200, 429]  # a burst of three, then about one a second
    _, body = await api("sendMessage", chat_id=one, text="again")
    assert body["description"] == "Too Many Requests: retry after 1"
    assert body["parameters"]["retry_after"] == 1

    api.emulator.limits = Limits(clock=lambda: 1000.0)
    people = [int(api.emulator.add_user(f"P{i}", "en")["id"]) for i in range(31)]
    results = [(await api("sendMessage", chat_id=p, text="hi"))[0] for p in people]
    assert results.count(200) == 30 and results[-1] == 429  # 30 a second overall


async def test_a_blocked_user_answers_403(api: Api, chat: int) -> None:
    api.emulator.set_blocked(chat, True)
    assert error(*await api("sendMessage", chat_id=chat, text="hi")) == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    api.emulator.set_blocked(chat, False)
    assert (await api("sendMessage", chat_id=chat, text="hi"))[0] == 200


async def test_get_updates_has_offset_semantics(api: Api, chat: int) -> None:
    first = api.emulator.send(chat, "text", "one")
    second = api.emulator.send(chat, "text", "two")
    _, body = await api("getUpdates")
    assert [u["update_id"] for u in body["result"]] == [first, second]
    _, body = await api("getUpdates", limit=1)
    assert [u["update_id"] for u in body["result"]] == [first]  # not confirmed yet
    _, body = await api("getUpdates", offset=second)
    assert [u["update_id"] for u in body["result"]] == [second]  # the first is confirmed
    _, body = await api("getUpdates", offset=second + 1)
    assert body["result"] == []
    _, body = await api("getUpdates", offset=first)
    assert body["result"] == []  # confirmed updates are gone for good
    third = api.emulator.send(chat, "text", "three")
    _, body = await api("getUpdates", offset=-1)
    assert [u["update_id"] for u in body["result"]] == [third]


async def test_long_polling_waits_for_an_update_or_the_timeout(api: Api, chat: int) -> None:
    started = time.monotonic()
    _, body = await api("getUpdates", timeout=1)
    assert body["result"] == [] and time.monotonic() - started >= 0.9

    async def later() -> None:
        await asyncio.sleep(0.2)
        api.emulator.send(chat, "text", "hello")

    task = asyncio.create_task(later())
    started = time.monotonic()
    _, body = await api("getUpdates", timeout=10)
    await task
    assert body["result"][0]["message"]["text"] == "hello"
    assert time.monotonic() - started < 5


async def test_callback_queries_are_answered_once(api: Api, chat: int) -> None:
    _, _body = await api(
        "sendMessage",
        chat_id=chat,
        text="pick",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    _, query_id = api.emulator.tap(chat, "A")
    assert api.emulator.unanswered_queries() == [query_id]
    assert (await api("answerCallbackQuery", callback_query_id=query_id, text="ok"))[0] == 200
    _, text = error(*await api("answerCallbackQuery", callback_query_id=query_id))
    assert text.startswith("Bad Request: query is too old")
    assert api.emulator.unanswered_queries() == []


async def test_commands_descriptions_and_the_call_log(api: Api) -> None:
    commands = [{"command": "start", "description": "Start"}]
    assert (await api("setMyCommands", commands=commands, language_code="ar"))[0] == 200
    bad = [{"command": "Start-Now", "description": "x"}]
    assert error(*await api("setMyCommands", commands=bad)) == (
        400,
        "Bad Request: BOT_COMMAND_INVALID",
    )
    assert error(*await api("setMyDescription", description="x" * 513))[0] == 400
    assert api.emulator.commands[("default", "ar")] == commands
    assert [(c.method, c.ok) for c in api.emulator.calls] == [
        ("setMyCommands", True),
        ("setMyCommands", False),
        ("setMyDescription", False),
    ]


async def test_users_see_reply_keyboards_and_documents(api: Api, chat: int) -> None:
    keyboard = {"keyboard": [[{"text": "🗓 Activities"}]], "resize_keyboard": True}
    await api("sendMessage", chat_id=chat, text="menu", reply_markup=keyboard)
    assert api.emulator.reply_labels(chat) == ["🗓 Activities"]
    _update_id, query_id = api.emulator.tap(chat, "🗓 Activities")
    assert query_id == "" and api.emulator.updates[-1]["message"]["text"] == "🗓 Activities"
    files = {"document": ("data.json", b"{}", "application/json")}
    response = await api.http.post(
        f"/bot{TOKEN}/sendDocument", data={"chat_id": str(chat)}, files=files
    )
    document = response.json()["result"]["document"]
    assert document["file_name"] == "data.json"
    assert (await api.http.get(f"/sandbox/files/{document['file_id']}")).content == b"{}"


def test_the_overall_limit_counted_as_a_sliding_window_on_arrival() -> None:
    now = [1000.0]
    limits = Limits(overall_counter="window", clock=lambda: now[0])
    for chat in range(30):  # 30 different chats within one second: all admitted
        now[0] += 0.01
        assert limits.admit(1 + chat) == 0
    now[0] += 0.01
    assert limits.admit(99) == 1  # the 31st within the second waits
    now[0] = 1000.0 + 1.02  # the first arrival has left the window
    assert limits.admit(100) == 0


# -- voice notes: OGG with an Opus stream in one channel, at most 50 MB -------------------

PRE_SKIP = 312


def page(payload: bytes, granule: int, sequence: int, flags: int = 0) -> bytes:
    """One Ogg page holding one packet (shorter than 255 bytes); the checksum is not read."""
    header = b"OggS" + bytes([0, flags]) + struct.pack("<qIII", granule, 7, sequence, 0)
    return header + bytes([1, len(payload)]) + payload


def ogg_opus(seconds: float, channels: int = 1) -> bytes:
    head = b"OpusHead" + bytes([1, channels]) + struct.pack("<HIhB", PRE_SKIP, 48_000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 5) + b"Porta" + struct.pack("<I", 0)
    last = int(seconds * 48_000) + PRE_SKIP
    return page(head, 0, 0, 2) + page(tags, 0, 1) + page(b"\xfc" * 40, last, 2, 4)


async def send_voice(
    api: Api, chat_id: int, name: str, content: bytes, mime: str
) -> tuple[int, dict[str, Any]]:
    files = {"voice": (name, content, mime)}
    response = await api.http.post(
        f"/bot{TOKEN}/sendVoice", data={"chat_id": str(chat_id)}, files=files
    )
    return response.status_code, response.json()


async def test_a_mono_ogg_opus_note_is_a_voice_with_its_duration(api: Api, chat: int) -> None:
    status, body = await send_voice(api, chat, "note.ogg", ogg_opus(3.2), "audio/ogg")
    assert status == 200
    voice = body["result"]["voice"]
    assert voice["duration"] == 3 and voice["mime_type"] == "audio/ogg"
    assert voice["file_id"].startswith("voice-") and voice["file_size"] == len(ogg_opus(3.2))
    again = await api("sendVoice", chat_id=chat, voice=voice["file_id"])
    assert again[0] == 200 and again[1]["result"]["voice"]["duration"] == 3


async def test_anything_else_is_refused_as_telegram_would(api: Api, chat: int) -> None:
    stereo = await send_voice(api, chat, "s.ogg", ogg_opus(2, channels=2), "audio/ogg")
    assert error(*stereo) == (400, "Bad Request: wrong file type: a voice note has one channel")
    mp3 = await send_voice(api, chat, "song.mp3", b"ID3\x03" + b"\x00" * 200, "audio/mpeg")
    assert error(*mp3) == (400, "Bad Request: wrong file type: a voice note must be OGG")
    vorbis = ogg_opus(2).replace(b"OpusHead", b"\x01vorbis\x00")
    assert error(*await send_voice(api, chat, "v.ogg", vorbis, "audio/ogg"))[1].endswith(
        "Opus stream"
    )
    files = {"document": ("a.txt", b"hello", "text/plain")}
    sent = await api.http.post(
        f"/bot{TOKEN}/sendDocument", data={"chat_id": str(chat)}, files=files
    )
    document_id = sent.json()["result"]["document"]["file_id"]
    assert error(*await api("sendVoice", chat_id=chat, voice=document_id)) == (
        400, "Bad Request: wrong file identifier/HTTP URL specified",
    )  # fmt: skip
    assert opus_problem(ogg_opus(1) + b"\x00" * MAX_VOICE_BYTES) == "file is too big"


async def test_chat_actions_are_telegrams_own(api: Api, chat: int) -> None:
    for action in ("record_voice", "upload_voice", "upload_document", "typing"):
        assert (await api("sendChatAction", chat_id=chat, action=action))[0] == 200
    assert error(*await api("sendChatAction", chat_id=chat, action="dancing")) == (
        400, "Bad Request: wrong parameter action in request",
    )  # fmt: skip
