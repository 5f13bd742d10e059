"""The Bot API's methods and types as data, and parameter checks against them.

`botapi.json` is a trimmed copy of shared/telegram-bot-api.json (MIT, telegram-bot-api-spec),
keeping only the methods the emulator serves and the types they reach. Regenerate it with
`python -m bot.sandbox.spec PATH/TO/telegram-bot-api.json`.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).with_name("botapi.json")

METHODS = (
    "getMe",
    "logOut",
    "close",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "setMyCommands",
    "deleteMyCommands",
    "getMyCommands",
    "setMyDescription",
    "getMyDescription",
    "setMyShortDescription",
    "getMyShortDescription",
    "setMyName",
    "sendMessage",
    "sendDocument",
    "sendVenue",
    "sendPhoto",
    "sendLocation",
    "sendChatAction",
    "sendVoice",
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
    "deleteMessage",
    "answerCallbackQuery",
    "getChat",
    "copyMessage",
    "createForumTopic",
    "editForumTopic",
    "closeForumTopic",
    "reopenForumTopic",
    "getChatMember",
    "getChatAdministrators",
)

PRIMITIVES = {"Integer", "String", "Boolean", "Float", "True", "InputFile"}


class ParameterError(Exception):
    """A parameter does not fit the method's signature; the message is Telegram-like."""


@cache
def spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return data


def base_type(name: str) -> tuple[int, str]:
    """'Array of Array of X' -> (2, 'X')."""
    depth = 0
    while name.startswith("Array of "):
        name, depth = name.removeprefix("Array of "), depth + 1
    return depth, name


def coerce(value: Any, types: list[str], where: str, *, form: bool) -> Any:
    """Turn a (form-encoded or JSON) value into the first of `types` it fits, or raise."""
    last_error = ParameterError(f"Bad Request: can't parse {where}")
    if len(types) > 1:
        # Try the object type that knows most of the given keys first, so that its error
        # (not the last candidate's) is the one reported.
        parsed = value
        if form and isinstance(value, str):
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
        if isinstance(parsed, dict):
            types = sorted(types, key=lambda t: -_known_keys(parsed, t))
    first_error: ParameterError | None = None
    for type_name in types:
        try:
            return _coerce_one(value, type_name, where, form=form)
        except ParameterError as error:
            first_error = first_error or error
    raise first_error or last_error


def _known_keys(value: dict[str, Any], type_name: str) -> int:
    fields = spec()["types"].get(base_type(type_name)[1], {}).get("fields", [])
    return len(set(value) & {field["name"] for field in fields})


def _coerce_one(value: Any, type_name: str, where: str, *, form: bool) -> Any:
    depth, name = base_type(type_name)
    if form and isinstance(value, str) and (depth or name not in PRIMITIVES):
        try:
            value = json.loads(value)
        except ValueError:
            raise ParameterError(f"Bad Request: can't parse {where} JSON object") from None
    if depth:
        if not isinstance(value, list):
            raise ParameterError(f"Bad Request: {where} must be an Array")
        inner = type_name.removeprefix("Array of ")
        return [_coerce_one(item, inner, where, form=False) for item in value]
    if name == "Integer":
        if isinstance(value, bool):
            raise ParameterError(f"Bad Request: {where} must be an Integer")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        raise ParameterError(f"Bad Request: {where} must be an Integer")
    if name == "Float":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ParameterError(f"Bad Request: {where} must be a Float") from None
    if name in ("Boolean", "True"):
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            value = value.lower() in ("true", "1")
        if not isinstance(value, bool) or (name == "True" and value is not True):
            raise ParameterError(f"Bad Request: {where} must be a Boolean")
        return value
    if name == "String":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ParameterError(f"Bad Request: {where} must be a String")
        return str(value)
    if name == "InputFile":
        if not isinstance(value, Upload):
            raise ParameterError(f"Bad Request: {where} must be a file")
        return value
    return check_object(value, name, where)


def check_object(value: Any, type_name: str, where: str) -> dict[str, Any]:
    """Check a JSON object against a type's fields: required ones present, none unknown."""
    definition = spec()["types"].get(type_name)
    if definition is None:
        raise ParameterError(f"Bad Request: unsupported type {type_name} in {where}")
    if "subtypes" in definition:
        return coerce(value, definition["subtypes"], where, form=False)  # type: ignore[no-any-return]
    fields = definition.get("fields", [])
    if not isinstance(value, dict):
        raise ParameterError(f"Bad Request: can't parse {where}: expected a {type_name} object")
    known = {field["name"]: field for field in fields}
    for key in value:
        if key not in known:
            raise ParameterError(f"Bad Request: can't parse {where}: unknown field {key!r}")
    checked: dict[str, Any] = {}
    for name, field in known.items():
        if name in value:
            checked[name] = coerce(value[name], field["types"], f"{where}.{name}", form=False)
        elif field["required"]:
            raise ParameterError(f"Bad Request: can't parse {where}: field {name!r} is missing")
    return checked


class Upload:
    """A file sent with multipart/form-data."""

    def __init__(self, filename: str, content: bytes, content_type: str) -> None:
        self.filename, self.content, self.content_type = filename, content, content_type


def unknown_parameters(method: str, params: dict[str, Any]) -> list[str]:
    """Parameters the method does not have. Telegram ignores them (python-telegram-bot sends
    a default parse_mode even to editMessageReplyMarkup); the emulator records them."""
    fields = {field["name"] for field in spec()["methods"][method].get("fields", [])}
    return sorted(name for name in params if name not in fields)


def check_call(method: str, params: dict[str, Any], *, form: bool) -> dict[str, Any]:
    """Validate a method's parameters; return the known ones converted to Python values."""
    fields = {field["name"]: field for field in spec()["methods"][method].get("fields", [])}
    checked: dict[str, Any] = {}
    for name, field in fields.items():
        value = params.get(name)
        if value is None or (form and value == "" and "String" not in field["types"]):
            if field["required"]:
                raise ParameterError(f"Bad Request: {name} is empty")
            continue
        checked[name] = coerce(value, field["types"], name, form=form)
    return checked


def _trim(source: dict[str, Any]) -> dict[str, Any]:
    methods = {name: source["methods"][name] for name in METHODS}
    wanted: list[str] = [
        base_type(t)[1] for m in methods.values() for f in m.get("fields", []) for t in f["types"]
    ]
    types: dict[str, Any] = {}
    while wanted:
        name = wanted.pop()
        if name in types or name in PRIMITIVES or name not in source["types"]:
            continue
        types[name] = source["types"][name]
        for field in types[name].get("fields", []):
            wanted.extend(base_type(t)[1] for t in field["types"])
        wanted.extend(types[name].get("subtypes", []))
    strip = ("href", "description")
    clean_methods = {
        name: {
            "fields": [{k: v for k, v in f.items() if k not in strip} for f in m.get("fields", [])]
        }
        for name, m in methods.items()
    }
    clean_types = {
        name: {k: v for k, v in t.items() if k not in strip} for name, t in sorted(types.items())
    }
    for t in clean_types.values():
        for f in t.get("fields", []):
            f.pop("description", None)
    return {"version": source["version"], "methods": clean_methods, "types": clean_types}


if __name__ == "__main__":
    full = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    SPEC_PATH.write_text(json.dumps(_trim(full), indent=1, ensure_ascii=False) + "\n")
