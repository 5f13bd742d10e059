"""Build Porta's python-telegram-bot Application: settings, database, handlers, menus."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
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

from bot import scheduler
from bot.config import Settings
from bot.db.session import create_engine, session_factory
from bot.i18n import N_, SUPPORTED_LOCALES, Translator
from handlers import (
    activities,
    broadcasts,
    errors,
    fallback,
    gate,
    language,
    menu,
    onboarding,
    operators,
    privacy,
    profile,
    reminders,
    settings,
    signup,
    staff,
    staff_form,
)
from handlers.callbacks import Callback, pattern, unpack
from handlers.common import PortaContext

log = logging.getLogger(__name__)

# The public commands, in the order the menu shows them, with their descriptions.
COMMANDS = {
    "start": N_("Start or restart"),
    "menu": N_("Show the menu"),
    "language": N_("Change language"),
    "privacy": N_("How we use your data"),
    "mydata": N_("Get a copy of your data"),
    "deleteme": N_("Delete your data"),
    "stop": N_("Stop announcements"),
    "help": N_("Help"),
}
DESCRIPTION = N_(
    "Porta is the bot of the youth hubs. Find activities, sign up, ask about housing and "
    "get reminders, in your language."
)
BROADCAST_SECONDS = 1.0  # how often broadcasts are started and their progress shown
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
SHORT_DESCRIPTION = N_("Activities, housing and help from the youth hubs.")


class PortaApplication(Application):  # type: ignore[type-arg]
    """The Application, counting the updates it has finished (for the sandbox and tests)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.processed_up_to = 0
        self.processed = asyncio.Condition()

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
        finally:
            if isinstance(update, Update):
                async with self.processed:
                    self.processed_up_to = max(self.processed_up_to, update.update_id)
                    self.processed.notify_all()

    async def wait_processed(self, update_id: int) -> None:
        """Wait until the update `update_id` (and every one before it) has been handled."""
        async with self.processed:
            await self.processed.wait_for(lambda: self.processed_up_to >= update_id)


CallbackFn = Callable[[Update, PortaContext, Callback], Awaitable[None]]


def on_callback(kind: str, callback: CallbackFn) -> CallbackQueryHandler[PortaContext, None]:
    """A handler for one kind of callback data, handing over the parsed data."""

    async def handle(update: Update, context: PortaContext) -> None:
        query = update.callback_query
        data = unpack(query.data if query else None)
        if data is None:
            await fallback.stale_button(update, context)
            return
        await callback(update, context, data)

    return CallbackQueryHandler(handle, pattern=pattern(kind))


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Wire every handler, in order. Lower groups run first."""
    # -20: groups and channels are ignored; -10: the locale is picked once per update.
    app.add_handler(TypeHandler(Update, gate.private_only), group=-20)
    app.add_handler(TypeHandler(Update, gate.pick_locale), group=-10)
    # -5: operator commands are refused to anyone without the role.
    app.add_handler(MessageHandler(filters.COMMAND, operators.gate), group=-5)

    # 0: an edited message is answered as such, before it could pass for a new command.
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, fallback.edited_message))
    # 0: commands.
    app.add_handler(CommandHandler("start", onboarding.start))
    app.add_handler(CommandHandler("menu", menu.menu_command))
    app.add_handler(CommandHandler("help", menu.help_command))
    app.add_handler(CommandHandler("language", language.language_command))
    app.add_handler(CommandHandler("privacy", privacy.privacy_command))
    app.add_handler(CommandHandler("mydata", privacy.mydata))
    app.add_handler(CommandHandler("deleteme", privacy.deleteme))
    app.add_handler(CommandHandler("settings", menu.open_settings))
    app.add_handler(CommandHandler("ops", operators.ops))
    app.add_handler(CommandHandler("guardian", operators.guardian))
    app.add_handler(CommandHandler("stats", operators.stats))
    app.add_handler(CommandHandler("operators", operators.operators_command))
    app.add_handler(CommandHandler("manage", staff.manage_command))
    app.add_handler(CommandHandler("newactivity", staff_form.new_activity))
    app.add_handler(CommandHandler("broadcast", broadcasts.broadcast_command))
    app.add_handler(CommandHandler("broadcasts", broadcasts.list_command))
    app.add_handler(CommandHandler("stop", broadcasts.stop_command))

    # 0: buttons, by the kind of their callback data; anything else is stale.
    app.add_handler(on_callback("ob", onboarding.onboarding_button))
    app.add_handler(on_callback("lang", language.chosen_language))
    app.add_handler(on_callback("age", profile.chosen_age))
    app.add_handler(on_callback("nb", profile.chosen_neighbourhood))
    app.add_handler(on_callback("int", profile.chosen_interest))
    app.add_handler(on_callback("set", settings.settings_button))
    app.add_handler(on_callback("consent", settings.consent_button))
    app.add_handler(on_callback("del", privacy.delete_button))
    app.add_handler(on_callback("ac", activities.activities_button))
    app.add_handler(on_callback("sg", signup.signup_button))
    app.add_handler(on_callback("op", staff.staff_button))
    app.add_handler(on_callback("rm", reminders.reminder_button))
    app.add_handler(on_callback("bc", broadcasts.broadcast_button))
    app.add_handler(CallbackQueryHandler(fallback.stale_button))

    # 0: typed text, unknown commands, then every other kind of message.
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, menu.text_message))
    app.add_handler(MessageHandler(filters.COMMAND, fallback.unknown_command))
    app.add_handler(MessageHandler(filters.ALL, fallback.media_message))
    app.add_handler(ChatMemberHandler(fallback.membership, ChatMemberHandler.MY_CHAT_MEMBER))

    app.add_error_handler(errors.on_error)


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
    await app.bot_data["outbox_bot"].initialize()
    await publish_menus(app)


async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    await app.bot_data["sender"].drain()
    await app.bot_data["outbox_bot"].shutdown()
    await app.bot_data["engine"].dispose()


def build_application(settings: Settings, *, token: str | None = None) -> PortaApplication:
    """Build the Application for `settings` (the token may be overridden, as the sandbox does)."""
    engine = create_engine(settings.database_url)
    app = (
        ApplicationBuilder()
        .application_class(PortaApplication)
        .token(token or settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_url.replace("/bot", "/file/bot", 1))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW))
        .context_types(ContextTypes(context=PortaContext))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.bot_data.update(settings=settings, engine=engine, db=session_factory(engine))
    register_handlers(app)
    scheduler.start(app, settings)
    assert app.job_queue is not None
    app.job_queue.run_repeating(
        reminders.plan,
        interval=settings.reminder_scan_seconds,
        first=1,
        name="reminders",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    app.job_queue.run_repeating(
        broadcasts.tick,
        interval=BROADCAST_SECONDS,
        first=1,
        name="broadcasts",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    assert isinstance(app, PortaApplication)
    return app
