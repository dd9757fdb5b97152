"""Never lose typed work (issue 12, item 11): sealed drafts of notes, messages and plan
actions kept for their author, and the "Stay signed in" keep-alive.

Personas: Ada, the adviser assigned to the case; Lee, the case lead; Ben, another adviser
who is not on the case.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from waypoint.accounts import sessions
from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.tests.factories import UserFactory
from waypoint.casework.models import Case, CaseAssignment, DraftKind, TimelineEntry, WorkDraft
from waypoint.casework.selectors.drafts import draft_get_for_author, draft_text_for_author
from waypoint.casework.services import drafts
from waypoint.casework.services.messages import message_send_from_staff
from waypoint.casework.services.workflow import note_add
from waypoint.casework.tests.conftest import OpenCase
from waypoint.privacy.models import AuditEvent
from waypoint.safety.services.plans import plan_action_add

pytestmark = pytest.mark.django_db

TYPED = "CANARY: she said he waited outside the library again on Tuesday"


def _save_url(case: Case, kind: str = "note") -> str:
    return reverse("casework:draft_save", kwargs={"case_id": case.pk, "kind": kind})


def _discard_url(case: Case, kind: str = "note") -> str:
    return reverse("casework:draft_discard", kwargs={"case_id": case.pk, "kind": kind})


def _case_url(case: Case) -> str:
    return reverse("casework:case", kwargs={"case_id": case.pk})


def _raw_text_column(draft: WorkDraft) -> bytes:
    """The stored bytes (what a database reader sees): `.values_list()` never decrypts."""
    value = WorkDraft.objects.filter(pk=draft.pk).values_list("text", flat=True).first()
    assert value is not None
    return bytes(value)


# --- Services and selectors ---------------------------------------------------------------------


def test_ada_s_unsent_note_is_kept_sealed_and_comes_back_only_to_her(
    open_case: OpenCase, adviser: User, case_lead: User
) -> None:
    case = open_case(assign=[adviser])

    draft = drafts.draft_save(case=case, user=adviser, kind=DraftKind.NOTE, text=TYPED)

    assert draft is not None
    assert b"CANARY" not in _raw_text_column(draft)
    assert draft_text_for_author(user=adviser, case=case, kind=DraftKind.NOTE) == TYPED
    # Lee may read and note on the case, but Ada's draft is hers alone.
    assert draft_text_for_author(user=case_lead, case=case, kind=DraftKind.NOTE) == ""
    # Each kind of form keeps its own draft.
    assert draft_text_for_author(user=adviser, case=case, kind=DraftKind.MESSAGE) == ""


def test_saving_again_replaces_the_draft_and_never_touches_the_timeline(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    entries = TimelineEntry.objects.filter(case=case).count()

    drafts.draft_save(case=case, user=adviser, kind=DraftKind.MESSAGE, text="first words")
    drafts.draft_save(case=case, user=adviser, kind=DraftKind.MESSAGE, text=TYPED)

    assert WorkDraft.objects.filter(user=adviser, case=case).count() == 1
    assert draft_text_for_author(user=adviser, case=case, kind=DraftKind.MESSAGE) == TYPED
    assert TimelineEntry.objects.filter(case=case).count() == entries


def test_saves_and_discards_are_audited_with_ids_only(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])

    draft = drafts.draft_save(case=case, user=adviser, kind=DraftKind.NOTE, text=TYPED)
    assert draft is not None
    assert drafts.draft_discard(case=case, user=adviser, kind=DraftKind.NOTE) is True

    events = list(AuditEvent.objects.filter(object_type=drafts.DRAFT_OBJECT_TYPE).order_by("pk"))
    assert [event.action for event in events] == ["draft.saved", "draft.discarded"]
    assert all(event.object_id == str(draft.pk) for event in events)
    assert events[1].extra["reason"] == "discarded"
    assert all(event.extra["case_id"] == str(case.pk) for event in events)
    assert not any("CANARY" in str(event.extra) for event in events)
    assert not WorkDraft.objects.filter(pk=draft.pk).exists()


def test_saving_empty_text_discards_the_draft(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])
    drafts.draft_save(case=case, user=adviser, kind=DraftKind.NOTE, text=TYPED)

    assert drafts.draft_save(case=case, user=adviser, kind=DraftKind.NOTE, text="  \n") is None

    assert not WorkDraft.objects.filter(user=adviser, case=case).exists()


def test_ben_who_is_not_on_the_case_cannot_keep_a_draft_there(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    ben = UserFactory.create(role=Role.ADVISER, display_name="Ben")

    with pytest.raises(Http404):
        drafts.draft_save(case=case, user=ben, kind=DraftKind.NOTE, text=TYPED)

    assert not WorkDraft.objects.exists()


def test_a_draft_is_not_restored_once_ada_is_taken_off_the_case(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    drafts.draft_save(case=case, user=adviser, kind=DraftKind.PLAN_ACTION, text=TYPED)

    CaseAssignment.objects.filter(case=case, user=adviser).delete()

    assert draft_get_for_author(user=adviser, case=case, kind=DraftKind.PLAN_ACTION) is None


def test_an_unknown_kind_of_draft_is_refused(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])

    with pytest.raises(drafts.DraftError):
        drafts.draft_save(case=case, user=adviser, kind="letter", text=TYPED)


def test_a_draft_too_long_to_keep_is_refused_with_words_to_act_on(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])

    with pytest.raises(drafts.DraftError, match="Please shorten it"):
        drafts.draft_save(
            case=case, user=adviser, kind=DraftKind.NOTE, text="a" * (drafts.DRAFT_MAX_CHARS + 1)
        )


def test_sending_the_note_message_or_plan_action_removes_its_draft(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    for kind in (DraftKind.NOTE, DraftKind.MESSAGE, DraftKind.PLAN_ACTION):
        drafts.draft_save(case=case, user=adviser, kind=kind, text=TYPED, place="travel")

    note_add(case=case, actor=adviser, text=TYPED)
    assert set(WorkDraft.objects.values_list("kind", flat=True)) == {"message", "plan_action"}
    message_send_from_staff(case=case, author=adviser, body="We can meet on Tuesday.")
    assert set(WorkDraft.objects.values_list("kind", flat=True)) == {"plan_action"}
    plan_action_add(case=case, actor=adviser, area="travel", text="Walk with a friend")
    assert not WorkDraft.objects.exists()

    reasons = AuditEvent.objects.filter(action="draft.discarded").values_list("extra", flat=True)
    assert [extra["reason"] for extra in reasons] == ["sent", "sent", "sent"]


def test_a_plan_action_draft_comes_back_only_in_the_area_it_was_typed_in(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    drafts.draft_save(case=case, user=adviser, kind=DraftKind.PLAN_ACTION, text=TYPED, place="home")

    assert (
        draft_text_for_author(user=adviser, case=case, kind=DraftKind.PLAN_ACTION, place="home")
        == TYPED
    )
    assert (
        draft_text_for_author(user=adviser, case=case, kind=DraftKind.PLAN_ACTION, place="travel")
        == ""
    )


def test_a_place_that_is_not_a_plain_choice_value_is_refused(
    open_case: OpenCase, adviser: User
) -> None:
    case = open_case(assign=[adviser])

    with pytest.raises(drafts.DraftError):
        drafts.draft_save(
            case=case, user=adviser, kind=DraftKind.PLAN_ACTION, text=TYPED, place="<b>x</b>"
        )


# --- The drafts endpoint ------------------------------------------------------------------------


def test_save_draft_without_javascript_keeps_the_text_and_returns_to_the_page(
    open_case: OpenCase, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = open_case(assign=[adviser])
    client = signed_in_client(adviser)
    back_to = _case_url(case) + "#notes"

    response = client.post(_save_url(case), {"note-text": TYPED, "draft_next": back_to})

    assert response.status_code == 302
    assert response["Location"] == back_to
    assert draft_text_for_author(user=adviser, case=case, kind=DraftKind.NOTE) == TYPED


def test_autosave_with_javascript_answers_with_the_time_the_session_has_left(
    open_case: OpenCase, adviser: User, signed_in_client: Callable[[User], Client], settings
) -> None:
    case = open_case(assign=[adviser])
    client = signed_in_client(adviser)

    response = client.post(
        _save_url(case, "message"), {"body": TYPED}, headers={"Accept": "application/json"}
    )

    assert response.status_code == 200
    data = response.json()
    assert data["saved"] is True
    assert 0 < data["remaining_seconds"] <= settings.WAYPOINT_STAFF_IDLE_SECONDS
    assert draft_text_for_author(user=adviser, case=case, kind=DraftKind.MESSAGE) == TYPED


def test_discard_draft_removes_it_and_returns_to_the_page(
    open_case: OpenCase, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = open_case(assign=[adviser])
    drafts.draft_save(case=case, user=adviser, kind=DraftKind.NOTE, text=TYPED)
    client = signed_in_client(adviser)

    response = client.post(_discard_url(case), {"note-text": TYPED})

    assert response.status_code == 302
    assert response["Location"] == _case_url(case)
    assert not WorkDraft.objects.exists()


def test_the_way_back_never_leaves_the_staff_area(
    open_case: OpenCase, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = open_case(assign=[adviser])
    client = signed_in_client(adviser)

    for target in ("https://elsewhere.test/staff/", "//elsewhere.test/staff/", "/report/"):
        response = client.post(_save_url(case), {"note-text": TYPED, "draft_next": target})
        assert response["Location"] == _case_url(case), target


def test_ben_gets_the_same_404_as_for_a_case_that_does_not_exist(
    open_case: OpenCase, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = open_case(assign=[adviser])
    ben = UserFactory.create(role=Role.ADVISER, display_name="Ben", totp_secret="JBSWY3DPEHPK3PXQ")
    client = signed_in_client(ben)

    assert client.post(_save_url(case), {"note-text": TYPED}).status_code == 404
    assert client.post(_discard_url(case), {}).status_code == 404
    assert client.post(_save_url(case, "letter"), {}).status_code == 404
    assert not WorkDraft.objects.exists()


def test_the_drafts_endpoint_answers_405_to_a_get(
    open_case: OpenCase, adviser: User, signed_in_client: Callable[[User], Client]
) -> None:
    case = open_case(assign=[adviser])
    client = signed_in_client(adviser)

    assert client.get(_save_url(case)).status_code == 405


# --- Stay signed in -----------------------------------------------------------------------------


def test_stay_signed_in_restarts_the_idle_clock(
    adviser: User, signed_in_client: Callable[[User], Client], settings
) -> None:
    client = signed_in_client(adviser)
    session = client.session
    session[sessions.SEEN_AT] = sessions.now_seconds() - (settings.WAYPOINT_STAFF_IDLE_SECONDS - 90)
    session.save()

    response = client.post(reverse("staff:session_keep_alive"))

    assert response.status_code == 200
    remaining = response.json()["remaining_seconds"]
    assert (
        settings.WAYPOINT_STAFF_IDLE_SECONDS - 5
        <= remaining
        <= (settings.WAYPOINT_STAFF_IDLE_SECONDS)
    )


def test_stay_signed_in_cannot_bring_back_an_expired_session(
    adviser: User, signed_in_client: Callable[[User], Client], settings
) -> None:
    client = signed_in_client(adviser)
    session = client.session
    session[sessions.SEEN_AT] = sessions.now_seconds() - settings.WAYPOINT_STAFF_IDLE_SECONDS - 1
    session.save()

    response = client.post(reverse("staff:session_keep_alive"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_every_staff_page_carries_the_warning_with_the_time_left(
    adviser: User, signed_in_client: Callable[[User], Client], settings
) -> None:
    client = signed_in_client(adviser)

    page = client.get(reverse("staff:home")).content.decode()

    assert "data-session-warning" in page
    assert f'data-idle-minutes="{settings.WAYPOINT_STAFF_IDLE_SECONDS // 60}"' in page
    assert reverse("staff:session_keep_alive") in page


# --- The forms that take typed text -------------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        ("note", "casework:timeline", 'id="id_note-text"'),
        ("message", "casework:message_send", 'name="body"'),
        ("plan_action", "safety:plan", 'id="add-travel-text"'),
    ],
    ids=["note", "message", "plan action"],
)
def test_each_form_states_the_time_out_and_gives_back_the_kept_text(
    open_case: OpenCase,
    adviser: User,
    signed_in_client: Callable[[User], Client],
    form: tuple[str, str, str],
) -> None:
    kind, url_name, box = form
    case = open_case(assign=[adviser], wants_messages=True)
    drafts.draft_save(case=case, user=adviser, kind=kind, text=TYPED, place="travel")
    client = signed_in_client(adviser)

    page = client.get(reverse(url_name, kwargs={"case_id": case.pk})).content.decode()

    assert "You will be signed out after 15 minutes without activity" in page
    assert "This is the text you had not sent yet" in page
    assert f'formaction="{_save_url(case, kind)}"' in page
    assert f'formaction="{_discard_url(case, kind)}"' in page
    textarea = page[page.index(box) :]
    assert textarea[: textarea.index("</textarea>")].endswith(TYPED)


def test_the_lead_on_the_same_case_is_not_given_ada_s_draft(
    open_case: OpenCase,
    adviser: User,
    case_lead: User,
    signed_in_client: Callable[[User], Client],
) -> None:
    case = open_case(assign=[adviser])
    drafts.draft_save(case=case, user=adviser, kind=DraftKind.NOTE, text=TYPED)

    page = signed_in_client(case_lead).get(reverse("casework:timeline", args=[case.pk]))

    assert "CANARY" not in page.content.decode()
    assert "This is the text you had not sent yet" not in page.content.decode()
