"""Running a `porta` command the way a shell would, against the test database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from typer.testing import CliRunner

from bot.cli import in_transaction
from bot.config import Settings


def porta(settings: Settings, register: Callable[..., Any], *args: str) -> tuple[int, str]:
    """The exit code and the output of `porta ARGS` with the commands `register` adds."""
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Porta."""

    register(app, in_transaction)
    result = CliRunner().invoke(app, list(args), env={"DATABASE_URL": settings.database_url})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output
