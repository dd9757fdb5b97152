"""Who may open a case and write in it: deny by default, and a 404 that tells nothing."""

from __future__ import annotations

import uuid

import pytest
from django.contrib import admin
from django.http import Http404

from waypoint.accounts.models import User
from waypoint.casework.models import Case, CaseAssignment, CaseOpening, Message
from waypoint.casework.selectors import case_get_for_staff
from waypoint.casework.services import message_send_from_staff, messages_for_staff
from waypoint.casework.tests.conftest import OpenCase

pytestmark = pytest.mark.django_db

REFUSED = ["partner", "insights_viewer", "outsider", "administrator"]


def _grant(administrator: User) -> User:
    administrator.case_access_granted = True
    administrator.save(update_fields=["case_access_granted"])
    return administrator


def test_an_assigned_adviser_opens_their_case(open_case: OpenCase, adviser: User) -> None:
    case = open_case(assign=[adviser])

    assert case_get_for_staff(user=adviser, case_id=str(case.pk)) == case
    assert case_get_for_staff(user=adviser, case_id=case.pk) == case


def test_an_adviser_not_assigned_to_the_case_gets_a_404(open_case: OpenCase, adviser: User) -> None:
    case = open_case()

    with pytest.raises(Http404):
        case_get_for_staff(user=adviser, case_id=case.pk)
    with pytest.raises(Http404):
        message_send_from_staff(case=case, author=adviser, body="Hello")
    with pytest.raises(Http404):
        messages_for_staff(user=adviser, case=case)
    assert not Message.objects.filter(case=case).exists()


@pytest.mark.parametrize("persona", REFUSED)
def test_people_without_case_access_get_a_404_even_when_assigned(
    request: pytest.FixtureRequest, open_case: OpenCase, persona: str
) -> None:
    user: User = request.getfixturevalue(persona)
    case = open_case()
    # Even an assignment (made by mistake) opens nothing to a role without case access.
    CaseAssignment.objects.create(case=case, user=user)

    with pytest.raises(Http404):
        case_get_for_staff(user=user, case_id=case.pk)
    with pytest.raises(Http404):
        message_send_from_staff(case=case, author=user, body="Hello")
    with pytest.raises(Http404):
        messages_for_staff(user=user, case=case)
    assert not Message.objects.filter(case=case).exists()
    assert not CaseOpening.objects.filter(case=case).exists()


def test_a_case_lead_opens_any_case_that_is_not_restricted(
    open_case: OpenCase, case_lead: User
) -> None:
    case = open_case()

    assert case_get_for_staff(user=case_lead, case_id=case.pk) == case


def test_a_case_lead_gets_a_404_for_a_restricted_case_unless_assigned(
    open_case: OpenCase, case_lead: User
) -> None:
    restricted = open_case(restricted=True)
    restricted_and_assigned = open_case(restricted=True, assign=[case_lead])

    with pytest.raises(Http404):
        case_get_for_staff(user=case_lead, case_id=restricted.pk)
    with pytest.raises(Http404):
        message_send_from_staff(case=restricted, author=case_lead, body="Hello")
    assert case_get_for_staff(user=case_lead, case_id=restricted_and_assigned.pk)


def test_an_administrator_granted_case_access_acts_as_a_case_lead(
    open_case: OpenCase, administrator: User
) -> None:
    granted = _grant(administrator)
    case = open_case()
    restricted = open_case(restricted=True)

    assert case_get_for_staff(user=granted, case_id=case.pk) == case
    with pytest.raises(Http404):
        case_get_for_staff(user=granted, case_id=restricted.pk)


def test_a_missing_case_and_a_forbidden_case_give_the_same_404(
    open_case: OpenCase, adviser: User
) -> None:
    forbidden = open_case()

    with pytest.raises(Http404) as missing_error:
        case_get_for_staff(user=adviser, case_id=uuid.uuid4())
    with pytest.raises(Http404) as forbidden_error:
        case_get_for_staff(user=adviser, case_id=forbidden.pk)

    assert missing_error.value.args == forbidden_error.value.args == ()


@pytest.mark.parametrize("case_id", ["", "not-a-uuid", "1 OR 1=1", "0" * 40])
def test_a_malformed_case_id_is_a_404(case_lead: User, case_id: str) -> None:
    with pytest.raises(Http404):
        case_get_for_staff(user=case_lead, case_id=case_id)


def test_no_case_data_is_registered_in_the_django_admin() -> None:
    registered = {model._meta.app_label for model in admin.site._registry}

    assert "casework" not in registered
    assert Case not in admin.site._registry
