"""Announcements: staff compose one (text or photo), pick the audience, add other languages,
preview it with the number of people, and send it now or later; a message shows the progress.
People switch announcements off in Settings or with /stop."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.db.models import Broadcast
from bot.db.session import SessionFactory
from bot.i18n import N_, SUPPORTED_LOCALES, Translator, native_name
from bot.services import broadcasts, catalog, manage, users
from bot.services.broadcasts import MAX_CAPTION, MAX_TEXT
from handlers.callbacks import Callback, pack
from handlers.common import STALE_BUTTON, PortaContext, buttons, ids, say
from handlers.gate import not_staff
from handlers.labels import INTEREST_LABELS, label
from handlers.screens import Screen, Shown, put, replacing, toast

log = logging.getLogger(__name__)

PROGRESS = N_(
    "📣 Announcement {number}: {sent} of {total} sent. Blocked: {blocked}. Failed: {failed}."
)
TOO_LATE = N_("⌛ Not sent, too late by now: {count}.")
WRITE = N_("📣 Write the announcement. You can also send a photo with a caption.")


def now() -> datetime:
    return datetime.now(UTC)


async def stop_command(update: Update, context: PortaContext) -> Shown:
    """Switch announcements off."""
    async with context.db.begin() as session:
        user = await users.ensure(session, *ids(update))
        users.set_notifications(user, news=False)
    text = N_("You will get no more announcements. To get them again, go to Settings.")
    return Screen(say(context.t, text))


async def broadcast_command(update: Update, context: PortaContext) -> Shown:
    """Start composing an announcement (staff only)."""
    async with context.db.begin() as session:
        await manage.start_draft(session, ids(update)[0], None, "b:text", context.t.locale)
    return Screen(say(context.t, WRITE))


async def take_message(update: Update, context: PortaContext) -> Shown | bool:
    """The announcement's text or photo, or a text in another language, or the send time."""
    message = update.effective_message
    if message is None:
        return False
    user_id, _ = ids(update)
    async with context.db.begin() as session:
        draft = await manage.draft_of(session, user_id)
        if draft is None or not draft.step.startswith("b:"):
            return False
        data, step = dict(draft.data), draft.step
        text = message.caption if message.photo else message.text
        limit = MAX_CAPTION if message.photo or data.get("photo") else MAX_TEXT
        if step == "b:when":
            try:
                data["at"] = manage.parse_answer("start", text or "", context.settings.zone, now())
            except ValueError:
                return Screen(say(context.t, N_("That does not look right. Please try again.")))
        elif not text or len(text) > limit or step not in ("b:text", "b:extra"):
            return Screen(
                say(context.t, N_("Please write a text of up to {count} characters."), count=limit)
            )
        elif step == "b:text":
            data["texts"] = {data["language"]: text}
            data["photo"] = message.photo[-1].file_id if message.photo else None
            draft.step = "b:audience"
        else:
            data["texts"] = {**data["texts"], data["extra"]: text}
            draft.step = "b:more"
        draft.data = data
    if step == "b:when":
        await create(update, context, data, at=datetime.fromisoformat(str(data["at"])))
        return True
    if step == "b:text":
        return ask_audience(context)
    return ask_more(context, data)


async def take_photo(update: Update, context: PortaContext) -> Shown | bool:
    """A photo: the announcement staff are writing, if they are writing one."""
    if update.message is None or not update.message.photo:
        return False
    return await take_message(update, context)


def ask_audience(context: PortaContext) -> Screen:
    t = context.t
    rows = [
        [(t.pgettext("audience", "Everyone"), pack("bc", "a", "all"))],
        [
            (t.pgettext("audience", "People of a hub"), pack("bc", "k", "hub")),
            (t.pgettext("audience", "A neighbourhood"), pack("bc", "k", "neighbourhood")),
        ],
        [
            (t.pgettext("audience", "A language"), pack("bc", "k", "language")),
            (t.pgettext("audience", "An interest"), pack("bc", "k", "interest")),
        ],
        [(t.pgettext("audience", "People of an activity"), pack("bc", "k", "activity"))],
    ]
    return Screen(say(t, N_("Who should get it?")), buttons(rows))


async def audience_choices(context: PortaContext, kind: str) -> Shown:
    t = context.t
    async with context.db() as session:
        if kind == "hub":
            rows = [[(h.name, pack("bc", "a", f"hub:{h.id}"))] for h in await catalog.hubs(session)]
        elif kind == "activity":
            upcoming, _ = await manage.upcoming(session, now(), 0)
            default = context.settings.default_language
            rows = [
                [
                    (
                        catalog.text_for(a, t.locale, default).title[:40],
                        pack("bc", "a", f"activity:{a.id}"),
                    )
                ]
                for a in upcoming
            ]
        elif kind == "language":
            rows = [[(native_name(c), pack("bc", "a", f"language:{c}"))] for c in SUPPORTED_LOCALES]
        elif kind == "interest":
            rows = [
                [(label(t, e), pack("bc", "a", f"interest:{k}"))]
                for k, e in INTEREST_LABELS.items()
            ]
        else:
            names = context.settings.neighbourhoods  # by position: a name may not fit in 64 bytes
            rows = [[(n, pack("bc", "a", "neighbourhood", i))] for i, n in enumerate(names)]
    return replacing(Screen(say(t, N_("Who should get it?")), buttons(rows)))


def ask_more(context: PortaContext, data: dict[str, object]) -> Screen:
    done = set(data["texts"])  # type: ignore[call-overload]
    rows = [[(native_name(c), pack("bc", "l", c))] for c in SUPPORTED_LOCALES if c not in done]
    rows.append([(context.t.pgettext("button", "👀 Preview"), pack("bc", "p", 0))])
    text = say(context.t, N_("Add the text in another language, or see the preview."))
    return Screen(text, buttons(rows))


async def broadcast_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """Every button of the announcement form; refused to anyone who is not staff."""
    if refused := await not_staff(update, context):
        return refused
    action, arg = data.arg(0), ":".join(data.args[1:])
    if action == "a" and data.arg(1) == "neighbourhood":
        names, position = context.settings.neighbourhoods, data.arg(2)
        if not position.isdigit() or int(position) >= len(names):
            return toast(say(context.t, STALE_BUTTON))
        arg = f"neighbourhood:{names[int(position)]}"
    user_id, _ = ids(update)
    async with context.db.begin() as session:
        draft = await manage.draft_of(session, user_id)
        if draft is None or not draft.step.startswith("b:"):
            return toast(say(context.t, STALE_BUTTON))
        values = dict(draft.data)
        if action == "a":
            try:
                broadcasts.parse_audience(arg)
            except ValueError:
                return toast(say(context.t, STALE_BUTTON))
            values["audience"], draft.step = arg, "b:more"
        elif action == "l" and arg in SUPPORTED_LOCALES:
            values["extra"], draft.step = arg, "b:extra"
        elif action == "later":
            draft.step = "b:when"
        draft.data = values
    if action == "k":
        return await audience_choices(context, arg)
    if action == "a":
        return ask_more(context, values)
    if action == "l":
        language = native_name(arg)
        return Screen(
            say(context.t, N_("Write the announcement in {language}."), language=language)
        )
    if action == "p":
        return await preview(update, context, values)
    if action == "now":
        await create(update, context, values, at=None)
        return None
    if action == "later":
        text = N_("When should it go out? Write the date and time, like 24/12/2026 17:30.")
        return Screen(say(context.t, text))
    if action == "drop":
        async with context.db.begin() as session:
            if (gone := await manage.draft_of(session, user_id)) is not None:
                await session.delete(gone)
        return replacing(Screen(say(context.t, N_("The announcement is discarded."))))
    return toast(say(context.t, STALE_BUTTON))


async def preview(update: Update, context: PortaContext, values: dict[str, object]) -> Shown:
    """Show the announcement as a reader in the author's language sees it, and its reach."""
    default = context.settings.default_language
    async with context.db() as session:
        count = len(await broadcasts.recipients(session, str(values["audience"]), default))
    draft = Broadcast(texts=values["texts"], base_language=str(values["language"]))
    shown = broadcasts.text_for(draft, context.t.locale, context.t)
    reach = context.t.ngettext(
        "It will go to {count} person.", "It will go to {count} people.", count
    ).format(count=count)
    t = context.t
    markup = buttons(
        [
            [
                (t.pgettext("button", "📣 Send now"), pack("bc", "now", 0)),
                (t.pgettext("button", "🕒 Send later"), pack("bc", "later", 0)),
            ],
            [(t.pgettext("button", "❌ Discard"), pack("bc", "drop", 0))],
        ]
    )
    as_read = Screen(shown, photo=str(values["photo"]) if values.get("photo") else None)
    return [as_read, Screen(reach, markup)]


async def create(
    update: Update, context: PortaContext, values: dict[str, object], at: datetime | None
) -> None:
    """Store the broadcast; the broadcast job sends it when its time comes."""
    user_id, chat_id = ids(update)
    async with context.db.begin() as session:
        draft = await manage.draft_of(session, user_id)
        if draft is not None:
            await session.delete(draft)
        item = Broadcast(
            author_id=user_id,
            texts=values["texts"],
            base_language=str(values["language"]),
            photo=values.get("photo"),
            audience=str(values["audience"]),
            scheduled_at=at or now(),
            status="scheduled",
            total=0,
            sent=0,
            blocked=0,
            failed=0,
            progress_chat_id=chat_id,
        )
        session.add(item)
        await session.flush()
    log.info("operator %s scheduled broadcast %s", user_id, item.id)
    if at is None:
        text = say(context.t, PROGRESS, number=item.id, sent=0, total="…", blocked=0, failed=0)
    else:
        text = say(
            context.t,
            N_("📣 Announcement {number} will go out on {when}."),
            number=item.id,
            when=context.t.format_datetime(at, "short"),
        )
    [message] = await put(update, context, Screen(text))
    async with context.db.begin() as session:
        stored = await session.get(Broadcast, item.id)
        if stored is not None:
            stored.progress_message_id = message.message_id
    if at is None and context.application.job_queue:
        context.application.job_queue.run_once(tick, 0)


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Expand broadcasts whose time has come; show each one's progress in place."""
    settings: Settings = context.bot_data["settings"]
    db: SessionFactory = context.bot_data["db"]
    moment = now()
    async with db.begin() as session:
        for item in await broadcasts.due(session, moment):
            count = await broadcasts.expand(session, item, settings.default_language, settings.zone)
            log.info("broadcast %s goes to %s people", item.id, count)
        changed = [
            b
            for b in await broadcasts.active(session)
            if await broadcasts.update_progress(session, b, moment)
        ]
    from bot import scheduler

    scheduler.kick(context.application)
    for item in changed:
        await show_progress(context, item, settings)


async def show_progress(
    context: ContextTypes.DEFAULT_TYPE, item: Broadcast, settings: Settings
) -> None:
    if item.progress_chat_id is None or item.progress_message_id is None:
        return
    t = Translator(item.base_language, settings.zone)  # the author wrote in their language
    text = figures(t, item)
    if item.status == "done":
        text += "\n" + say(t, N_("✅ Finished."))
    try:
        await context.bot.edit_message_text(
            t.directed(text), item.progress_chat_id, item.progress_message_id
        )
    except BadRequest as error:
        if "not modified" not in error.message:
            log.warning("could not show the progress of broadcast %s", item.id)
    except TelegramError:
        log.warning("could not show the progress of broadcast %s", item.id)


async def list_command(update: Update, context: PortaContext) -> Shown:
    """The last announcements with their final figures (staff only)."""
    async with context.db() as session:
        items = await broadcasts.recent(session)
    lines = [say(context.t, N_("📣 <b>Announcements</b>"))]
    lines += [figures(context.t, item) for item in items]
    return Screen("\n".join(lines))


def figures(t: Translator, item: Broadcast) -> str:
    """The progress bar and the figures of one broadcast."""
    done = item.sent + item.blocked + item.failed + item.withdrawn
    filled = round(10 * done / item.total) if item.total else 0
    bar = "▓" * filled + "░" * (10 - filled)
    text = f"{bar}\n" + say(
        t,
        PROGRESS,
        number=item.id,
        sent=item.sent,
        total=item.total,
        blocked=item.blocked,
        failed=item.failed,
    )
    if item.withdrawn:
        text += "\n" + say(t, TOO_LATE, count=item.withdrawn)
    return text
