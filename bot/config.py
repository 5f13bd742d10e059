"""Porta's settings, read from the environment and from a `.env` file."""

from __future__ import annotations

import re
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.i18n import SUPPORTED_LOCALES

TELEGRAM_API = "https://api.telegram.org/bot"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    telegram_bot_token: str = Field("", alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(TELEGRAM_API, alias="TELEGRAM_API_BASE_URL")
    database_url: str = Field("sqlite+aiosqlite:///data/porta.db", alias="DATABASE_URL")
    timezone: str = Field("Europe/Rome", alias="PORTA_TIMEZONE")
    default_language: str = Field("it", alias="PORTA_DEFAULT_LANGUAGE")
    organisation: str = Field("Comune di Lucca", alias="PORTA_ORGANISATION")
    privacy_contact: str = Field("privacy@comune.lucca.it", alias="PORTA_PRIVACY_CONTACT")
    hub_contact: str = Field("+39 0583 000000", alias="PORTA_HUB_CONTACT")
    neighbourhoods_list: str = Field(
        "San Vito,San Concordio,Pontetetto,Sant'Anna,Ponte a Moriano", alias="PORTA_NEIGHBOURHOODS"
    )
    reminder_hours_list: str = Field("24,2", alias="PORTA_REMINDER_HOURS")
    reminder_scan_seconds: float = Field(30.0, alias="PORTA_REMINDER_SCAN_SECONDS", gt=0)
    outbox_lease_seconds: float = Field(60.0, alias="PORTA_OUTBOX_LEASE_SECONDS", gt=0)
    outbox_max_age_hours: float = Field(24.0, alias="PORTA_OUTBOX_MAX_AGE", gt=0)
    log_level: str = Field("INFO", alias="PORTA_LOG_LEVEL")
    webhook_secret: str = Field("", alias="PORTA_WEBHOOK_SECRET")
    emergency_number: str = Field("112", alias="PORTA_EMERGENCY_NUMBER")
    # Voice notes: "on" (eSpeak NG from the espeakng-loader wheel, else the system's), "off",
    # or the path of a libespeak-ng shared library to use.
    # Off by default until issue 17 lands whole (recordings, figures, the benchmark).
    voice: str = Field("on", alias="PORTA_VOICE")
    case_retention_days: float = Field(180.0, alias="PORTA_CASE_RETENTION_DAYS", gt=0)
    case_reopen_days: float = Field(7.0, alias="PORTA_CASE_REOPEN_DAYS", ge=0)

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: str) -> str:
        if value and (":" not in value or not value.split(":", 1)[0].isdigit()):
            raise ValueError("expected the form 123456:ABC... given by @BotFather")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: str) -> str:
        if value and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
            raise ValueError("expected 1 to 256 letters, digits, _ or -")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// address")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("expected sqlite+aiosqlite:///PATH or postgresql+asyncpg://...")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("default_language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"expected one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @property
    def neighbourhoods(self) -> list[str]:
        return [name.strip() for name in self.neighbourhoods_list.split(",") if name.strip()]

    @field_validator("reminder_hours_list")
    @classmethod
    def _hours(cls, value: str) -> str:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not parts or not all(p.isdigit() and 0 < int(p) <= 24 * 14 for p in parts):
            raise ValueError("expected whole hours before the activity, like 24,2")
        return value

    @property
    def reminder_hours(self) -> list[int]:
        return sorted({int(p) for p in self.reminder_hours_list.split(",") if p.strip()})

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(**overrides: str) -> Settings:
    """Read the settings, turning a validation error into a one-line SettingsError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = next(iter(error["loc"]), "?")
        field = Settings.model_fields.get(str(name))
        setting = field.alias if field and field.alias else str(name)
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"setting {setting} is invalid: {message}") from None
