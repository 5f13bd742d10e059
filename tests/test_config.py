"""Settings: defaults, and a one-line error naming a missing or malformed setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("PORTA_", "TELEGRAM_", "DATABASE_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.database_url == "sqlite+aiosqlite:///data/porta.db"
    assert (settings.timezone, settings.default_language) == ("Europe/Rome", "it")
    assert "San Vito" in settings.neighbourhoods


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORTA_DEFAULT_LANGUAGE=ar\nPORTA_TIMEZONE=Europe/Kyiv\n")
    monkeypatch.setenv("PORTA_TIMEZONE", "Africa/Cairo")
    settings = load_settings()
    assert (settings.default_language, settings.timezone) == ("ar", "Africa/Cairo")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "PORTA_TIMEZONE",
            "Mars/Olympus",
            "setting PORTA_TIMEZONE is invalid: unknown time zone 'Mars/Olympus'",
        ),
        (
            "PORTA_DEFAULT_LANGUAGE",
            "de",
            "setting PORTA_DEFAULT_LANGUAGE is invalid: expected one of it, en, ar, uk, fr, bn, ur, sq, ro",
        ),
        (
            "DATABASE_URL",
            "mysql://x",
            "setting DATABASE_URL is invalid: expected sqlite+aiosqlite:///PATH or postgresql+asyncpg://...",
        ),
        (
            "TELEGRAM_BOT_TOKEN",
            "not-a-token",
            "setting TELEGRAM_BOT_TOKEN is invalid: expected the form 123456:ABC... given by @BotFather",
        ),
        (
            "TELEGRAM_API_BASE_URL",
            "ftp://x",
            "setting TELEGRAM_API_BASE_URL is invalid: expected an http:// or https:// address",
        ),
        (
            "PORTA_LOG_LEVEL",
            "LOUD",
            "setting PORTA_LOG_LEVEL is invalid: expected DEBUG, INFO, WARNING or ERROR",
        ),
    ],
)
def test_a_malformed_setting_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value) == message


def porta(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


def test_the_command_says_what_is_wrong_without_a_traceback() -> None:
    result = porta("run", PORTA_TIMEZONE="Nowhere/Land")
    assert result.returncode == 2
    assert (
        result.stderr
        == "porta: setting PORTA_TIMEZONE is invalid: unknown time zone 'Nowhere/Land'\n"
    )
    result = porta("run")
    assert result.returncode == 2
    assert (
        result.stderr == "porta: setting TELEGRAM_BOT_TOKEN is missing: get one from @BotFather\n"
    )


def test_run_refuses_a_database_whose_schema_is_behind(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/old.db"
    result = porta("run", TELEGRAM_BOT_TOKEN="123:abc", DATABASE_URL=url)
    assert result.returncode == 2
    assert "run `porta db upgrade`" in result.stderr and "Traceback" not in result.stderr
    upgraded = porta("db", "upgrade", DATABASE_URL=url)
    assert upgraded.returncode == 0 and "database at revision" in upgraded.stdout
    current = porta("db", "current", DATABASE_URL=url)
    assert current.stdout.startswith("database: 0001; code: 0001") or "code:" in current.stdout
