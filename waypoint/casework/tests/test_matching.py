"""Matches between cases that name the same person, match alerts for leads, and links."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.fixtures import DjangoAssertNumQueries, Settings

from waypoint.accounts.models import User
from waypoint.accounts.tests.factories import UserFactory
from waypoint.accounts.tests.support import login_as
from waypoint.casework.models import (
    Case,
    CaseConflict,
    CaseGrant,
    CaseLink,
    CaseMatch,
    EntryKind,
    MatchStatus,
    TimelineEntry,
)
from waypoint.casework.selectors.matching import (
    case_get_by_reference_for_linking,
    match_alerts_for_lead,
    matches_panel_for,
)
from waypoint.casework.services import matching
from waypoint.casework.services.matching import (
    LinkError,
    MatchDecidedError,
    case_link_create,
    match_dismiss,
    match_link,
    matches_find_for_case,
)
from waypoint.casework.tests.conftest import OpenCase
from waypoint.privacy import identifiers, keysets
from waypoint.privacy.crypto import reset_key_caches
from waypoint.privacy.models import AuditEvent
from waypoint.reporting import services as reporting_services
from waypoint.reporting.models import PersonIdentifier

pytestmark = pytest.mark.django_db

NamedCase = Callable[..., Case]


@pytest.fixture
def named_case(open_case: OpenCase) -> NamedCase:
    """`named_case(person_email=..., restricted=..., assign=...)`: a case whose report
    names a person, recorded with the report flow's own code (details and keyed hashes)."""

    def make(*, restricted: bool = False, assign: tuple[User, ...] = (), **who: Any) -> Case:
        case = open_case(restricted=restricted, assign=assign)
        reporting_services._record_person(case.report, who)
        return case

    return make


def _grant(administrator: User) -> User:
    administrator.case_access_granted = True
    administrator.save(update_fields=["case_access_granted"])
    return administrator


def _pair(first: Case, second: Case) -> tuple[Case, Case]:
    return (first, second) if first.pk < second.pk else (second, first)


def _client(user: User) -> Client:
    client = Client()
    login_as(client, user)
    client.get(reverse("staff:home"))  # shows (and so clears) the "signed in" message
    return client


def _messages(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Finding matches -------------------------------------------------------------------------


def test_the_same_email_written_differently_in_two_reports_is_a_match(
    named_case: NamedCase,
) -> None:
    first = named_case(person_email=" Jane.Doe+x@GoogleMail.com")
    second = named_case(person_email="janedoe@gmail.com")

    [match] = matches_find_for_case(case=second)

    case_a, case_b = _pair(first, second)
    assert (match.case_a, match.case_b) == (case_a, case_b)
    assert match.kinds == ["email"]
    assert match.status == MatchStatus.NEW


def test_phone_numbers_written_differently_match(named_case: NamedCase) -> None:
    first = named_case(person_phone="+44 (0)7700 900123")
    second = named_case(person_phone="07700-900-123")

    [match] = matches_find_for_case(case=first)

    assert {match.case_a, match.case_b} == {first, second}
    assert match.kinds == ["phone"]


def test_every_kind_that_matched_is_listed_sorted_and_no_value_is_stored(
    named_case: NamedCase,
) -> None:
    named_case(person_phone="07700 900123", person_email="sam@example.test", handles=["@sam"])
    second = named_case(
        person_email="SAM@example.test", person_phone="+447700900123", handles=["sam"]
    )

    [match] = matches_find_for_case(case=second)

    assert match.kinds == ["email", "handle", "phone"]
    stored = json.dumps(match.kinds) + json.dumps(
        list(AuditEvent.objects.filter(action="case.match_found").values_list("extra", flat=True))
    )
    assert "sam" not in stored.lower()
    assert "7700" not in stored


def test_the_same_text_given_as_different_kinds_does_not_match(named_case: NamedCase) -> None:
    # Both normalise to "sam@example.test", and the same number is on both registers.
    named_case(person_email="sam@example.test", student_number="AB1234")
    second = named_case(handles=["sam@example.test"], staff_number="AB1234")

    assert matches_find_for_case(case=second) == []
    assert not CaseMatch.objects.exists()


def test_different_people_do_not_match(named_case: NamedCase) -> None:
    named_case(person_email="sam@example.test", person_phone="07700 900123")
    second = named_case(person_email="alex@example.test", person_phone="07700 900999")

    assert matches_find_for_case(case=second) == []


def test_a_report_that_names_no_one_matches_nothing(
    named_case: NamedCase, open_case: OpenCase
) -> None:
    named_case(person_email="sam@example.test")

    assert matches_find_for_case(case=open_case()) == []


def test_two_people_in_the_same_report_never_match_their_own_case(named_case: NamedCase) -> None:
    case = named_case(person_email="sam@example.test")
    reporting_services._record_person(case.report, {"person_email": "Sam@example.test"})

    assert matches_find_for_case(case=case) == []


def test_finding_matches_again_changes_nothing_and_audits_once(named_case: NamedCase) -> None:
    first = named_case(person_email="sam@example.test")
    second = named_case(person_email="sam@example.test")

    [match] = matches_find_for_case(case=second)
    [again] = matches_find_for_case(case=second)
    [from_the_other_side] = matches_find_for_case(case=first)

    assert match.pk == again.pk == from_the_other_side.pk
    assert CaseMatch.objects.count() == 1
    event = AuditEvent.objects.get(action="case.match_found")
    case_a, case_b = _pair(first, second)
    assert event.object_id == str(match.pk)
    assert event.extra == {"case_a": str(case_a.pk), "case_b": str(case_b.pk), "kinds": ["email"]}


def test_a_dismissed_match_stays_dismissed_and_its_kinds_are_brought_up_to_date(
    named_case: NamedCase, case_lead: User
) -> None:
    first = named_case(person_email="sam@example.test")
    second = named_case(person_email="sam@example.test", person_phone="07700 900123")
    [match] = matches_find_for_case(case=second)
    match_dismiss(actor=case_lead, match=match)
    reporting_services._record_person(first.report, {"person_phone": "+44 7700 900123"})

    [again] = matches_find_for_case(case=first)

    assert again.pk == match.pk
    assert again.status == MatchStatus.DISMISSED
    assert again.kinds == ["email", "phone"]


def test_a_new_match_between_cases_already_linked_raises_no_alert(
    named_case: NamedCase, case_lead: User
) -> None:
    first = named_case(person_email="sam@example.test")
    second = named_case(person_email="sam@example.test")
    case_link_create(actor=case_lead, case=first, other=second)

    [match] = matches_find_for_case(case=second)

    assert match.status == MatchStatus.LINKED
    assert match_alerts_for_lead(user=case_lead) == []


def test_the_identifier_fields_are_the_ones_the_report_flow_hashes() -> None:
    assert matching.IDENTIFIER_FIELDS == reporting_services._IDENTIFIER_KINDS
    assert set(matching.KIND_LABELS) == set(identifiers.NORMALISERS)


@pytest.fixture
def identifier_keyset_copy(tmp_path: Path, settings: Settings) -> Iterator[Path]:
    copy = tmp_path / "identifier.json"
    shutil.copyfile(settings.WAYPOINT_KEYSETS[keysets.IDENTIFIER], copy)
    settings.WAYPOINT_KEYSETS = {**settings.WAYPOINT_KEYSETS, keysets.IDENTIFIER: copy}
    keysets.reset_keyset_cache()
    yield copy
    keysets.reset_keyset_cache()
    reset_key_caches()


def test_a_report_made_after_the_identifier_key_was_rotated_still_matches_older_ones(
    named_case: NamedCase, identifier_keyset_copy: Path
) -> None:
    before = named_case(person_email="sam@example.test")
    keysets.write_private_file(
        identifier_keyset_copy,
        keysets.rotated_keyset_json(identifier_keyset_copy, keysets.IDENTIFIER),
        exclusive=False,
    )
    keysets.reset_keyset_cache()
    after = named_case(person_email="Sam@Example.test")
    # The stored digests differ (two keys): only re-hashing under every key finds it.
    stored = PersonIdentifier.objects.filter(kind=identifiers.EMAIL).values_list("digest")
    assert len(set(stored)) == 2

    [match] = matches_find_for_case(case=after)

    assert {match.case_a, match.case_b} == {before, after}


# --- Who sees match alerts -------------------------------------------------------------------


@pytest.fixture
def a_match(named_case: NamedCase) -> CaseMatch:
    named_case(person_email="sam@example.test")
    second = named_case(person_email="sam@example.test")
    [match] = matches_find_for_case(case=second)
    return match


def test_a_case_lead_gets_an_alert_with_both_references_and_what_matched(
    a_match: CaseMatch, case_lead: User
) -> None:
    client = _client(case_lead)

    response = client.get(reverse("casework:matches"))

    assert response.status_code == 200
    [alert] = response.context["alerts"]
    assert alert.match == a_match
    assert alert.kinds == ["email address"]
    page = response.content.decode()
    assert a_match.case_a.report.reference in page
    assert a_match.case_b.report.reference in page
    assert "The same email address" in page
    assert reverse("casework:match_decide", kwargs={"match_id": a_match.pk}) in page
    assert AuditEvent.objects.filter(action="case.match_list", actor_id=str(case_lead.pk)).exists()


def test_a_match_with_a_restricted_case_reaches_only_a_lead_named_on_it(
    named_case: NamedCase, case_lead: User
) -> None:
    named_case(person_email="sam@example.test", restricted=True)
    second = named_case(person_email="sam@example.test")
    [match] = matches_find_for_case(case=second)

    assert match_alerts_for_lead(user=case_lead) == []
    restricted = match.case_a if match.case_a.restricted else match.case_b
    CaseGrant.objects.create(case=restricted, user=case_lead)
    assert [alert.match for alert in match_alerts_for_lead(user=case_lead)] == [match]


def test_a_lead_with_a_conflict_on_either_case_never_sees_the_match(
    a_match: CaseMatch, case_lead: User
) -> None:
    CaseConflict.objects.create(
        case=a_match.case_b, user=case_lead, source=CaseConflict.Source.DECLARED
    )
    client = _client(case_lead)

    response = client.get(reverse("casework:matches"))

    assert response.context["alerts"] == []
    assert a_match.case_a.report.reference not in response.content.decode()


@pytest.mark.parametrize("persona", ["adviser", "partner", "insights_viewer", "administrator"])
def test_no_one_but_a_lead_gets_match_alerts(
    request: pytest.FixtureRequest, a_match: CaseMatch, persona: str
) -> None:
    user: User = request.getfixturevalue(persona)
    # Even an adviser assigned to both cases: matching is a lead's work.
    a_match.case_a.assignments.create(user=user)
    a_match.case_b.assignments.create(user=user)
    client = _client(user)

    assert client.get(reverse("casework:matches")).status_code == 403
    assert match_alerts_for_lead(user=user) == []


def test_an_administrator_granted_case_access_gets_alerts_like_a_lead(
    a_match: CaseMatch, administrator: User
) -> None:
    client = _client(_grant(administrator))

    response = client.get(reverse("casework:matches"))

    assert [alert.match for alert in response.context["alerts"]] == [a_match]


def test_decided_matches_are_not_alerts(a_match: CaseMatch, case_lead: User) -> None:
    match_dismiss(actor=case_lead, match=a_match)

    assert match_alerts_for_lead(user=case_lead) == []


def _many_matches(named_case: NamedCase, count: int) -> None:
    for number in range(count):
        email = f"person{number}@example.test"
        named_case(person_email=email)
        restricted = number % 3 == 0  # some the lead may not see, which are left out
        matches_find_for_case(case=named_case(person_email=email, restricted=restricted))


@pytest.mark.parametrize("count", [2, 30])
def test_the_alert_list_costs_the_same_number_of_queries_however_many_matches(
    named_case: NamedCase,
    case_lead: User,
    django_assert_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    _many_matches(named_case, count)
    client = _client(case_lead)
    client.get(reverse("casework:matches"))  # warm the session and the institution

    with django_assert_num_queries(MATCH_LIST_QUERIES):
        response = client.get(reverse("casework:matches"))

    assert response.status_code == 200
    assert len(response.context["alerts"]) == min(count - (count + 2) // 3, 25)


# Session, user, two MFA checks (middleware); new matches with both cases and reports;
# assignments, grants and conflicts of those cases; the audit event (savepoint, head,
# insert, head update, release); the institution (base template); the header's
# notification count (ADR 0033).
MATCH_LIST_QUERIES = 15


# --- Linking and dismissing ------------------------------------------------------------------


def test_a_lead_links_the_cases_of_a_match(a_match: CaseMatch, case_lead: User) -> None:
    client = _client(case_lead)

    response = client.post(
        reverse("casework:match_decide", kwargs={"match_id": a_match.pk}), {"decision": "link"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("casework:matches")
    a_match.refresh_from_db()
    assert a_match.status == MatchStatus.LINKED
    assert a_match.decided_by == case_lead
    assert a_match.decided_at is not None
    link = CaseLink.objects.get()
    assert (link.case_a, link.case_b, link.from_match) == (a_match.case_a, a_match.case_b, a_match)
    entries = TimelineEntry.objects.filter(kind=EntryKind.LINKED)
    assert {entry.case for entry in entries} == {a_match.case_a, a_match.case_b}
    assert all(entry.detail == {"link_id": link.pk, "from_match": True} for entry in entries)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"case.linked", "case.match_linked"} <= actions
    assert match_alerts_for_lead(user=case_lead) == []


def test_a_lead_says_a_match_is_not_the_same_person(a_match: CaseMatch, case_lead: User) -> None:
    client = _client(case_lead)

    response = client.post(
        reverse("casework:match_decide", kwargs={"match_id": a_match.pk}),
        {"decision": "dismiss", "from_case": str(a_match.case_b_id)},
    )

    assert response["Location"] == (
        reverse("casework:case", kwargs={"case_id": a_match.case_b_id}) + "#case-links"
    )
    a_match.refresh_from_db()
    assert a_match.status == MatchStatus.DISMISSED
    assert not CaseLink.objects.exists()
    assert not TimelineEntry.objects.filter(kind=EntryKind.LINKED).exists()
    assert AuditEvent.objects.filter(action="case.match_dismissed").count() == 1


def test_a_match_already_decided_is_not_decided_again(a_match: CaseMatch, case_lead: User) -> None:
    match_dismiss(actor=case_lead, match=a_match)
    client = _client(case_lead)

    response = client.post(
        reverse("casework:match_decide", kwargs={"match_id": a_match.pk}), {"decision": "link"}
    )

    assert response.status_code == 302
    assert _messages(response) == ["Someone has already dealt with this match."]
    assert not CaseLink.objects.exists()
    with pytest.raises(MatchDecidedError):
        match_link(actor=case_lead, match=a_match)


def test_a_decision_that_is_neither_link_nor_dismiss_changes_nothing(
    a_match: CaseMatch, case_lead: User
) -> None:
    client = _client(case_lead)

    response = client.post(
        reverse("casework:match_decide", kwargs={"match_id": a_match.pk}), {"decision": "merge"}
    )

    assert response.status_code == 302
    a_match.refresh_from_db()
    assert a_match.status == MatchStatus.NEW


def test_a_lead_links_two_cases_by_reference_however_it_is_typed(
    open_case: OpenCase, case_lead: User
) -> None:
    case, other = open_case(), open_case()
    client = _client(case_lead)
    typed = other.report.reference.lower().replace("wp-", " ")

    response = client.post(
        reverse("casework:link", kwargs={"case_id": case.pk}), {"reference": typed}
    )

    assert response["Location"] == (
        reverse("casework:case", kwargs={"case_id": case.pk}) + "#case-links"
    )
    assert _messages(response) == [f"This case is now linked to {other.report.reference}."]
    link = CaseLink.objects.get()
    assert {link.case_a, link.case_b} == {case, other}
    assert link.from_match is None
    assert link.linked_by == case_lead
    assert TimelineEntry.objects.filter(kind=EntryKind.LINKED).count() == 2


def test_linking_by_hand_settles_an_open_match_between_the_two(
    a_match: CaseMatch, case_lead: User
) -> None:
    link = case_link_create(actor=case_lead, case=a_match.case_b, other=a_match.case_a)

    a_match.refresh_from_db()
    assert a_match.status == MatchStatus.LINKED
    assert link.from_match == a_match


def test_linking_cases_already_linked_adds_nothing(open_case: OpenCase, case_lead: User) -> None:
    case, other = open_case(), open_case()
    first = case_link_create(actor=case_lead, case=case, other=other)

    again = case_link_create(actor=case_lead, case=other, other=case)

    assert again == first
    assert TimelineEntry.objects.filter(kind=EntryKind.LINKED).count() == 2
    assert AuditEvent.objects.filter(action="case.linked").count() == 1


def test_a_case_is_not_linked_to_itself(open_case: OpenCase, case_lead: User) -> None:
    case = open_case()
    client = _client(case_lead)

    response = client.post(
        reverse("casework:link", kwargs={"case_id": case.pk}),
        {"reference": case.report.reference},
    )

    assert _messages(response) == ["A case cannot be linked to itself."]
    assert not CaseLink.objects.exists()
    with pytest.raises(LinkError):
        case_link_create(actor=case_lead, case=case, other=case)


def test_an_unknown_reference_and_one_the_lead_may_not_see_read_the_same(
    open_case: OpenCase, case_lead: User
) -> None:
    case = open_case()
    hidden = open_case(restricted=True)
    client = _client(case_lead)
    url = reverse("casework:link", kwargs={"case_id": case.pk})

    unknown = client.post(url, {"reference": "WP-ZZZZZZZZ"})
    said_for_unknown = _messages(unknown)
    client.get(reverse("staff:home"))  # shows the message, so the next one is alone
    invisible = client.post(url, {"reference": hidden.report.reference})

    assert unknown.status_code == invisible.status_code == 302
    assert unknown["Location"] == invisible["Location"]
    assert (
        said_for_unknown
        == _messages(invisible)
        == ["No case you can see has that reference. Check it and try again."]
    )
    assert not CaseLink.objects.exists()
    assert case_get_by_reference_for_linking(user=case_lead, reference="WP-ZZZZZZZZ") is None
    assert case_get_by_reference_for_linking(user=case_lead, reference="nonsense") is None


def test_an_empty_reference_asks_for_one(open_case: OpenCase, case_lead: User) -> None:
    case = open_case()
    client = _client(case_lead)

    response = client.post(reverse("casework:link", kwargs={"case_id": case.pk}), {})

    assert _messages(response) == [
        "Enter the reference of the other case, for example WP-7K3Q9M2X."
    ]


def test_an_adviser_cannot_link_even_their_own_cases(open_case: OpenCase, adviser: User) -> None:
    case, other = open_case(assign=[adviser]), open_case(assign=[adviser])
    client = _client(adviser)

    response = client.post(
        reverse("casework:link", kwargs={"case_id": case.pk}),
        {"reference": other.report.reference},
    )

    assert response.status_code == 403
    assert not CaseLink.objects.exists()


# --- The case page's panel -------------------------------------------------------------------


def _panel(user: User, case: Case) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load casework_matching %}{% case_matches_panel case %}")
    return template.render(Context({"request": request, "case": case}))


def test_the_panel_shows_a_lead_the_linked_cases_the_alerts_and_the_link_form(
    named_case: NamedCase, open_case: OpenCase, case_lead: User
) -> None:
    case = named_case(person_email="sam@example.test")
    matched = named_case(person_email="sam@example.test")
    linked = open_case()
    matches_find_for_case(case=matched)
    case_link_create(actor=case_lead, case=case, other=linked)

    html = _panel(case_lead, case)

    assert linked.report.reference in html
    assert matched.report.reference in html
    assert "the same email address" in html
    assert f'name="from_case" value="{case.pk}"' in html
    assert reverse("casework:link", kwargs={"case_id": case.pk}) in html


def test_the_panel_shows_nothing_about_a_linked_case_the_viewer_may_not_open(
    open_case: OpenCase, case_lead: User, adviser: User
) -> None:
    case = open_case(assign=[adviser])
    hidden = open_case(restricted=True, assign=[case_lead])
    visible = open_case(assign=[adviser])
    CaseGrant.objects.create(case=case, user=case_lead)
    case_link_create(actor=case_lead, case=case, other=hidden)
    case_link_create(actor=case_lead, case=case, other=visible)

    html = _panel(adviser, case)

    assert hidden.report.reference not in html
    assert str(hidden.pk) not in html
    assert visible.report.reference in html
    # An adviser sees links, but neither alerts nor the form to link cases.
    assert reverse("casework:link", kwargs={"case_id": case.pk}) not in html
    panel = matches_panel_for(user=adviser, case=case)
    assert panel is not None
    assert [linked.case for linked in panel.links] == [visible]


def test_the_panel_shows_an_adviser_no_match_alerts(named_case: NamedCase, adviser: User) -> None:
    case = named_case(person_email="sam@example.test", assign=(adviser,))
    other = named_case(person_email="sam@example.test", assign=(adviser,))
    matches_find_for_case(case=case)

    html = _panel(adviser, case)

    assert other.report.reference not in html
    assert "match_decide" not in html and "/matches/" not in html


def test_the_panel_shows_a_lead_no_alert_for_a_match_with_a_case_they_may_not_open(
    named_case: NamedCase, case_lead: User
) -> None:
    case = named_case(person_email="sam@example.test")
    hidden = named_case(person_email="sam@example.test", restricted=True)
    matches_find_for_case(case=case)

    html = _panel(case_lead, case)

    assert hidden.report.reference not in html
    assert "/matches/" not in html


def test_the_panel_is_empty_for_someone_who_may_not_open_the_case(
    open_case: OpenCase, adviser: User, partner: User
) -> None:
    case = open_case()

    assert _panel(adviser, case) == ""
    assert _panel(partner, case) == ""


def test_the_panel_costs_the_same_number_of_queries_however_many_links(
    named_case: NamedCase,
    open_case: OpenCase,
    case_lead: User,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    case = named_case(person_email="sam@example.test")
    for _ in range(2):
        matches_find_for_case(case=named_case(person_email="sam@example.test"))
    for _ in range(5):
        case_link_create(actor=case_lead, case=case, other=open_case())
    user = User.objects.get(pk=case_lead.pk)

    with django_assert_num_queries(5):
        panel = matches_panel_for(user=user, case=case)

    assert panel is not None
    assert (len(panel.links), len(panel.alerts)) == (5, 2)


def test_a_lead_with_a_conflict_gets_no_panel_even_with_a_grant(
    open_case: OpenCase,
) -> None:
    lead = UserFactory.create(role="case_lead")
    case = open_case()
    CaseConflict.objects.create(case=case, user=lead, source=CaseConflict.Source.NAMED)
    CaseGrant.objects.create(case=case, user=lead)

    assert _panel(lead, case) == ""
