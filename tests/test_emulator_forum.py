"""Supergroups with forum topics, copyMessage and chat membership in the emulator, checked
over HTTP: the Bot API as a bot calls it, the people through the sandbox client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.sandbox.client import SandboxClient, SandboxUser
from bot.sandbox.limits import Limits
from bot.sandbox.people import Emulator
from bot.sandbox.server import EmulatorServer

TOKEN = "123456:SANDBOX"
BOT_ID = 123456
FORUM_JSON = {"type": "supergroup", "title": "Team", "is_forum": True}
NO_THREAD = "message thread not found"


class Api:
    def __init__(self, http: httpx.AsyncClient, emulator: Emulator, people: SandboxClient) -> None:
        self.http, self.emulator, self.people = http, emulator, people

    async def __call__(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        """Call like python-telegram-bot: form-encoded, objects as JSON strings."""
        form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        response = await self.http.post(f"/bot{TOKEN}/{method}", data=form)
        return response.status_code, response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self(method, **params)
        assert status == 200, body
        return body["result"]

    async def refused(self, description: str, method: str, **params: Any) -> None:
        """Assert Telegram's answer: 'Forbidden: ...' is a 403, anything else a 400."""
        status, body = await self(method, **params)
        code = 403 if description.startswith("Forbidden") else 400
        full = description if code == 403 else f"Bad Request: {description}"
        assert (status, body["error_code"], body["description"]) == (code, code, full)

    async def topic(self, chat_id: int, name: str = "Case") -> int:
        topic = await self.ok("createForumTopic", chat_id=chat_id, name=name)
        return int(topic["message_thread_id"])

    async def updates(self, kind: str) -> list[dict[str, Any]]:
        return [u[kind] for u in await self.ok("getUpdates", timeout=0) if kind in u]


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    server = EmulatorServer(Emulator(limits=Limits()))
    await server.start()
    async with httpx.AsyncClient(base_url=server.url) as http:
        yield Api(http, server.emulator, SandboxClient(server.url))
    await server.stop()


@pytest.fixture
async def people(api: Api) -> AsyncIterator[SandboxClient]:
    yield api.people
    await api.people.close()


async def team(people: SandboxClient, *, admin: bool = True, forum: bool = True) -> int:
    """A supergroup "Team" (a forum unless told) where the bot manages topics (unless told)."""
    group = await people.add_group("Team", forum=forum)
    if admin:
        await people.set_bot_rights(group)
    return group


async def member(
    people: SandboxClient, group: int, name: str, status: str = "member", **rights: bool
) -> SandboxUser:
    user = await people.add_user(name)
    await people.add_member(group, user.id, status, **rights)
    return user


async def test_create_topic_needs_a_forum_and_the_right(api: Api, people: SandboxClient) -> None:
    plain, forum = await team(people, forum=False), await team(people, admin=False)
    chat = await api.ok("getChat", chat_id=forum)
    assert chat == chat | {"id": forum, **FORUM_JSON}
    assert "is_forum" not in await api.ok("getChat", chat_id=plain)
    await api.refused("the chat is not a forum", "createForumTopic", chat_id=plain, name="Case")
    no_rights = "not enough rights to create a topic"
    await api.refused(no_rights, "createForumTopic", chat_id=forum, name="Case")
    await people.set_bot_rights(forum, can_manage_topics=False)
    await api.refused(no_rights, "createForumTopic", chat_id=forum, name="Case")
    me = await api.ok("getChatMember", chat_id=forum, user_id=BOT_ID)
    assert (me["status"], me["can_manage_topics"]) == ("administrator", False)
    await people.set_bot_rights(forum)
    topic = await api.ok("createForumTopic", chat_id=forum, name="Case 1", icon_color=16766590)
    assert topic == topic | {"name": "Case 1", "icon_color": 16766590} and len(topic) == 3
    assert await people.topics(forum) == [topic | {"closed": False}]
    for name, error in [("", "EMPTY"), ("  ", "EMPTY"), ("x" * 129, "TOO_LONG")]:
        await api.refused(f"TOPIC_TITLE_{error}", "createForumTopic", chat_id=forum, name=name)
    assert (await api.ok("createForumTopic", chat_id=forum, name="é" * 128))["name"] == "é" * 128
    assert (await api("createForumTopic", chat_id=forum, name="Case", icon_color=1))[0] == 400


async def test_every_send_and_reply_goes_into_a_topic(api: Api, people: SandboxClient) -> None:
    forum = await team(people)
    thread = await api.topic(forum)
    where = {"chat_id": forum, "message_thread_id": thread}
    place = {"latitude": 43.8, "longitude": 10.5}
    sent = [
        await api.ok("sendMessage", **where, text="hi"),
        await api.ok("sendVenue", **where, **place, title="Hub", address="Via 1"),
        await api.ok("sendLocation", **where, **place),
    ]
    for method, kind in [("sendPhoto", "photo"), ("sendDocument", "document")]:
        upload = {kind: ("map.jpg", b"\xff\xd8" + b"0" * 64, "image/jpeg")}
        form = {k: str(v) for k, v in where.items()}
        response = await api.http.post(f"/bot{TOKEN}/{method}", data=form, files=upload)
        sent.append(response.json()["result"])
    for message in sent:
        assert (message["message_thread_id"], message["is_topic_message"]) == (thread, True)
        assert message["reply_to_message"]["forum_topic_created"]["name"] == "Case"
        assert message["chat"] == {"id": forum, **FORUM_JSON}
    assert await api.ok("sendChatAction", **where, action="typing")
    general = await api.ok("sendMessage", chat_id=forum, text="to everyone")
    assert "message_thread_id" not in general and "is_topic_message" not in general
    shown = await people.topic_messages(forum, thread)
    assert [m["message_id"] for m in shown] == [thread, *(m["message_id"] for m in sent)]
    plain, private = await team(people, forum=False), (await people.add_user("Sam")).id
    general_id = general["message_id"]
    for chat, thread_id in [(forum, 99), (plain, 99), (private, 99), (forum, general_id)]:
        where = {"chat_id": chat, "message_thread_id": thread_id}
        await api.refused(NO_THREAD, "sendMessage", **where, text="hi")
        await api.refused(NO_THREAD, "sendChatAction", **where, action="typing")
    staff = await member(people, forum, "Ada")
    await staff.send("Can you call her?", forum, thread)
    asked = (await people.topic_messages(forum, thread))[-1]["message_id"]
    reply = {"chat_id": forum, "reply_parameters": {"message_id": asked}}
    answer = await api.ok("sendMessage", **reply, text="Done", message_thread_id=thread)
    assert answer["reply_to_message"]["message_id"] == asked
    # A reply to a message in a topic goes into that topic even without message_thread_id.
    again = await api.ok("sendMessage", **reply, text="Also")
    assert (again["message_thread_id"], again["reply_to_message"]["message_id"]) == (thread, asked)


async def test_edit_close_reopen_and_rights(api: Api, people: SandboxClient) -> None:
    forum = await team(people)
    await api.ok("sendMessage", chat_id=forum, text="hello General")
    thread = await api.topic(forum)
    [created] = await people.topic_messages(forum, thread)
    assert created["message_id"] == created["message_thread_id"] == thread  # as in Telegram
    assert created["from"] == "bot"
    assert created["forum_topic_created"] == {"name": "Case", "icon_color": 7322096}
    topic = {"chat_id": forum, "message_thread_id": thread}
    assert await api.ok("editForumTopic", **topic, name="Case 1") is True
    await api.refused("TOPIC_NOT_MODIFIED", "editForumTopic", **topic, name="Case 1")
    await api.refused("TOPIC_NOT_MODIFIED", "editForumTopic", **topic)
    assert await api.ok("closeForumTopic", **topic) is True
    await api.refused("TOPIC_NOT_MODIFIED", "closeForumTopic", **topic)
    assert (await people.topics(forum))[0]["closed"] is True
    assert await api.ok("reopenForumTopic", **topic) is True
    await api.refused("TOPIC_NOT_MODIFIED", "reopenForumTopic", **topic)
    shown = await people.topic_messages(forum, thread)
    kinds = ["created", "edited", "closed", "reopened"]
    assert [m["service"] for m in shown] == [f"forum_topic_{kind}" for kind in kinds]
    assert shown[1]["forum_topic_edited"] == {"name": "Case 1"}
    assert (await people.topics(forum))[0]["name"] == "Case 1"
    for method in ("editForumTopic", "closeForumTopic", "reopenForumTopic"):
        await api.refused(NO_THREAD, method, chat_id=forum, message_thread_id=999, name="x")
    assert await api.updates("message") == []  # bots are not told of their own messages
    plain = await team(people, forum=False)
    ours = {"chat_id": forum, "message_thread_id": await api.topic(forum, "Ours")}
    theirs = {"chat_id": forum, "message_thread_id": await people.create_topic(forum, "Theirs")}
    await people.set_bot_rights(forum, can_manage_topics=False)
    # Without can_manage_topics the bot may still change the topics it created itself.
    assert await api.ok("closeForumTopic", **ours)
    await api.refused("not enough rights to close the topic", "closeForumTopic", **theirs)
    await api.refused("not enough rights to edit the topic", "editForumTopic", **theirs, name="M")
    await people.set_bot_rights(forum, status="member")
    await api.refused("not enough rights to reopen the topic", "reopenForumTopic", **ours)
    where = {"chat_id": plain, "message_thread_id": 1}
    await api.refused("the chat is not a forum", "closeForumTopic", **where)


async def test_a_closed_topic_takes_only_topic_managers(api: Api, people: SandboxClient) -> None:
    forum = await team(people)
    thread = await people.create_topic(forum, "Case")
    staff = await member(people, forum, "Ada")
    lead = await member(people, forum, "Lea", "administrator", can_manage_topics=True)
    owner = await member(people, forum, "Olga", "creator")
    await people.close_topic(forum, thread)
    with pytest.raises(AssertionError, match="TOPIC_CLOSED"):
        await staff.send("one more thing", forum, thread)
    await lead.send("closing note", forum, thread)
    await owner.send_kind("sticker", chat_id=forum, thread_id=thread)
    where = {"chat_id": forum, "message_thread_id": thread}
    assert await api.ok("sendMessage", **where, text="bot")
    await people.set_bot_rights(forum, can_manage_topics=False)
    await api.refused("TOPIC_CLOSED", "sendMessage", **where, text="x")
    await staff.send("in General still fine", forum)
    await people.close_topic(forum, thread, closed=False, user_id=lead.id)
    await staff.send("thanks", forum, thread)
    shown = await people.topic_messages(forum, thread)
    # "Group": an anonymous administrator, as Telegram shows one.
    assert [m["from"] for m in shown] == ["Group", "Group", "Lea", "Olga", "bot", "Lea", "Ada"]
    services = [m["service"] for m in shown if m["service"]]
    assert services == ["forum_topic_created", "forum_topic_closed", "forum_topic_reopened"]


async def test_people_write_and_tap_in_groups_they_belong_to(
    api: Api, people: SandboxClient
) -> None:
    forum = await team(people)
    thread = await people.create_topic(forum, "Case 3")
    staff = await member(people, forum, "Ada")
    outsiders = [await people.add_user("Sid")]
    outsiders += [await member(people, forum, "Gus", status) for status in ("left", "kicked")]
    for outsider in outsiders:
        with pytest.raises(AssertionError, match="not a member"):
            await outsider.send("hello", forum)
    with pytest.raises(AssertionError, match=NO_THREAD):
        await staff.send("hello", forum, 4242)
    await staff.send("She called back", forum, thread)
    created, said = await api.updates("message")
    assert created["forum_topic_created"]["name"] == "Case 3"
    assert created["from"]["username"] == "GroupAnonymousBot"
    assert created["sender_chat"]["id"] == forum
    assert said["chat"] == {"id": forum, **FORUM_JSON}
    assert (said["message_thread_id"], said["is_topic_message"]) == (thread, True)
    assert said["reply_to_message"]["forum_topic_created"]["name"] == "Case 3"
    assert (said["from"]["id"], said["text"]) == (staff.id, "She called back")
    await staff.send("morning", forum)
    await api.ok("sendMessage", chat_id=forum, text="noted", message_thread_id=thread)
    keys = ("from", "user_id", "message_thread_id", "text", "service")
    assert [tuple(m[k] for k in keys) for m in await staff.messages(forum)] == [
        ("Group", 1087968824, thread, "", "forum_topic_created"),
        ("Ada", staff.id, thread, "She called back", None),
        ("Ada", staff.id, None, "morning", None),
        ("bot", None, thread, "noted", None),
    ]
    shown = [m["text"] for m in await people.topic_messages(forum, thread)]
    assert shown == ["", "She called back", "noted"]
    with pytest.raises(AssertionError, match="no topic"):
        await people.topic_messages(forum, 999)
    with pytest.raises(AssertionError, match="no group"):
        await people.topics(staff.id)
    keyboard = {"inline_keyboard": [[{"text": "Take it", "callback_data": "take:1"}]]}
    sent = await api.ok("sendMessage", chat_id=forum, text="New case", reply_markup=keyboard)
    with pytest.raises(AssertionError, match="not a member"):
        await outsiders[0].tap("Take it", chat_id=forum)
    with pytest.raises(AssertionError, match="not a member"):
        await outsiders[1].tap_data(sent["message_id"], "take:1", chat_id=forum)
    with pytest.raises(AssertionError, match="no button"):
        await staff.tap("Take it")  # it is not in the private chat
    query_id = await staff.tap("Take it", chat_id=forum)
    await staff.tap_data(sent["message_id"], "take:2", chat_id=forum)
    queries = await api.updates("callback_query")
    shown = [(q["data"], q["from"]["id"], q["message"]["chat"]["id"]) for q in queries]
    assert shown == [("take:1", staff.id, forum), ("take:2", staff.id, forum)]
    assert await api.ok("answerCallbackQuery", callback_query_id=query_id, text="Yours")


async def test_members_administrators_and_bot_rights(api: Api, people: SandboxClient) -> None:
    group = await people.add_group("Team", forum=True)
    owner, staff = await member(people, group, "Olga", "creator"), await member(people, group, "A")
    lead = await member(people, group, "Lea", "administrator", can_manage_topics=False)
    banned, stranger = await member(people, group, "Ban", "kicked"), await people.add_user("Sid")

    async def status(user_id: int, chat: int = group) -> dict[str, Any]:
        return dict(await api.ok("getChatMember", chat_id=chat, user_id=user_id))

    sid = {"id": stranger.id, "is_bot": False, "first_name": "Sid", "language_code": "en"}
    assert await status(stranger.id) == {"status": "left", "user": sid}
    shown = [(await status(u.id))["status"] for u in (owner, staff, lead, banned)]
    assert shown == ["creator", "member", "administrator", "kicked"]
    assert (await status(banned.id))["until_date"] == 0
    assert (await status(lead.id))["can_manage_topics"] is False
    bot = await status(BOT_ID)
    assert bot["status"] == "member" and bot["user"]["is_bot"]
    await api.refused("user not found", "getChatMember", chat_id=group, user_id=5)
    admins = await api.ok("getChatAdministrators", chat_id=group)
    assert sorted(a["user"]["id"] for a in admins) == sorted([owner.id, lead.id])
    await owner.send("oops", group)
    said = {"chat_id": group, "message_id": (await owner.messages(group))[-1]["message_id"]}
    await api.refused("message can't be deleted", "deleteMessage", **said)  # not an admin
    await people.set_bot_rights(group)
    assert await api.ok("deleteMessage", **said) is True
    assert BOT_ID in [a["user"]["id"] for a in await api.ok("getChatAdministrators", chat_id=group)]
    bot = await status(BOT_ID)
    assert bot["status"] == "administrator" and bot["can_manage_topics"]
    assert bot["can_promote_members"] is False  # as Telegram's promote screen offers
    private = "there are no administrators in the private chat"
    await api.refused(private, "getChatAdministrators", chat_id=staff.id)
    assert (await status(staff.id, staff.id))["status"] == "member"
    await people.set_bot_rights(group)  # no change, no update
    await people.set_bot_rights(group, status="kicked")
    changes = await api.updates("my_chat_member")
    shown = [(c["old_chat_member"]["status"], c["new_chat_member"]["status"]) for c in changes]
    assert shown == [("member", "administrator"), ("administrator", "kicked")]
    assert changes[0]["from"]["id"] == owner.id
    kicked = "Forbidden: bot was kicked from the supergroup chat"
    await api.refused(kicked, "sendMessage", chat_id=group, text="hi")
    await people.set_bot_rights(group, status="left")
    gone = "Forbidden: bot is not a member of the supergroup chat"
    await api.refused(gone, "sendMessage", chat_id=group, text="hi")
    for path, body in [("bot", {"status": "creator"}), ("members", {"user_id": 1, "can_fly": 1})]:
        response = await people.http.post(f"/sandbox/groups/{group}/{path}", json=body)
        assert response.status_code == 400


async def test_copies_keep_media_and_replace_captions(api: Api, people: SandboxClient) -> None:
    forum, sam = await team(people), await people.add_user("Sam")
    thread = await api.topic(forum)
    kinds = [("photo", "my papers"), ("voice", None), ("document", "permit.pdf")]
    kinds += [("location", [43.8, 10.5]), ("sticker", None), ("text", "/help me")]
    for kind, value in kinds:
        await sam.send_kind(kind, value)
    originals = await sam.messages()
    photo, voice, document, location, sticker, text = (m["message_id"] for m in originals)
    into = {"chat_id": forum, "from_chat_id": sam.id, "message_thread_id": thread}

    async def copy(message_id: int, **params: Any) -> dict[str, Any]:
        copied = await api.ok("copyMessage", **into, message_id=message_id, **params)
        assert list(copied) == ["message_id"]
        return api.emulator.chats[forum].records[copied["message_id"]].message

    same = await copy(photo)
    assert (same["photo"], same["caption"]) == (originals[0]["photo"], "my papers")
    assert (same["from"]["id"], same["message_thread_id"]) == (BOT_ID, thread)
    assert same["is_topic_message"] and "forward_origin" not in same
    html = await copy(photo, caption="<b>Sam</b>: papers", parse_mode="HTML")
    assert html["caption"] == "Sam: papers"
    assert "caption" not in await copy(photo, caption="")  # an empty caption removes it
    renamed = await copy(voice, caption="voice note from Sam")
    assert (renamed["voice"], renamed["caption"]) == (originals[1]["voice"], "voice note from Sam")
    assert (await copy(document))["document"]["file_name"] == "permit.pdf"
    assert (await copy(location))["location"] == {"latitude": 43.8, "longitude": 10.5}
    assert "sticker" in await copy(sticker)
    words = await copy(text, caption="a caption is ignored for a text")
    assert (words["text"], words["entities"][0]["type"]) == ("/help me", "bot_command")
    assert "caption" not in words
    place = {"latitude": 43.8, "longitude": 10.5, "title": "Hub", "address": "Via 1"}
    venue = (await api.ok("sendVenue", chat_id=forum, **place))["message_id"]
    back = await api.ok("copyMessage", chat_id=sam.id, from_chat_id=forum, message_id=venue)
    shown = (await sam.messages())[-1]
    assert (shown["message_id"], shown["venue"]["title"]) == (back["message_id"], "Hub")


async def test_copies_that_telegram_refuses(api: Api, people: SandboxClient) -> None:
    forum, sam = await team(people), await people.add_user("Sam")
    thread = await api.topic(forum)
    await sam.send("hello")
    said = (await sam.messages())[-1]["message_id"]
    note = (await api.ok("sendMessage", chat_id=forum, text="note"))["message_id"]
    assert await api.ok("deleteMessage", chat_id=forum, message_id=note)
    to_forum = {"chat_id": forum, "from_chat_id": sam.id}
    to_sam = {"chat_id": sam.id, "from_chat_id": forum}
    await api.refused("message to copy not found", "copyMessage", **to_forum, message_id=999)
    await api.refused("message to copy not found", "copyMessage", **to_sam, message_id=note)
    await api.refused("message can't be copied", "copyMessage", **to_sam, message_id=thread)
    elsewhere = {"message_id": said, "message_thread_id": thread + 100}
    await api.refused(NO_THREAD, "copyMessage", **to_forum, **elsewhere)
    await sam.block()
    blocked = "Forbidden: bot was blocked by the user"
    await api.refused(blocked, "copyMessage", chat_id=sam.id, from_chat_id=sam.id, message_id=said)


async def test_every_message_to_a_group_takes_a_token(api: Api, people: SandboxClient) -> None:
    api.emulator.limits.clock = lambda: 1000.0  # frozen: nothing refills during the test
    forum, sam = await team(people), await people.add_user("Sam")
    keyboard = {"inline_keyboard": [[{"text": "Take", "callback_data": "take"}]]}
    menu = await api.ok("sendMessage", chat_id=forum, text="New", reply_markup=keyboard)
    copy = {"chat_id": forum, "from_chat_id": forum, "message_id": menu["message_id"]}
    topic = {"chat_id": forum, "message_thread_id": await api.topic(forum)}
    await api.ok("editForumTopic", **topic, name="Case 2")
    await api.ok("closeForumTopic", **topic)
    await api.ok("reopenForumTopic", **topic)
    for _ in range(5):
        await api.ok("copyMessage", **copy)
    for i in range(10):
        await api.ok("sendMessage", **topic, text=f"m{i}")
    # 20 messages at once: the group's minute is used up, whatever makes the next one.
    status, body = await api("sendMessage", chat_id=forum, text="one too many")
    assert status == 429 and body["parameters"]["retry_after"] >= 1
    assert body["description"].startswith("Too Many Requests: retry after")
    refused = [("copyMessage", copy), ("createForumTopic", {"chat_id": forum, "name": "Case 3"})]
    refused += [("closeForumTopic", topic), ("editForumTopic", {**topic, "name": "Case 4"})]
    for method, params in refused:
        assert (await api(method, **params))[0] == 429, method
    # Edits and answers to button taps are no new messages; other chats are not held up.
    edit = {"chat_id": forum, "message_id": menu["message_id"], "text": "Taken"}
    assert await api.ok("editMessageText", **edit)
    await people.add_member(forum, sam.id)
    query_id = await sam.tap_data(menu["message_id"], "take", chat_id=forum)
    assert await api.ok("answerCallbackQuery", callback_query_id=query_id)
    assert await api.ok("sendMessage", chat_id=sam.id, text="still fine")
