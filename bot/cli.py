"""The `porta` command: run, sandbox, db, import, demo, operators, groups."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings, SettingsError, load_settings
from bot.db import migrate
from bot.db.models import Broadcast
from bot.db.session import create_engine, session_factory
from bot.i18n import SUPPORTED_LOCALES
from bot.ideas_cli import register as register_ideas
from bot.printed.commands import register as register_printed
from bot.services import broadcasts, importer, manage
from bot.services import operators as operator_service

cli = typer.Typer(no_args_is_help=True, add_completion=False, help="Porta, the youth hubs' bot.")
db_cli = typer.Typer(no_args_is_help=True, help="The database schema.")
demo_cli = typer.Typer(no_args_is_help=True, help="Demo data.")
operators_cli = typer.Typer(no_args_is_help=True, help="Hub staff who may use operator commands.")
cli.add_typer(db_cli, name="db")
cli.add_typer(operators_cli, name="operators")
groups_cli = typer.Typer(no_args_is_help=True, help="The staff groups that hold cases.")
cli.add_typer(demo_cli, name="demo")
cli.add_typer(groups_cli, name="groups")


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        typer.echo(f"porta: {error}", err=True)
        raise typer.Exit(2) from None


def setup_logging(level: str) -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    # httpx logs request URLs, and Bot API URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The scheduler tells of every job it adds and runs; Porta's jobs say what matters.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.WARNING)


@cli.command()
def run(
    webhook: Annotated[
        str,
        typer.Option(
            help="Take updates by webhook at this public https:// address (default: polling)."
        ),
    ] = "",
    listen: Annotated[str, typer.Option(help="Address the webhook server listens on.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port the webhook server listens on.")] = 8443,
    status_port: Annotated[
        int, typer.Option(help="When polling: serve /healthz and /metrics on 127.0.0.1:PORT.")
    ] = 0,
) -> None:
    """Run Porta against Telegram (or TELEGRAM_API_BASE_URL), polling for updates or, with
    --webhook, taking them by webhook (with a secret token and /healthz)."""
    from bot import serve
    from bot.webhook import Webhook, secret_for

    settings = settings_or_exit()
    if not settings.telegram_bot_token:
        typer.echo(
            "porta: setting TELEGRAM_BOT_TOKEN is missing: get one from @BotFather", err=True
        )
        raise typer.Exit(2)
    if webhook and not webhook.startswith("https://"):
        typer.echo("porta: --webhook must be an https:// address Telegram can reach", err=True)
        raise typer.Exit(2)
    secret = secret_for(settings.telegram_bot_token, settings.webhook_secret)
    hook = Webhook(webhook, listen, port, secret) if webhook else None
    setup_logging(settings.log_level)
    try:
        asyncio.run(serve.run(settings, webhook=hook, status_port=status_port or None))
    except serve.StartupError as error:
        typer.echo(f"porta: {error}", err=True)
        raise typer.Exit(2) from None


SANDBOX_DB = "sqlite+aiosqlite:///data/sandbox.db"


@cli.command()
def sandbox(
    port: Annotated[
        int, typer.Option(help="Port of the page and the Bot API emulator (127.0.0.1).")
    ] = 8081,
    terminal: Annotated[
        bool, typer.Option("--terminal", help="Chat in this terminal instead of a web page.")
    ] = False,
    language: Annotated[str, typer.Option(help="Telegram language of the terminal user.")] = "",
    operator: Annotated[bool, typer.Option(help="Make the terminal user an admin.")] = True,
    database: Annotated[str, typer.Option(help="The sandbox's own database.")] = SANDBOX_DB,
) -> None:
    """Start the emulator and Porta in one process and open them in a web page that looks
    like Telegram (or, with --terminal, a chat in this terminal). The web page starts from
    the demo set each time."""
    settings = settings_or_exit().model_copy(update={"database_url": database})
    setup_logging("WARNING")
    if terminal:
        from bot.sandbox.terminal import run_sandbox

        language = language or settings.default_language
        asyncio.run(run_sandbox(settings, port, language, operator))
        return
    from bot import serve
    from bot.sandbox.web import serve_page

    try:
        asyncio.run(serve_page(settings, port))
    except OSError as error:  # the port is taken, most often
        typer.echo(f"porta: cannot serve the sandbox on port {port}: {error}", err=True)
        raise typer.Exit(2) from None
    except serve.StartupError as error:  # another sandbox on the same database
        typer.echo(f"porta: {error}", err=True)
        raise typer.Exit(2) from None


@db_cli.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Bring the database schema up to date."""
    settings = settings_or_exit()

    async def go() -> None:
        engine = create_engine(settings.database_url)
        await migrate.upgrade(engine, revision)
        typer.echo(f"database at revision {await migrate.current_revision(engine)}")
        await engine.dispose()

    asyncio.run(go())


@db_cli.command("current")
def db_current() -> None:
    """Show the schema revision of the database and the one this code needs."""
    settings = settings_or_exit()

    async def go() -> None:
        engine = create_engine(settings.database_url)
        current = await migrate.current_revision(engine)
        await engine.dispose()
        typer.echo(f"database: {current or 'empty'}; code: {migrate.head_revision()}")

    asyncio.run(go())


T = TypeVar("T")


def in_transaction(work: Callable[[AsyncSession, Settings], Awaitable[T]]) -> T:
    """Run `work` in one transaction on a database whose schema is current; a schema that is
    behind is a one-line error, as everywhere else."""
    settings = settings_or_exit()

    async def go() -> T:
        engine = create_engine(settings.database_url)
        try:
            await migrate.ensure_current(engine)
            async with session_factory(engine).begin() as session:
                return await work(session, settings)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(go())
    except migrate.SchemaBehind as error:
        typer.echo(f"porta: {error}", err=True)
        raise typer.Exit(2) from None


@cli.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="YAML or CSV")],
) -> None:
    """Import hubs, activities and programmes; a file with any bad row is refused whole."""
    try:
        summary = in_transaction(lambda session, s: importer.import_file(session, file, s.zone))
    except importer.FileRefused as refused:
        typer.echo(f"porta: {file.name} was not imported: {refused.reason}", err=True)
        raise typer.Exit(1) from None
    except importer.ImportRefused as refused:
        typer.echo(f"porta: {file.name} was not imported; fix these rows:", err=True)
        for problem in refused.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"imported {summary.hubs} hubs, {summary.created} new and "
        f"{summary.updated} updated activities, {summary.programmes} programmes"
    )


@demo_cli.command("load")
def demo_load() -> None:
    """Load the two Lucca hubs and about twenty activities over the next four weeks."""
    from bot.demo import load_demo

    summary = in_transaction(lambda session, s: load_demo(session, s.zone))
    activities = summary.created + summary.updated
    typer.echo(
        f"demo loaded: {summary.hubs} hubs, {activities} activities, "
        f"{summary.programmes} programmes"
    )


@cli.command()
def broadcast(
    text: Annotated[str, typer.Option(help="The announcement, in --language.")],
    audience: Annotated[
        str,
        typer.Option(
            help="all, hub:ID, neighbourhood:NAME, language:CODE, interest:KEY, activity:ID"
        ),
    ] = "all",
    language: Annotated[str, typer.Option(help="The language of --text.")] = "",
    translation: Annotated[
        list[str] | None, typer.Option(help="LANG=TEXT, once per other language.")
    ] = None,
    at: Annotated[str, typer.Option(help="Send later, local time: 2026-12-24 17:30.")] = "",
) -> None:
    """Queue an announcement; the running Porta sends it, at Telegram's pace."""
    settings = settings_or_exit()
    texts = {language or settings.default_language: text}
    for item in translation or []:
        code, _, other = item.partition("=")
        if code not in SUPPORTED_LOCALES or not other:
            typer.echo(f"porta: --translation {item!r}: expected LANG=TEXT", err=True)
            raise typer.Exit(2)
        texts[code] = other
    try:
        broadcasts.parse_audience(audience)
        when = manage.parse_answer("start", at, settings.zone, datetime.now(UTC)) if at else None
    except ValueError:
        typer.echo(f"porta: cannot understand --audience {audience!r} or --at {at!r}", err=True)
        raise typer.Exit(2) from None
    if any(len(t) > broadcasts.MAX_TEXT for t in texts.values()):
        typer.echo(f"porta: a text is longer than {broadcasts.MAX_TEXT} characters", err=True)
        raise typer.Exit(2)

    async def create(session: AsyncSession, s: Settings) -> tuple[int, int]:
        item = Broadcast(
            author_id=0,
            texts=texts,
            base_language=next(iter(texts)),
            audience=audience,
            status="scheduled",
            total=0,
            sent=0,
            blocked=0,
            failed=0,
            scheduled_at=datetime.fromisoformat(when) if when else datetime.now(UTC),
        )
        session.add(item)
        await session.flush()
        reach = len(await broadcasts.recipients(session, audience, s.default_language))
        return item.id, reach

    number, reach = in_transaction(create)
    typer.echo(f"broadcast {number} queued for {reach} people")


ROLE = Annotated[str, typer.Option("--role", help="operator, housing, youth or admin")]


@operators_cli.command("add")
def operators_add(telegram_id: int, role: ROLE = "operator") -> None:
    """Name someone hub staff, by their Telegram id."""
    if role not in operator_service.ROLES:
        typer.echo("porta: --role must be operator, housing, youth or admin", err=True)
        raise typer.Exit(2)
    in_transaction(lambda session, _: operator_service.add(session, telegram_id, role))
    typer.echo(f"{telegram_id} is now {role}")


@operators_cli.command("remove")
def operators_remove(telegram_id: int) -> None:
    """Take the staff role away."""
    removed = in_transaction(lambda session, _: operator_service.remove(session, telegram_id))
    typer.echo(f"{telegram_id} removed" if removed else f"{telegram_id} was not staff")


@operators_cli.command("list")
def operators_list() -> None:
    """List hub staff."""
    for staff in in_transaction(lambda session, _: operator_service.all_operators(session)):
        typer.echo(f"{staff.telegram_id}\t{staff.role}")


# A group's id is negative: it must not be taken for an option.
@groups_cli.command("link", context_settings={"ignore_unknown_options": True})
def groups_link(
    team: Annotated[str, typer.Argument(help="housing or youth")],
    chat_id: Annotated[int, typer.Argument(help="the supergroup's id, like -1001234567890")],
) -> None:
    """Make a Telegram supergroup with topics the team's inbox (Porta must be an
    administrator there, allowed to manage topics)."""
    from telegram import Bot

    from bot import groups
    from bot.services import cases

    if team not in groups.TEAMS:
        typer.echo("porta: the team must be housing or youth", err=True)
        raise typer.Exit(2)
    settings = settings_or_exit()
    if not settings.telegram_bot_token:
        typer.echo("porta: set TELEGRAM_BOT_TOKEN to check the group", err=True)
        raise typer.Exit(2)

    async def check() -> list[str]:
        bot = Bot(settings.telegram_bot_token, base_url=settings.telegram_api_base_url)
        async with bot:
            return await groups.problems(bot, chat_id)

    found = asyncio.run(check())
    if found:
        typer.echo(f"porta: group {chat_id} was not linked:", err=True)
        for problem in found:
            typer.echo(f"  {groups.PROBLEMS[problem]}", err=True)
        raise typer.Exit(1)
    in_transaction(lambda session, _: cases.link_group(session, team, chat_id, None))
    typer.echo(f"group {chat_id} now holds the {team} team's cases (waiting ones arrive soon)")


@groups_cli.command("list")
def groups_list() -> None:
    """The linked staff groups."""
    from bot.services import cases

    for group in in_transaction(lambda session, _: cases.linked_groups(session)):
        typer.echo(f"{group.team}\t{group.chat_id}")


register_printed(cli, in_transaction)
register_ideas(cli, in_transaction)


def main() -> None:
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
