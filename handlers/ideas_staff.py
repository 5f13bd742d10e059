"""A youth worker moderates an idea from its card in the group: approve it (it goes on the
board), ask for changes, or decline it, each with a reason picked from quick replies that
reaches the young person in their own language."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop

from bot.db.models import Case, Idea
from bot.i18n import N_, SUPPORTED_LOCALES, native_name, pN_
from bot.services import cases, catalog, ideas, manage, operators
from handlers import notices
from handlers.callbacks import Callback, pack
from handlers.casecard import (
    acting_on,
    card_screen,
    kick,
    person_translator,
    said,
    team_translator,
)
from handlers.common import PortaContext, buttons, say
from handlers.screens import Screen, Shown, draw, toast

APPROVED = N_(
    "🎉 Your idea “{title}” is approved! Others can now see it on the ideas board and say "
    "they would join."
)
ASK_CHANGES = N_("✏️ A youth worker read your idea “{title}” and asks: {reason}")
DECLINED = N_("Thank you for your idea “{title}”. A youth worker read it. {reason}")
CHANGES = {
    "more": pN_("idea reason", "Please say a bit more about what it is and who it is for."),
    "place": pN_("idea reason", "Please say where it could happen."),
    "title": pN_("idea reason", "Please give it a clearer title."),
}
DECLINES = {
    "exists": pN_("idea reason", "Something like this is already on at the hubs."),
    "cannot": pN_("idea reason", "The hubs cannot do this, sorry."),
    "rules": pN_("idea reason", "It does not follow the hubs' rules."),
}
CASE_STATUS = {"ok": "answered", "ch": "review", "no": "closed"}
NOT_APPROVED = N_("Only an approved idea can become an activity, once.")
MAKING = N_("💡 A youth worker is making this idea an activity.")
WROTE_TO_YOU = N_(
    "📩 I wrote to you in our private chat: finish the activity there. "
    "If nothing came, open a chat with me, tap Start, then tap here again."
)
NOT_WAITING = N_("This idea is not waiting for a decision.")


async def idea_card_button(update: Update, context: PortaContext, data: Callback) -> Shown:
    """✅ Approve, ✏️ Ask for changes and ❌ Decline on an idea's card; the reasons come as
    a second row of quick replies, and ⬅ Back brings the card's buttons back."""
    case, refusal = await acting_on(update, context, data.arg(0))
    if case is None:
        return refusal
    action, reason = data.arg(1), data.arg(2)
    if action == "act":
        return await make_activity(update, context, case)
    t = team_translator(context)
    if action in ("ch", "no") and not reason:
        options = CHANGES if action == "ch" else DECLINES
        rows = [
            [(t.pgettext(*entry), pack("is", case.id, action, key))]
            for key, entry in options.items()
        ]
        rows.append([(t.pgettext("button", "⬅ Back"), pack("is", case.id, "back"))])
        return Screen(markup=buttons(rows), replace=True, keyboard_only=True)
    staff_id = update.effective_user.id if update.effective_user else None
    async with context.db.begin() as session:
        case = await cases.get(session, case.id)
        idea = await ideas.of_case(session, case.id) if case else None
        if case is None or idea is None:
            return toast(say(context.t, NOT_WAITING), alert=True)
        if action != "back":
            done = await decide(context, session, case, idea, (action, reason), staff_id)
            if done is None:
                return toast(say(context.t, NOT_WAITING), alert=True)
            await cases.note_in_topic(session, case, "↩️ " + done)
        shown = await card_screen(context, session, case)
    kick(context)
    return shown


async def decide(
    context: PortaContext,
    session: AsyncSession,
    case: Case,
    idea: Idea,
    choice: tuple[str, str],
    staff_id: int | None,
) -> str | None:
    """Record the decision (`choice`: the action and its reason) and queue what the young
    person hears; the same words in the team's language, for the topic (None: not a
    decision that can be made now)."""
    action, reason = choice
    status = {"ok": "approved", "ch": "changes", "no": "declined"}.get(action)
    options = CHANGES if action == "ch" else DECLINES
    if status is None or (action != "ok" and reason not in options):
        return None
    if not ideas.decide(idea, status, cases.now()):
        return None
    theirs, ours = person_translator(context, case), team_translator(context)
    message = {"ok": APPROVED, "ch": ASK_CHANGES, "no": DECLINED}[action]
    words = {"reference": case.reference, "title": idea.title}
    mine = {**words, "reason": theirs.pgettext(*options[reason]) if reason else ""}
    markup = None
    if action == "ch":
        label = theirs.pgettext("button", "✏️ Change my idea")
        markup = buttons([[(label, pack("ia", "edit", idea.id))]]).to_dict()
    text = theirs.directed(said(theirs, message, **mine))
    await cases.to_person(session, case, text=text, reply_markup=markup)
    await cases.set_status(session, case, CASE_STATUS[action], staff_id)
    if action == "no":
        await cases.topic_call(session, case, "closeForumTopic")
    why = ours.pgettext(*options[reason]) if reason else ""
    return said(ours, message, **{**words, "reason": why})


async def make_activity(update: Update, context: PortaContext, case: Case) -> Shown:
    """💡 Make it an activity: the new-activity form starts in the staff member's private
    chat, filled in from the idea (title, description, hub); they add the kind, the date,
    the length and the places. Publishing it tells every backer (handlers.notices)."""
    staff_id = update.effective_user.id if update.effective_user else 0
    t = context.t  # the staff member's own language, in their private chat
    async with context.db.begin() as session:
        idea = await ideas.of_case(session, case.id)
        if idea is None or idea.status != "approved":
            return toast(say(t, NOT_APPROVED), alert=True)
        draft = await manage.start_draft(session, staff_id, None, "hub", idea.language)
        data = {**draft.data, "title": idea.title, "description": idea.body, "idea": idea.id}
        if idea.hub_id:
            data["hub"], draft.step = idea.hub_id, "category"
        draft.data = data
        hubs = await catalog.hubs(session)
        await cases.note_in_topic(session, case, say(team_translator(context), MAKING))
    if draft.step == "hub":
        rows = [[(hub.name, pack("of", "nh", hub.id))] for hub in hubs]
        question = Screen(say(t, N_("🆕 New activity. Which hub?")), buttons(rows))
    else:
        [question] = await draw("staff.form_question", update, context, draft.step, data)
    markup = question.markup if isinstance(question.markup, InlineKeyboardMarkup) else None
    await notices.send_later(context, staff_id, question.text, markup)
    return toast(say(t, WROTE_TO_YOU), alert=True)


TRANSLATE_USAGE = N_(
    "Write it like this, in the idea's topic: /translate ar Title | A one-line summary"
)
TRANSLATED = N_("✅ Saved in {language}. People who read {language} see it on the board.")
SUMMARY_LIMIT = 200


async def translate(update: Update, context: PortaContext) -> None:
    """/translate LANG Title | summary, written in an idea's topic: others who read LANG see
    the idea's title and summary in it, not only the original."""
    message, person = update.message, update.effective_user
    if message is None or person is None or message.message_thread_id is None:
        raise ApplicationHandlerStop
    t = team_translator(context)
    words = (message.text or "").split(maxsplit=2)
    code = words[1].lower() if len(words) > 1 else ""
    title, _, summary = (words[2] if len(words) > 2 else "").partition("|")
    title, summary = " ".join(title.split()), " ".join(summary.split())
    async with context.db.begin() as session:
        case = await cases.in_topic(session, message.chat_id, message.message_thread_id)
        idea = await ideas.of_case(session, case.id) if case else None
        role = await operators.role_of(session, person.id)
        allowed = case is not None and role in cases.TEAM_ROLES[case.team]
        fits = len(title) <= ideas.TITLE_LIMIT and len(summary) <= SUMMARY_LIMIT
        if idea is None or not allowed or code not in SUPPORTED_LOCALES or not title or not fits:
            answer = say(t, TRANSLATE_USAGE)
        else:
            idea.texts = {**(idea.texts or {}), code: {"title": title, "summary": summary}}
            answer = say(t, TRANSLATED, language=native_name(code))
    await message.reply_text(answer)
    raise ApplicationHandlerStop
