"""Typed work kept for its author across a session time-out (issue 12, ADR 0034).

A draft is the text of a note, a message or a safety plan action that someone typed on a
case and has not sent. It is sealed with the case's key (like notes), kept for that
person only (one per person, case and kind of form), restored when they come back, and
discarded when they send the real thing or press "Discard draft". Saving and discarding
are audited with ids only; a draft never reaches the timeline.
"""

from __future__ import annotations

import re
from typing import Final

from django.db import transaction

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import Case, DraftKind, WorkDraft
from waypoint.privacy.services import audit_record

DRAFT_OBJECT_TYPE: Final = "casework.workdraft"
# Generous: the forms themselves refuse anything longer than 10,000 characters, and a
# draft must keep whatever was typed so that it can be shortened later.
DRAFT_MAX_CHARS: Final = 20_000

# The policy action that the real form needs: a draft is kept only for someone who may
# still send it.
DRAFT_ACTIONS: Final[dict[str, str]] = {
    DraftKind.NOTE: "case.note",
    DraftKind.MESSAGE: "case.message",
    DraftKind.PLAN_ACTION: "safety.plan",
}


_PLACE = re.compile(r"^[a-z0-9_-]{0,30}$")


class DraftError(ValueError):
    """A draft Waypoint will not keep; the message is safe to show to the person."""


def draft_action(kind: str) -> str:
    """The policy action for `kind` (DraftError for an unknown kind)."""
    try:
        return DRAFT_ACTIONS[kind]
    except KeyError:
        raise DraftError("That kind of draft cannot be kept.") from None


def _audit(user: User, action: str, draft_id: object, case: Case, kind: str, **extra: str) -> None:
    audit_record(
        actor=user,
        action=action,
        object_type=DRAFT_OBJECT_TYPE,
        object_id=str(draft_id),
        extra={"case_id": str(case.pk), "kind": kind, **extra},
    )


@transaction.atomic
def draft_save(
    *, case: Case, user: User, kind: str, text: str, place: str = ""
) -> WorkDraft | None:
    """Keep `text` as the author's draft of `kind` on `case` (Http404 if they may not
    write it there). Empty text discards the draft instead and returns None.

    `place`: which of several forms of this kind it was typed in (a plan area's value).
    """
    policy.require(user, draft_action(kind), case)
    if not _PLACE.match(place):
        raise DraftError("That draft cannot be kept: the form it came from is not known.")
    if not text.strip():
        draft_discard(case=case, user=user, kind=kind)
        return None
    if len(text) > DRAFT_MAX_CHARS:
        raise DraftError(
            f"This is {len(text):,} characters long, so it could not be kept as a draft. "
            "Please shorten it."
        )
    if case.data_key_id is None:
        raise DraftError("This case has been erased, so nothing more can be written on it.")
    draft = (
        WorkDraft.objects.select_for_update(of=("self",))
        .filter(user=user, case=case, kind=kind)
        .select_related("data_key")
        .first()
    )
    if draft is None:
        draft = WorkDraft(user=user, case=case, kind=kind, data_key_id=case.data_key_id)
    draft.data_key_id = case.data_key_id
    draft.place = place
    draft.text = text
    draft.save()
    _audit(user, "draft.saved", draft.pk, case, kind)
    return draft


@transaction.atomic
def draft_discard(*, case: Case, user: User, kind: str, reason: str = "discarded") -> bool:
    """Delete the author's draft of `kind` on `case`, if there is one (True if so).

    `reason`: "discarded" (they pressed the button) or "sent" (the real thing was sent).
    Needs no policy check: it only ever removes the person's own draft.
    """
    draft_action(kind)
    draft_id = (
        WorkDraft.objects.filter(user=user, case=case, kind=kind)
        .values_list("pk", flat=True)
        .first()
    )
    if draft_id is None:
        return False
    WorkDraft.objects.filter(pk=draft_id).delete()
    _audit(user, "draft.discarded", draft_id, case, kind, reason=reason)
    return True


def draft_discard_on_send(*, case: Case, user: User, kind: str) -> bool:
    """Called by the services that send a note, message or plan action."""
    return draft_discard(case=case, user=user, kind=kind, reason="sent")
