"""Typed answers to the young person's forms (a housing request, an idea, an offer of help):
one place finds the open form, checks the text against the step's rule, and hands it on."""

from __future__ import annotations

from collections.abc import Callable, Collection

from telegram import Update

from bot.db.models import Form
from bot.i18n import Translator
from bot.services import forms, users
from handlers.common import NOT_A_PHONE, PHONE, TOO_LONG, PortaContext, ids, say
from handlers.screens import Screen, Shown, draw

# (translator, step, text) -> what to say when the text does not do, else None
Check = Callable[[Translator, str, str], str | None]


def phone_or_limit(limits: Callable[[str], int | None]) -> Check:
    """The usual rule: a phone number at the "phone" step; elsewhere at most `limits(step)`
    characters (None: any length)."""

    def check(t: Translator, step: str, text: str) -> str | None:
        if step == "phone":
            return None if PHONE.match(text) else say(t, NOT_A_PHONE)
        limit = limits(step)
        if limit is not None and len(text) > limit:
            return say(t, TOO_LONG, count=len(text), limit=limit)
        return None

    return check


async def take(
    update: Update,
    context: PortaContext,
    *,
    awaiting: str,
    typed: Collection[str],
    check: Check,
    answer: Callable[[Form, str, str], None],
    screen: str,
    kind: str | None = None,
    tidy: Callable[[str, str], str] = lambda step, text: text.strip(),
) -> Shown | bool:
    """The text of the message, as the answer to the form's step, when the person's open
    form (of `kind`) waits for a typed answer (`awaiting`); False when nothing does."""
    assert update.message is not None and update.message.text is not None
    user_id, _ = ids(update)
    async with context.db.begin() as session:
        user = await users.get(session, user_id)
        if user is None or user.awaiting != awaiting:
            return False
        form = await forms.get(session, user_id)
        if form is None or (kind is not None and form.kind != kind) or form.step not in typed:
            users.wait_for(user, None)
            return False
        text = tidy(form.step, update.message.text)
        refused = check(context.t, form.step, text)
        if refused is not None:
            return Screen(refused)
        answer(form, form.step, text)
        users.wait_for(user, awaiting if form.step in typed else None)
    return await draw(screen, update, context, form)
