"""Quick exit at /exit/: the visit is forgotten on the server before the person leaves.

Persona: Priya is writing a report on a shared phone. Her ex walks in; she presses Quick
exit. Whoever picks the phone up next must find nothing of what she wrote.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from waypoint.accounts.tests.support import login_as
from waypoint.institution.models import Institution
from waypoint.privacy.models import AuditEvent
from waypoint.reporting.models import Draft
from waypoint.reporting.tests.flow import (
    ADDRESS,
    UA,
    answer_steps,
    answers_for,
    make_report,
    reporter_client,
    sign_in,
    start,
)

pytestmark = pytest.mark.django_db

WHAT = "My ex keeps turning up at my flat"
EXIT = "/exit/"
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


def priya_halfway_through_a_report() -> Client:
    client = reporter_client()
    start(client, "anonymous")
    answers = answers_for("anonymous", "QX")
    answers["what"]["what_text"] = WHAT
    answer_steps(client, "anonymous", {k: answers[k] for k in ("danger", "replies", "what")})
    review = client.get(reverse("reporting:review"))
    assert WHAT in review.content.decode()
    return client


def test_the_quick_exit_link_throws_away_the_unsent_report_and_leaves_for_the_neutral_site(
    institution: Institution,
) -> None:
    client = priya_halfway_through_a_report()
    assert Draft.objects.count() == 1

    response = client.get(EXIT, headers=SAME_ORIGIN)

    assert response.status_code == 302
    assert response["Location"] == institution.quick_exit_url
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert response["Cache-Control"].startswith("no-store")
    assert Draft.objects.count() == 0
    # Whoever uses the phone next: no "carry on", no answers on the review page.
    again = client.get(reverse("reporting:start"))
    assert "Carry on with my report" not in again.content.decode()
    review = client.get(reverse("reporting:review"), follow=True)
    assert WHAT not in review.content.decode()


def test_the_beacon_sent_by_the_quick_exit_button_needs_no_csrf_token_and_forgets_the_visit(
    institution: Institution,
) -> None:
    client = priya_halfway_through_a_report()
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies

    response = strict.post(EXIT, headers=SAME_ORIGIN)

    assert response.status_code == 204
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert Draft.objects.count() == 0
    assert "Carry on with my report" not in client.get("/report/").content.decode()


def test_quick_exit_ends_a_signed_in_return_to_my_report(institution: Institution) -> None:
    client = reporter_client()
    made = make_report(client, "anonymous", marker="QXRETURN")
    returning = reporter_client()
    assert sign_in(returning, made.reference, made.passphrase).status_code == 302
    assert returning.get("/my-report/").context["report"] == made.report

    returning.get(EXIT, headers=SAME_ORIGIN)

    page = returning.get("/my-report/")
    assert "report" not in page.context or page.context["report"] is None
    assert "Come back to your report" in page.content.decode()


def test_quick_exit_takes_away_the_receipt_page_and_its_cookie(institution: Institution) -> None:
    client = priya_halfway_through_a_report()
    review = client.get(reverse("reporting:review"))
    client.post(reverse("reporting:submit"), {"token": str(review.context["draft"].id)})
    assert client.get(reverse("reporting:receipt")).status_code == 200

    response = client.get(EXIT, headers=SAME_ORIGIN)

    receipt_cookie = response.cookies["waypoint-receipt"]
    assert receipt_cookie.value == "" and receipt_cookie["max-age"] == 0
    assert client.get(reverse("reporting:receipt")).status_code != 200


def test_a_link_on_another_site_cannot_throw_away_someones_report(
    institution: Institution,
) -> None:
    client = priya_halfway_through_a_report()

    response = client.get(EXIT, headers={"Sec-Fetch-Site": "cross-site"})

    assert response.status_code == 302
    assert Draft.objects.count() == 1


def test_a_browser_prefetching_the_link_does_not_end_the_visit(institution: Institution) -> None:
    client = priya_halfway_through_a_report()

    response = client.get(EXIT, headers={**SAME_ORIGIN, "Sec-Purpose": "prefetch"})

    assert response.status_code == 204
    assert "Clear-Site-Data" not in response
    assert Draft.objects.count() == 1


def test_quick_exit_works_before_the_institution_is_set_up(db: None) -> None:
    response = Client().get(EXIT)
    assert response.status_code == 302
    assert response["Location"] == Institution._meta.get_field("quick_exit_url").default


def test_quick_exit_records_nothing_about_the_person(institution: Institution) -> None:
    client = priya_halfway_through_a_report()
    before = AuditEvent.objects.count()

    client.get(EXIT, headers=SAME_ORIGIN)

    # Only the shredding of the draft's key is recorded (by key id, by the system), as when
    # someone starts again: nothing that says who, from where, or what they wrote.
    new = list(AuditEvent.objects.filter(seq__gt=before).values())
    assert [entry["action"] for entry in new] == ["privacy.data_key_shredded"]
    assert new[0]["actor_id"] == ""
    text = str(new)
    for trace in (ADDRESS, UA, WHAT, "QX"):
        assert trace not in text


def test_every_public_page_links_the_quick_exit_to_the_exit_address(
    institution: Institution,
) -> None:
    body = Client().get("/").content.decode()
    assert f'href="{EXIT}" rel="noreferrer" class="quick-exit"' in body
    assert f'data-exit-to="{institution.quick_exit_url}"' in body


def test_the_first_report_page_says_that_quick_exit_throws_away_what_is_unsent(
    institution: Institution,
) -> None:
    body = Client().get(reverse("reporting:start")).content.decode()
    assert "Quick exit throws away anything you have not sent yet." in body


def test_a_signed_in_member_of_staff_who_uses_quick_exit_is_signed_out_too(
    institution: Institution, outsider: Any
) -> None:
    # Someone with a staff account reading the public pages on the same device: quick exit
    # ends that session as well, rather than leaving a signed-in browser behind.
    client = Client()
    login_as(client, outsider)
    assert "_auth_user_id" in client.session

    response = client.get(EXIT, headers=SAME_ORIGIN)

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
