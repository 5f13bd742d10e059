"""Build Porta's python-telegram-bot Application: settings, database, handlers, menus."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import health, scheduler, turns
from bot.budget import SharedPacer, pacer_for
from bot.config import Settings
from bot.db.session import create_engine, session_factory
from bot.health import WatchedRequest
from bot.i18n import N_, SUPPORTED_LOCALES, Translator, fingerprint
from bot.metrics import Metrics
from bot.pacing import Pacer, PortaRateLimiter
from bot.services import voice as voice_notes
from bot.updates import Answers, PerUserProcessor
from bot.voice.desk import Desk
from bot.voice.engine import Engine
from handlers import (
    activities,
    broadcasts,
    errors,
    fallback,
    feedback,
    free_words,
    gate,
    housing,
    ideas,
    ideas_board,
    ideas_staff,
    inbox,
    language,
    links,
    menu,
    offers,
    onboarding,
    operators,
    person,
    printed,
    privacy,
    profile,
    quick_replies,
    reminders,
    request_form,
    settings,
    signup,
    staff,
    staff_form,
    voice,
    voice_staff,
)
from handlers.callbacks import pattern, unpack
from handlers.common import PortaContext
from handlers.screens import Action, first_taker, put, shows

# Every module that draws screens is imported above, so that each screen is reached by its
# name (handlers.screens); links only draws screens.
SCREEN_MODULES = (links,)

log = logging.getLogger(__name__)

# The public commands, in the order the menu shows them, with their descriptions.
COMMANDS = {
    "start": N_("Start or restart"),
    "menu": N_("Show the menu"),
    "sos": N_("Nowhere to sleep tonight"),
    "language": N_("Change language"),
    "privacy": N_("How we use your data"),
    "mydata": N_("Get a copy of your data"),
    "deleteme": N_("Delete your data"),
    "stop": N_("Stop announcements"),
    "offer": N_("Offer help: volunteer, mentor, host"),
    "help": N_("Help"),
}
DESCRIPTION = N_(
    "Porta is the bot of the youth hubs. Find activities, sign up, ask about housing and "
    "get reminders, in your language."
)
BROADCAST_SECONDS = 1.0  # how often broadcasts are started and their progress shown
PLACE_SECONDS = 30.0  # how often cases that wait for their team's group are looked at
PURGE_SECONDS = 3600.0  # how often closed cases past the retention period are purged
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
SHORT_DESCRIPTION = N_("Activities, housing and help from the youth hubs.")


class PortaApplication(Application):  # type: ignore[type-arg]
    """The Application, telling which updates it has finished (for the sandbox and tests)."""

    async def wait_processed(self, update_id: int) -> None:
        """Wait until the update `update_id` (and every one before it) has been handled."""
        processor = self.update_processor
        assert isinstance(processor, PerUserProcessor)
        await processor.wait_done(update_id)


def on_callback(kind: str, action: Action) -> CallbackQueryHandler[PortaContext, None]:
    """A handler for one kind of callback data: the action gets the parsed data and says
    what to show; stale data gets a polite answer."""

    async def handle(update: Update, context: PortaContext) -> None:
        query = update.callback_query
        data = unpack(query.data if query else None)
        shown = await (
            fallback.stale_button(update, context)
            if data is None
            else action(update, context, data)
        )
        await put(update, context, shown)

    return CallbackQueryHandler(handle, pattern=pattern(kind))


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Wire every handler, in order. Lower groups run first."""
    # -30: the locale is picked once per update; -25: staff groups (linking one, staff
    # writing in a case's topic); -20: anything else from groups and channels is ignored.
    app.add_handler(TypeHandler(Update, gate.pick_locale), group=-30)
    # -26: /translate in an idea's topic (before the inbox takes what staff write there).
    translate = filters.ChatType.GROUPS & filters.Regex(r"^/translate(@\w+)?(\s|$)")
    app.add_handler(MessageHandler(translate, ideas_staff.translate), group=-26)
    app.add_handler(TypeHandler(Update, inbox.in_groups), group=-25)
    app.add_handler(TypeHandler(Update, gate.private_only), group=-20)
    # -5: operator commands are refused to anyone without the role.
    app.add_handler(MessageHandler(filters.COMMAND, gate.staff_commands), group=-5)

    # 0: an edited message is answered as such, before it could pass for a new command.
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, shows(fallback.edited_message)))
    # 0: commands.
    for name, command in COMMAND_HANDLERS.items():
        app.add_handler(CommandHandler(name, shows(command)))

    # 0: buttons, by the kind of their callback data; anything else is stale.
    for kind, action in BUTTONS.items():
        app.add_handler(on_callback(kind, action))
    app.add_handler(CallbackQueryHandler(shows(fallback.stale_button)))

    # 0: typed text goes to the first that takes it: a menu button, a staff form, an
    # announcement being written, a question Porta asked; then unknown commands, then every
    # other kind of message (a photo may be an announcement).
    typed = first_taker(
        menu.menu_button,
        voice_staff.take_recording,
        staff_form.take_text,
        broadcasts.take_message,
        request_form.take_text,
        offers.take_text,
        ideas.take_text,
        profile.take_neighbourhood,
        feedback.take_comment,
        activities.take_search,
        person.take_message,
        free_words.take_free_text,
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, typed))
    app.add_handler(MessageHandler(filters.COMMAND, shows(fallback.unknown_command)))
    media = first_taker(
        voice_staff.take_recording,
        broadcasts.take_photo,
        person.take_message,
        housing.take_location,
        free_words.take_media,
    )
    app.add_handler(MessageHandler(filters.ALL, media))
    app.add_handler(ChatMemberHandler(fallback.membership, ChatMemberHandler.MY_CHAT_MEMBER))

    app.add_error_handler(errors.on_error)


COMMAND_HANDLERS = {
    "start": onboarding.start,
    "menu": menu.menu_command,
    "help": menu.help_screen,
    "language": language.language_command,
    "privacy": privacy.privacy_command,
    "mydata": privacy.mydata,
    "deleteme": privacy.deleteme,
    "settings": settings.settings_command,
    "ops": operators.ops,
    "guardian": operators.guardian,
    "stats": operators.stats,
    "operators": operators.operators_command,
    "manage": staff.manage_command,
    "report": printed.report_command,
    "newactivity": staff_form.new_activity,
    "broadcast": broadcasts.broadcast_command,
    "broadcasts": broadcasts.list_command,
    "stop": broadcasts.stop_command,
    "sos": housing.sos_command,
    "offer": offers.start_offer,
}
# The kind of callback data (handlers.callbacks) -> the action its buttons run.
BUTTONS: dict[str, Action] = {
    "vo": voice.voice_button,
    "vr": voice_staff.voice_staff_button,
    "ob": onboarding.onboarding_button,
    "lang": language.chosen_language,
    "age": profile.chosen_age,
    "nb": profile.chosen_neighbourhood,
    "int": profile.chosen_interest,
    "set": settings.settings_button,
    "consent": settings.consent_button,
    "del": privacy.delete_button,
    "ac": activities.activities_button,
    "sg": signup.signup_button,
    "op": staff.staff_button,
    "of": staff_form.form_button,
    "rm": reminders.reminder_button,
    "fb": feedback.feedback_button,
    "oh": offers.offer_button,
    "ia": ideas.idea_button,
    "ib": ideas_board.board_button,
    "is": ideas_staff.idea_card_button,
    "pr": printed.poster_button,
    "bc": broadcasts.broadcast_button,
    "hs": housing.housing_button,
    "rq": request_form.form_button,
    "ps": person.person_button,
    "cs": inbox.card_button,
    "qr": quick_replies.quick_button,
}


async def publish_menus(app: Application) -> None:  # type: ignore[type-arg]
    """Set the command menu and the bot's descriptions in every language."""
    settings: Settings = app.bot_data["settings"]
    for code in ("", *SUPPORTED_LOCALES):
        t = Translator(code or settings.default_language, settings.zone)
        commands = [BotCommand(name, t(text)) for name, text in COMMANDS.items()]
        await app.bot.set_my_commands(commands, language_code=code or None)
        await app.bot.set_my_description(t(DESCRIPTION), language_code=code or None)
        await app.bot.set_my_short_description(t(SHORT_DESCRIPTION), language_code=code or None)


async def post_init(app: Application) -> None:  # type: ignore[type-arg]
    if isinstance(app.bot_data["pacer"], SharedPacer):
        await app.bot_data["pacer"].ensure()
    await app.bot_data["outbox_bot"].initialize()
    await publish_menus(app)
    if app.bot_data.get("voice") is not None:  # voice notes of a changed catalog are made anew
        try:
            async with app.bot_data["db"].begin() as session:
                await voice_notes.forget_changed(
                    session, {c: fingerprint(c) for c in SUPPORTED_LOCALES}
                )
        except SQLAlchemyError as error:  # a database not migrated yet: nothing to forget
            log.warning("voice notes of changed catalogs not dropped (%s)", type(error).__name__)


async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    await app.bot_data["sender"].drain()
    await app.bot_data["outbox_bot"].shutdown()
    await app.bot_data["engine"].dispose()


def build_application(
    settings: Settings,
    *,
    token: str | None = None,
    clock: Callable[[], float] | None = None,
    request: BaseRequest | None = None,
) -> PortaApplication:
    """Build the Application for `settings`. The sandbox overrides the token, and the clock
    Telegram's limits are paced by (its scripted people take a second to read and tap); the
    benchmarks give a Bot API in memory as `request` (and then no pacing)."""
    engine = create_engine(settings.database_url)
    health.TELEGRAM.where = settings.telegram_api_base_url  # the token is not in it
    # The sandbox's scripted people move a clock of their own: they pace alone, by it.
    pacer = Pacer(clock=clock) if clock else pacer_for(engine)
    answers = Answers()
    metrics = Metrics()
    processor = PerUserProcessor(answers, metrics=metrics)
    builder = (
        ApplicationBuilder()
        .application_class(PortaApplication)
        .token(token or settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_url.replace("/bot", "/file/bot", 1))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW))
        .context_types(ContextTypes(context=PortaContext))
        .concurrent_updates(processor)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    app: Application  # type: ignore[type-arg]
    if request is None:
        paced = builder.rate_limiter(PortaRateLimiter(pacer, max_retries=3))
        app = (
            paced.request(WatchedRequest(connection_pool_size=256))
            .get_updates_request(WatchedRequest(connection_pool_size=1))
            .build()
        )
    else:
        app = builder.request(request).get_updates_request(request).build()
    processor.bot = app.bot
    app.bot_data.update(
        settings=settings,
        engine=engine,
        db=session_factory(engine),
        pacer=pacer,
        answers=answers,
        metrics=metrics,
    )
    speaker = Engine.shared(settings.voice)
    if speaker is not None:
        app.bot_data["voice"] = Desk(speaker, app.bot_data["db"])
        app.bot_data["voice.follow"] = voice.speak  # after each screen, for those who asked
    register_handlers(app)
    scheduler.start(app, settings)
    assert app.job_queue is not None
    # The periodic work: what each job looks for, how often, and how soon after a start; with
    # several processes on PostgreSQL, one process at a time runs each.
    jobs = (
        ("reminders", reminders.plan, settings.reminder_scan_seconds, 1),
        ("feedback", feedback.ask_due, settings.reminder_scan_seconds, 3),
        ("broadcasts", broadcasts.tick, BROADCAST_SECONDS, 1),
        ("cases-place", inbox.place_waiting, PLACE_SECONDS, 2),
        ("cases-purge", inbox.purge, PURGE_SECONDS, 5),
        ("arrivals-tidy", turns.tidy, PURGE_SECONDS, 7),
    )
    for name, job, interval, first in jobs:
        app.job_queue.run_repeating(
            scheduler.guarded(scheduler.alone(name, job)),
            interval=interval,
            first=first,
            name=name,
            job_kwargs={"max_instances": 1, "coalesce": True},
        )
    assert isinstance(app, PortaApplication)
    return app
