"""The report flow through the real views: each route, receipts, returning, drafts."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waypoint.casework.models import Case, Message
from waypoint.casework.services import message_send_from_staff
from waypoint.privacy.models import DataKey
from waypoint.reporting.models import (
    Draft,
    Evidence,
    PersonIdentifier,
    Report,
    ReportedPerson,
    ReportOption,
)
from waypoint.reporting.services import drafts_purge_expired, report_submit
from waypoint.reporting.tests.flow import (
    answer_steps,
    answers_for,
    make_report,
    receipt_passphrase,
    reporter_client,
    sign_in,
    start,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("route", ["support", "anonymous", "third_party"])
def test_each_route_ends_with_one_report_one_case_and_a_receipt(institution, route):
    client = reporter_client()
    made = make_report(client, route)
    report = Report.objects.get(pk=made.report.pk)
    assert report.route == route
    assert report.reference.startswith("WP-")
    assert report.receipt_confirmed_at is not None
    assert Case.objects.filter(report=report).count() == 1
    assert (report.contact is not None) is (route != "anonymous")
    assert report.answers["what"]["behaviours"] == [
        {"slug": "following", "label": "Following me or turning up where I am"},
        {"slug": "repeated-contact", "label": "Contacting me again and again"},
    ]
    assert not Draft.objects.filter(report__isnull=True).exists()


def test_the_triage_team_hears_of_a_new_report_without_any_detail(
    institution, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = make_report(reporter_client(), "support", marker="CANARY-TRIAGE")
    notices = [m for m in mail.outbox if "triage@example.test" in m.to]
    assert len(notices) == 1
    text = f"{notices[0].subject}{notices[0].body}"
    assert "CANARY-TRIAGE" not in text
    assert made.reference not in text


def test_a_person_named_in_a_report_is_sealed_and_hashed_for_matching(institution):
    made = make_report(reporter_client(), "support", marker="CANARY-WHO")
    person = ReportedPerson.objects.get(report=made.report)
    assert person.details["person_name"] == "Sam CANARY-WHO"
    kinds = sorted(PersonIdentifier.objects.filter(person=person).values_list("kind", flat=True))
    assert kinds == ["email", "handle", "handle", "phone", "student_number"]
    # Identifiers never sit in the report's own answers.
    assert "person_name" not in made.report.answers["who"]


def test_saying_yes_to_danger_shows_emergency_numbers_and_lets_them_carry_on(institution):
    client = reporter_client()
    start(client, "anonymous")
    response = client.post(
        reverse("reporting:step", kwargs={"step": "danger"}), {"immediate_danger": "yes"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Please get help now" in page.content
    assert b"0116 000 0001" in page.content
    assert b"Carry on with my report" in page.content


def test_pressing_send_twice_or_replaying_it_makes_one_report(institution):
    client = reporter_client()
    start(client, "anonymous")
    answer_steps(client, "anonymous", answers_for("anonymous", "CANARY-TWICE"))
    token = client.get(reverse("reporting:review")).context["draft"].id
    first = client.post(reverse("reporting:submit"), {"token": str(token)})
    second = client.post(reverse("reporting:submit"), {"token": str(token)})
    assert first["Location"] == second["Location"] == reverse("reporting:receipt")
    assert Report.objects.filter(draft_token=token).count() == 1
    # The passphrase shown after the first press still works: the replay issued none.
    passphrase = receipt_passphrase(client)
    report = Report.objects.get(draft_token=token)
    assert sign_in(Client(), report.reference, passphrase).status_code == 302


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's shared in-memory test database raises 'table is locked' at once for "
    "a second writer instead of waiting; CI runs this on PostgreSQL.",
)
def test_two_submits_at_the_same_moment_make_one_report(institution):
    client = reporter_client()
    start(client, "anonymous")
    answer_steps(client, "anonymous", answers_for("anonymous", "CANARY-RACE"))
    token = client.get(reverse("reporting:review")).context["draft"].id
    results = []

    def submit() -> None:
        try:
            results.append(report_submit(draft_id=token))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Report.objects.filter(draft_token=token).count() == 1
    assert sorted(r.created for r in results) == [False, True]
    assert len({r.report.pk for r in results}) == 1


def test_a_lost_receipt_can_be_reissued_once_and_the_old_one_stops_working(institution):
    client = reporter_client()
    start(client, "anonymous")
    answer_steps(client, "anonymous", answers_for("anonymous", "CANARY-LOST"))
    token = client.get(reverse("reporting:review")).context["draft"].id
    client.post(reverse("reporting:submit"), {"token": str(token)})
    old = receipt_passphrase(client)
    client.cookies.pop("waypoint-receipt")  # the response with the cookie never arrived
    page = client.get(reverse("reporting:receipt"))
    assert page.context["passphrase"] is None
    client.post(reverse("reporting:receipt"))
    new = receipt_passphrase(client)
    assert new != old
    report = Report.objects.get(draft_token=token)
    assert sign_in(Client(), report.reference, old).status_code == 400
    assert sign_in(Client(), report.reference, new).status_code == 302


def test_the_receipt_is_shown_until_two_words_are_retyped_then_never_again(institution):
    client = reporter_client()
    made = make_report(client, "anonymous")
    # Once confirmed, the receipt page sends the browser on to the thank-you page (which
    # says when the team will answer) and never shows the passphrase again.
    assert client.get(reverse("reporting:receipt"))["Location"] == reverse("reporting:sent")
    assert made.passphrase.encode() not in client.get(reverse("reporting:sent")).content
    download = client.get(reverse("reporting:receipt_download"))
    assert made.passphrase.encode() not in download.content


def test_back_and_reload_keep_answers_and_the_review_page_shows_them(institution):
    client = reporter_client()
    start(client, "support")
    answer_steps(client, "support", answers_for("support", "CANARY-BACK"))
    what = client.get(reverse("reporting:step", kwargs={"step": "what"}))
    assert b"What CANARY-BACK" in what.content
    review = client.get(reverse("reporting:review"))
    assert b"Support CANARY-BACK" in review.content
    assert b"Following me or turning up where I am" in review.content


def test_a_named_report_needs_a_way_to_reach_the_person(institution):
    client = reporter_client()
    start(client, "support")
    client.post(reverse("reporting:step", kwargs={"step": "danger"}), {"immediate_danger": "no"})
    response = client.post(reverse("reporting:step", kwargs={"step": "contact"}), {"name": "Alex"})
    assert response.status_code == 400
    assert b"Give an email address or a phone number" in response.content


def test_routes_and_anonymous_free_text_follow_the_institution_settings(institution):
    institution.route_third_party_enabled = False
    institution.anonymous_free_text = False
    institution.save()
    client = reporter_client()
    page = client.get(reverse("reporting:start"))
    assert b'value="third_party"' not in page.content
    refused = client.post(
        reverse("reporting:start"), {"route": "third_party", "reporter_role": "student"}
    )
    assert refused.status_code == 400
    start(client, "anonymous")
    what = client.get(reverse("reporting:step", kwargs={"step": "what"}))
    assert "what_text" not in what.context["form"].fields


def test_an_expired_draft_is_purged_with_its_files_and_its_key(institution, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    client = reporter_client()
    start(client, "anonymous")
    answer_steps(client, "anonymous", answers_for("anonymous", "CANARY-EXPIRE"))
    pdf = SimpleUploadedFile("notes.pdf", b"%PDF-1.4\n%CANARY-EXPIRE\n%%EOF\n", "application/pdf")
    assert (
        client.post(reverse("reporting:evidence"), {"action": "upload", "files": [pdf]}).status_code
        == 302
    )
    draft = Draft.objects.get()
    key_id = draft.data_key_id
    assert key_id is not None
    assert Evidence.objects.filter(draft=draft).count() == 1
    assert any(tmp_path.rglob("*"))
    assert drafts_purge_expired() == 0  # not yet
    Draft.objects.filter(pk=draft.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert drafts_purge_expired() == 1
    assert drafts_purge_expired() == 0  # idempotent
    assert not Draft.objects.exists()
    assert not Evidence.objects.exists()
    assert not DataKey.objects.filter(pk=key_id).exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    # The browser that had the draft is sent back to the start.
    assert client.get(reverse("reporting:review"))["Location"] == reverse("reporting:start")


def test_a_submitted_draft_leaves_its_key_with_the_report_when_purged(institution):
    made = make_report(reporter_client(), "anonymous")
    Draft.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert drafts_purge_expired() == 1
    report = Report.objects.get(pk=made.report.pk)
    assert report.data_key is not None
    assert report.answers["what"]["what_text"] == "What CANARY-0"


def test_a_returning_reporter_reads_a_reply_and_answers_it(institution, adviser):
    made = make_report(reporter_client(), "support", marker="CANARY-RETURN")
    case = Case.objects.get(report=made.report)
    case.assignments.create(user=adviser)
    message_send_from_staff(case=case, author=adviser, body="Hello, I'm your adviser.")

    client = reporter_client()
    assert sign_in(client, made.reference.lower(), made.passphrase.upper()).status_code == 302
    home = client.get(reverse("reporting:return"))
    assert home.status_code == 200
    assert b"Hello, I&#x27;m your adviser." in home.content
    assert home.context["status_label"]
    response = client.post(reverse("reporting:return_message"), {"body": "Thank you CANARY-REPLY"})
    assert response.status_code == 302
    assert Message.objects.filter(case=case, direction="from_reporter").count() == 1


def test_a_returning_reporter_adds_information_without_changing_the_original(institution):
    made = make_report(reporter_client(), "anonymous")
    client = reporter_client()
    sign_in(client, made.reference, made.passphrase)
    response = client.post(reverse("reporting:return_add"), {"body": "It happened again."})
    assert response.status_code == 302
    report = Report.objects.get(pk=made.report.pk)
    assert report.additions.get().body == "It happened again."
    assert report.answers["what"]["what_text"] == "What CANARY-0"


def test_a_returning_reporter_can_withdraw_and_ask_for_deletion(institution):
    made = make_report(reporter_client(), "anonymous")
    client = reporter_client()
    sign_in(client, made.reference, made.passphrase)
    assert client.post(reverse("reporting:return_withdraw"), {}).status_code == 400
    client.post(reverse("reporting:return_withdraw"), {"confirm": "on"})
    client.post(reverse("reporting:return_delete"), {"confirm": "on"})
    report = Report.objects.get(pk=made.report.pk)
    assert report.withdrawn_at is not None
    assert report.deletion_requested_at is not None


def test_signing_out_ends_the_reporter_session(institution):
    made = make_report(reporter_client(), "anonymous")
    client = reporter_client()
    sign_in(client, made.reference, made.passphrase)
    response = client.post(reverse("reporting:return_sign_out"))
    assert response["Clear-Site-Data"]
    assert client.get(reverse("reporting:return_add"))["Location"] == reverse("reporting:return")


def test_a_wrong_passphrase_gets_one_message_whether_or_not_the_reference_exists(institution):
    made = make_report(reporter_client(), "anonymous")
    wrong = sign_in(reporter_client(), made.reference, "not the right words at all here")
    unknown = sign_in(reporter_client(), "WP-ZZZZZZZZ", made.passphrase)
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_receipt_sign_in_is_blocked_after_repeated_failures_even_with_the_right_passphrase(
    institution,
):
    made = make_report(reporter_client(), "anonymous")
    for _ in range(5):
        assert sign_in(reporter_client(), made.reference, "wrong words").status_code == 400
    blocked = sign_in(reporter_client(), made.reference, made.passphrase)
    assert blocked.status_code == 429
    assert b"too many attempts" in blocked.content.lower()


def test_option_lists_are_alphabetical_with_pinned_options_at_either_end(institution):
    ReportOption.objects.create(kind="location", slug="first", label="Zebra crossing", position=1)
    labels = list(ReportOption.objects.of_kind("location").values_list("label", flat=True))
    assert labels[0] == "Zebra crossing"
    assert labels[-1] == "Somewhere else on campus"
    middle = labels[1:-1]
    assert middle == sorted(middle)
    ReportOption.objects.filter(slug="library").update(is_active=False)
    assert "Library" not in ReportOption.objects.of_kind("location").values_list("label", flat=True)


def test_a_reporter_who_sends_many_messages_is_asked_to_wait(institution):
    made = make_report(reporter_client(), "anonymous")
    client = reporter_client()
    sign_in(client, made.reference, made.passphrase)
    statuses = [
        client.post(reverse("reporting:return_message"), {"body": f"Message {n}"}).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429
    assert Message.objects.filter(direction="from_reporter").count() == 20
