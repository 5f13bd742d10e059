"""The words for a case's kind and status, marked for translation: the staff groups' case
cards, the young person's requests and the programme report say them alike."""

from __future__ import annotations

from bot.i18n import N_

KIND_NAMES = {
    "housing": N_("housing request"),
    "person": N_("talk to a person"),
    "offer": N_("offer of help"),
    "idea": N_("idea from a young person"),
}
STATUS_NAMES = {
    "new": N_("new"),
    "claimed": N_("claimed"),
    "review": N_("in review"),
    "answered": N_("answered"),
    "closed": N_("closed"),
    "withdrawn": N_("withdrawn"),
}
