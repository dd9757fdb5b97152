"""Reads of the typed work kept for its author (services/drafts.py, ADR 0034)."""

from __future__ import annotations

from typing import Final

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import Case, DraftKind, WorkDraft
from waypoint.casework.services.drafts import draft_action

# The name of the text box in each form, so that the "Save draft" button (which posts the
# whole form) and work-drafts.js post the same field.
DRAFT_FIELDS: Final[dict[str, str]] = {
    DraftKind.NOTE: "note-text",
    DraftKind.MESSAGE: "body",
    DraftKind.PLAN_ACTION: "text",
}
# A form field that says which of several forms of a kind it is (the plan's areas).
DRAFT_PLACE_FIELDS: Final[dict[str, str]] = {DraftKind.PLAN_ACTION: "area"}


def draft_get_for_author(*, user: User, case: Case, kind: str) -> WorkDraft | None:
    """The person's own draft of `kind` on `case`, only while they may still write it
    there (an adviser taken off the case no longer sees it; it is not deleted, so it comes
    back if they are put back on)."""
    # A page asks several times (the form's text, its controls): the policy's answer and
    # one query for all the person's drafts are remembered on the case object it shows.
    answers: dict[tuple[object, str], bool] = case.__dict__.setdefault("_work_draft_may", {})
    action = draft_action(kind)
    if (user.pk, action) not in answers:
        answers[(user.pk, action)] = policy.can(user, action, case)
    if not answers[(user.pk, action)]:
        return None
    remembered: dict[object, dict[str, WorkDraft]] = case.__dict__.setdefault("_work_drafts", {})
    if user.pk not in remembered:
        remembered[user.pk] = {
            draft.kind: draft
            for draft in WorkDraft.objects.filter(user=user, case=case).select_related("data_key")
        }
    return remembered[user.pk].get(kind)


def draft_text_for_author(*, user: User, case: Case, kind: str, place: str | None = None) -> str:
    """The kept text, or "" when there is none (for a form's initial value). With
    `place`, only a draft typed in that form (one plan area's box, say)."""
    draft = draft_get_for_author(user=user, case=case, kind=kind)
    if draft is None or draft.data_key_id is None:
        return ""
    if place is not None and draft.place != place:
        return ""
    return str(draft.text or "")
