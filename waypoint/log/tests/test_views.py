"""Keeping a record at /log/ through the real views, as a person would (JavaScript off: the
test client posts the forms as a browser without scripts does).

Persona: Jo is being followed and messaged by someone from her course. She is not ready to
report, but wants to write down each thing as it happens, on her phone, somewhere nobody
else can read.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waypoint.common.request_log import is_reporter_route
from waypoint.institution.models import Institution
from waypoint.log import session as log_session
from waypoint.log.models import IncidentLog, LogEntry, LogPerson
from waypoint.log.services import entry_add, log_start
from waypoint.log.tests.support import MARKER, content
from waypoint.privacy.models import DataKey

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"
UA = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0 UA-MARKER-7f3a"
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
PRIVATE_PAGES = [
    ("log:home", {}),
    ("log:add", {}),
    ("log:entry", {"seq": 1}),
    ("log:correct", {"seq": 1}),
    ("log:person_add", {}),
    ("log:delete", {}),
]


def a_phone() -> Client:
    """Jo's phone as the server sees it: an address and a user agent it must not keep."""
    return Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=UA)


def start_a_record(client: Client) -> tuple[str, str]:
    """Start, read the receipt, retype two words: the record opens. (reference, passphrase)"""
    started = client.post(reverse("log:start"))
    assert started["Location"] == reverse("log:receipt")
    receipt = client.get(reverse("log:receipt"))
    passphrase = receipt.context["passphrase"]
    reference = receipt.context["log"].reference
    assert passphrase and reference in receipt.content.decode()
    client.get(reverse("log:receipt_check"))
    first, second = client.session[log_session.CHECK_POSITIONS]
    words = passphrase.split()
    checked = client.post(
        reverse("log:receipt_check"), {"first": words[first - 1], "second": words[second - 1]}
    )
    assert checked["Location"] == reverse("log:home")
    return reference, passphrase


def incident(**overrides: Any) -> dict[str, Any]:
    """The add-incident form as Jo fills it in without JavaScript."""
    data: dict[str, Any] = {
        "when_kind": "exact",
        "date": "2026-11-30",
        "time": "21:10",
        "behaviours": ["repeated-contact"],
        "what_text": "Twelve messages overnight",
        "platforms": ["instagram"],
        "then": "done",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def sign_in(client: Client, reference: str, passphrase: str) -> Any:
    return client.post(reverse("log:sign_in"), {"reference": reference, "passphrase": passphrase})


def entry_content(seq: int) -> dict[str, Any]:
    entry = LogEntry.objects.select_related("log__data_key").get(seq=seq)
    return dict(entry.content)


# --- Starting a record -------------------------------------------------------------------------


def test_a_person_keeping_a_record_starts_one_without_making_a_report(
    institution: Institution,
) -> None:
    client = a_phone()
    page = client.get(reverse("log:start"))
    assert page.status_code == 200
    assert "Nobody else sees it" in page.content.decode()

    reference, _ = start_a_record(client)

    home = client.get(reverse("log:home"))
    assert home.status_code == 200
    assert "Your record is ready" in home.content.decode()
    assert IncidentLog.objects.get().reference == reference
    # Confirmed: the receipt is never shown again, and its cookie is gone.
    assert client.get(reverse("log:receipt"))["Location"] == reverse("log:start")
    assert client.cookies["waypoint-receipt"].value == ""


def test_the_receipt_is_only_confirmed_by_the_right_two_words(institution: Institution) -> None:
    client = a_phone()
    client.post(reverse("log:start"))
    client.get(reverse("log:receipt_check"))
    wrong = client.post(reverse("log:receipt_check"), {"first": "apple", "second": "pear"})
    assert wrong.status_code == 400
    assert "Those words do not match" in wrong.content.decode()
    assert client.get(reverse("log:home"))["Location"] == reverse("log:sign_in")


def test_the_receipt_downloads_as_text_and_a_lost_one_can_be_issued_again(
    institution: Institution,
) -> None:
    client = a_phone()
    client.post(reverse("log:start"))
    first = client.get(reverse("log:receipt")).context["passphrase"]
    download = client.get(reverse("log:receipt_download"))
    assert download["Content-Disposition"] == 'attachment; filename="receipt.txt"'
    assert first in download.content.decode()

    client.cookies.pop("waypoint-receipt")
    lost = client.get(reverse("log:receipt"))
    assert lost.context["passphrase"] is None
    assert "was not shown on this device" in lost.content.decode()
    client.post(reverse("log:receipt"))
    second = client.get(reverse("log:receipt")).context["passphrase"]
    assert second and second != first
    reference = IncidentLog.objects.get().reference
    assert reference is not None
    assert sign_in(a_phone(), reference, first).status_code == 400
    assert sign_in(a_phone(), reference, second)["Location"] == reverse("log:home")


# --- Adding incidents --------------------------------------------------------------------------


def test_an_incident_added_without_javascript_is_listed_newest_first_with_both_times(
    institution: Institution,
) -> None:
    client = a_phone()
    start_a_record(client)
    older = client.post(reverse("log:add"), incident(date="2026-11-02", what_text="At the gym"))
    assert older["Location"] == reverse("log:home")
    client.post(reverse("log:add"), incident(date="2026-11-20", what_text="Outside my lecture"))

    home = client.get(reverse("log:home")).content.decode()
    assert home.index("Outside my lecture") < home.index("At the gym")
    assert "20 November 2026 at 21:10" in home
    assert "written down" in home

    page = client.get(reverse("log:entry", kwargs={"seq": 1})).content.decode()
    assert "When it happened" in page and "2 November 2026 at 21:10" in page
    recorded = timezone.localtime(LogEntry.objects.get(seq=1).recorded_at)
    assert f"{recorded:%H:%M}" in page and "When it was written down" in page


def test_the_form_makes_exactly_the_content_an_entry_holds(institution: Institution) -> None:
    client = a_phone()
    start_a_record(client)
    client.post(
        reverse("log:add"),
        incident(
            places=["library"],
            where_text="Top floor",
            witnesses="Ali",
            affected="Could not sleep",
            police_officer="PC 123",
            police_reference="CR/1",
        ),
    )
    assert entry_content(1) == {
        "when": {
            "kind": "exact",
            "date": "2026-11-30",
            "time": "21:10",
            "end_date": "",
            "end_time": "",
        },
        "where": {
            "places": [{"slug": "library", "label": "Library"}],
            "platforms": [{"slug": "instagram", "label": "Instagram"}],
            "text": "Top floor",
        },
        "what": {
            "behaviours": [{"slug": "repeated-contact", "label": "Contacting me again and again"}],
            "text": "Twelve messages overnight",
        },
        "who": [],
        "witnesses": "Ali",
        "affected": "Could not sleep",
        "police": {"officer": "PC 123", "reference": "CR/1"},
        "evidence": [],
    }


def test_just_now_is_one_choice_and_the_server_fills_in_the_date_and_time(
    institution: Institution,
) -> None:
    client = a_phone()
    start_a_record(client)
    before = timezone.localtime()
    client.post(reverse("log:add"), incident(when_kind="now", date="", time=""))
    when = entry_content(1)["when"]
    assert when["kind"] == "now"
    assert when["date"] == before.date().isoformat()
    assert re.fullmatch(r"\d\d:\d\d", when["time"])


def test_only_when_and_what_are_needed_and_the_error_summary_says_so(
    institution: Institution,
) -> None:
    client = a_phone()
    start_a_record(client)
    response = client.post(reverse("log:add"), {"then": "done"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert "Choose when it happened" in page
    assert "Say what happened" in page
    assert 'href="#id_when_kind_0"' in page and 'href="#id_behaviours_0"' in page

    just_words = client.post(
        reverse("log:add"), {"when_kind": "now", "what_text": "He was there again"}
    )
    assert just_words.status_code == 302
    assert LogEntry.objects.count() == 1


def test_a_date_is_needed_unless_it_was_just_now_and_cannot_be_in_the_future(
    institution: Institution,
) -> None:
    client = a_phone()
    start_a_record(client)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    no_date = client.post(reverse("log:add"), incident(date=""))
    future = client.post(reverse("log:add"), incident(date=tomorrow))
    backwards = client.post(
        reverse("log:add"),
        incident(when_kind="range", date="2026-11-20", end_date="2026-11-10"),
    )
    assert "Enter the date it happened" in no_date.content.decode()
    assert "must be now or earlier" in future.content.decode()
    assert "must be after it started" in backwards.content.decode()
    assert LogEntry.objects.count() == 0
    # What Jo typed is all still there.
    assert "Twelve messages overnight" in backwards.content.decode()


def test_someone_new_is_added_with_the_incident_and_can_be_picked_next_time(
    institution: Institution,
) -> None:
    client = a_phone()
    start_a_record(client)
    client.post(
        reverse("log:add"),
        incident(new_person="Sam from my course", new_handle="@sam_t", new_email=""),
    )
    person = LogPerson.objects.select_related("log__data_key").get()
    assert person.name == "Sam from my course"
    assert person.identifiers == {"handle": "@sam_t"}
    assert entry_content(1)["who"] == [str(person.pk)]

    form = client.get(reverse("log:add")).content.decode()
    assert "Sam from my course" in form
    client.post(reverse("log:add"), incident(who=[str(person.pk)]))
    assert entry_content(2)["who"] == [str(person.pk)]
    page = client.get(reverse("log:entry", kwargs={"seq": 2})).content.decode()
    assert "Sam from my course" in page


def test_details_without_a_name_are_refused_and_nothing_is_lost(institution: Institution) -> None:
    client = a_phone()
    start_a_record(client)
    response = client.post(reverse("log:add"), incident(new_phone="07700 900999"))
    assert response.status_code == 400
    assert "Give the person a name" in response.content.decode()
    assert "07700 900999" in response.content.decode()
    assert LogPerson.objects.count() == 0 and LogEntry.objects.count() == 0


def test_save_and_add_another_comes_back_to_an_empty_form(institution: Institution) -> None:
    client = a_phone()
    start_a_record(client)
    response = client.post(reverse("log:add"), incident(then="another"))
    assert response["Location"] == reverse("log:add")
    again = client.get(reverse("log:add")).content.decode()
    assert "Incident 1 is saved. You can add another." in again
    assert "Twelve messages overnight" not in again


def test_a_person_added_on_their_own_page_is_offered_on_the_form(
    institution: Institution,
) -> None:
    client = a_phone()
    start_a_record(client)
    empty = client.post(reverse("log:person_add"), {"name": ""})
    assert empty.status_code == 400
    added = client.post(
        reverse("log:person_add"), {"name": "The man from the gym", "phone": "07700 900111"}
    )
    assert added["Location"] == reverse("log:home") + "#people"
    assert "The man from the gym" in client.get(reverse("log:add")).content.decode()


# --- Correcting ---------------------------------------------------------------------------------


def test_a_correction_is_a_new_entry_that_points_at_the_old_and_both_stay_visible(
    institution: Institution,
) -> None:
    client = a_phone()
    start_a_record(client)
    client.post(reverse("log:add"), incident(what_text="Twelve messages"))

    form = client.get(reverse("log:correct", kwargs={"seq": 1}))
    assert form.context["form"].initial["what_text"] == "Twelve messages"
    corrected = client.post(
        reverse("log:correct", kwargs={"seq": 1}), incident(what_text="Fourteen messages")
    )
    assert corrected["Location"] == reverse("log:entry", kwargs={"seq": 2})

    second = LogEntry.objects.get(seq=2)
    assert second.corrects_id == LogEntry.objects.get(seq=1).pk
    assert entry_content(1)["what"]["text"] == "Twelve messages"
    home = client.get(reverse("log:home")).content.decode()
    assert "Twelve messages" in home and "Fourteen messages" in home
    assert "Corrected later by entry 2" in home and "It corrects entry 1" in home
    old = client.get(reverse("log:entry", kwargs={"seq": 1})).content.decode()
    assert 'href="/log/record/entries/2/"' in old
    new = client.get(reverse("log:entry", kwargs={"seq": 2})).content.decode()
    assert 'href="/log/record/entries/1/"' in new
    # Counted once: the correction replaces what it corrects.
    assert client.get(reverse("log:home")).context["pattern"].total == 1


def test_correcting_an_entry_made_just_now_keeps_its_time(institution: Institution) -> None:
    client = a_phone()
    start_a_record(client)
    client.post(reverse("log:add"), incident(when_kind="now", date="", time=""))
    initial = client.get(reverse("log:correct", kwargs={"seq": 1})).context["form"].initial
    when = entry_content(1)["when"]
    assert (initial["when_kind"], initial["date"], initial["time"]) == (
        "exact",
        when["date"],
        when["time"],
    )


def test_an_entry_that_is_not_in_the_record_is_not_found(institution: Institution) -> None:
    client = a_phone()
    start_a_record(client)
    assert client.get(reverse("log:entry", kwargs={"seq": 7})).status_code == 404
    other = log_start().log
    entry_add(log=other, content=content())
    # Someone else's entry 1 is not Jo's entry 1.
    assert client.get(reverse("log:entry", kwargs={"seq": 1})).status_code == 404


# --- The pattern and the warnings ------------------------------------------------------------


def days_ago(days: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def test_the_pattern_is_shown_in_words_and_the_chart_and_table_carry_the_same_numbers(
    institution: Institution,
) -> None:
    client = a_phone()
    start_a_record(client)
    for days in (0, 1, 9):
        client.post(reverse("log:add"), incident(date=days_ago(days), time=""))
    response = client.get(reverse("log:home"))
    page = response.content.decode()
    assert "You have recorded 3 incidents over 2 weeks." in page
    assert "Contacting me again and again</th><td>3</td>" in page
    weeks = response.context["pattern"].per_week
    assert [week.count for week in weeks] == [1, 2]
    assert [bar.week.count for bar in response.context["bars"]] == [1, 2]
    assert '<svg class="log-chart__svg" role="img"' in page
    assert "style=" not in page.split('<main id="main"', 1)[1]
    assert "This can be dangerous" not in page and "can be dangerous" not in page


def test_threats_and_turning_up_are_called_dangerous_with_the_emergency_numbers(
    institution: Institution,
) -> None:
    client = a_phone()
    start_a_record(client)
    client.post(reverse("log:add"), incident(behaviours=["threats"]))
    client.post(reverse("log:add"), incident(behaviours=["watching"]))
    page = client.get(reverse("log:home")).content.decode()
    assert "What you have recorded can be dangerous" in page
    assert "One incident describes threats or violence." in page
    assert "following you, watching you or turning up where you are" in page
    assert 'href="tel:999"' in page and "0116 000 0001" in page
    assert "0116 000 0003" in page  # the team


def test_a_rising_frequency_is_called_dangerous_too(institution: Institution) -> None:
    client = a_phone()
    start_a_record(client)
    for days in (1, 3, 5, 40):
        client.post(reverse("log:add"), incident(date=days_ago(days), time=""))
    page = client.get(reverse("log:home")).content.decode()
    assert "They are becoming more frequent" in page
    assert "The incidents are becoming more frequent." in page


def test_a_record_altered_in_the_database_says_so_plainly(institution: Institution) -> None:
    client = a_phone()
    start_a_record(client)
    client.post(reverse("log:add"), incident())
    client.post(reverse("log:add"), incident())
    LogEntry.objects.filter(seq=1).update(recorded_at=timezone.now() - dt.timedelta(days=30))
    page = client.get(reverse("log:home")).content.decode()
    assert "Your record was changed after it was written" in page
    assert "Entry 1 was changed after it was written" in page


def test_an_entry_whose_sealed_words_were_swapped_is_flagged_not_an_error(
    institution: Institution,
) -> None:
    client = a_phone()
    start_a_record(client)
    client.post(reverse("log:add"), incident(what_text="First"))
    client.post(reverse("log:add"), incident(what_text="Second"))
    first, second = LogEntry.objects.order_by("seq")
    pk = LogEntry._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE log_logentry SET content = (SELECT content FROM log_logentry WHERE id = %s) "
            "WHERE id = %s",
            [
                pk.get_db_prep_value(first.pk, connection),
                pk.get_db_prep_value(second.pk, connection),
            ],
        )
    home = client.get(reverse("log:home"))
    assert home.status_code == 200
    assert "Your record was changed after it was written" in home.content.decode()
    page = client.get(reverse("log:entry", kwargs={"seq": 2}))
    assert page.status_code == 200
    assert "This entry cannot be read" in page.content.decode()


# --- Signing in and out ------------------------------------------------------------------------


def test_the_wrong_passphrase_is_refused_and_the_right_one_opens_the_record(
    institution: Institution,
) -> None:
    reference, passphrase = start_a_record(a_phone())
    client = a_phone()
    wrong = sign_in(client, reference, "not the right words at all here")
    unknown = sign_in(client, "WP-ZZZZZZZZ", passphrase)
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert client.get(reverse("log:home"))["Location"] == reverse("log:sign_in")

    before = client.session.session_key
    right = sign_in(client, reference.lower().replace("-", " "), passphrase.upper())
    assert right["Location"] == reverse("log:home")
    assert client.session.session_key != before  # a new key on sign-in
    assert client.get(reverse("log:home")).status_code == 200


def test_sign_in_attempts_are_counted_with_the_reports_and_blocked_alike(
    institution: Institution,
) -> None:
    reference, passphrase = start_a_record(a_phone())
    for _ in range(5):
        guess = a_phone().post(
            reverse("reporting:return"), {"reference": reference, "passphrase": "wrong words"}
        )
        assert guess.status_code == 400
    blocked = sign_in(a_phone(), reference, passphrase)
    assert blocked.status_code == 429
    assert "too many attempts" in blocked.content.decode().lower()


def test_an_anonymous_visitor_without_a_record_is_sent_to_sign_in_from_every_private_page(
    institution: Institution,
) -> None:
    client = a_phone()
    for name, kwargs in PRIVATE_PAGES:
        for method in (client.get, client.post):
            response = method(reverse(name, kwargs=kwargs))
            assert response.status_code == 302, name
            assert response["Location"] == reverse("log:sign_in"), name


def test_a_record_left_idle_signs_out_and_says_why(institution: Institution, settings: Any) -> None:
    client = a_phone()
    start_a_record(client)
    stored = client.session
    stored[log_session.SEEN_AT] = (
        log_session.now_seconds() - settings.WAYPOINT_REPORTER_IDLE_SECONDS
    )
    stored.save()
    assert client.get(reverse("log:home"))["Location"] == reverse("log:sign_in")
    page = client.get(reverse("log:sign_in")).content.decode()
    assert "signed out after 30 minutes without activity" in page
    assert "30 minutes" not in client.get(reverse("log:sign_in")).content.decode()


def test_signing_out_ends_the_session_and_asks_the_browser_to_forget_the_site(
    institution: Institution,
) -> None:
    client = a_phone()
    start_a_record(client)
    assert client.get(reverse("log:sign_out")).status_code == 405
    response = client.post(reverse("log:sign_out"))
    assert response["Location"] == reverse("log:signed_out")
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get(reverse("log:home"))["Location"] == reverse("log:sign_in")


def test_the_quick_exit_ends_the_record_session_and_clears_its_receipt_cookie(
    institution: Institution,
) -> None:
    client = a_phone()
    client.post(reverse("log:start"))
    client.get(reverse("log:receipt"))
    response = client.get(reverse("reporting:quick_exit"), headers=SAME_ORIGIN)
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    # The quick exit knows the receipt cookie by the same name.
    assert response.cookies["waypoint-receipt"]["max-age"] == 0
    assert client.get(reverse("log:receipt"))["Location"] == reverse("log:start")

    signed_in = a_phone()
    start_a_record(signed_in)
    signed_in.get(reverse("reporting:quick_exit"), headers=SAME_ORIGIN)
    assert signed_in.get(reverse("log:home"))["Location"] == reverse("log:sign_in")


# --- Leaving no trace ---------------------------------------------------------------------------


def test_nothing_of_an_entry_is_in_a_header_an_address_or_the_server_log(
    institution: Institution, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = a_phone()
    start_a_record(client)
    responses = [
        client.post(
            reverse("log:add"),
            incident(what_text=MARKER, witnesses=MARKER, new_person=MARKER, then="another"),
        ),
        client.get(reverse("log:add")),
        client.get(reverse("log:home")),
        client.get(reverse("log:entry", kwargs={"seq": 1})),
        client.post(reverse("log:correct", kwargs={"seq": 1}), incident(what_text=MARKER)),
        client.post(reverse("log:add"), {"what_text": MARKER}),  # with errors
    ]
    for response in responses:
        assert MARKER not in str(response.headers)
        assert MARKER not in response.get("Location", "")
        assert not response.get("Location", "").count("?")
        assert response["Cache-Control"].startswith("no-store")
    for record in caplog.records:
        assert MARKER not in record.getMessage()
        assert MARKER not in str(record.__dict__)
        assert ADDRESS not in str(record.__dict__) and "UA-MARKER" not in str(record.__dict__)
    # The browser keeps the session cookie and the CSRF cookie, nothing else.
    kept = {name for name, morsel in client.cookies.items() if morsel.value}
    assert kept <= {"waypoint-session", "waypoint-csrf"}


def test_the_log_pages_are_kept_to_the_hour_in_the_request_log(institution: Institution) -> None:
    assert is_reporter_route("log:home") and is_reporter_route("log:sign_in")


def test_deleting_the_record_shreds_its_key_and_says_exactly_what_went(
    institution: Institution,
) -> None:
    client = a_phone()
    reference, passphrase = start_a_record(client)
    client.post(reverse("log:add"), incident(new_person="Sam"))
    client.post(reverse("log:correct", kwargs={"seq": 1}), incident(what_text="Corrected"))
    log = IncidentLog.objects.get()
    key_id = log.data_key_id
    assert key_id is not None
    confirm = client.get(reverse("log:delete")).content.decode()
    for words in ("every incident", "every person you have named", "any files", "cannot be undone"):
        assert words in confirm

    unticked = client.post(reverse("log:delete"), {})
    assert unticked.status_code == 400
    assert IncidentLog.objects.exists()

    done = client.post(reverse("log:delete"), {"confirm": "on"})
    assert done["Location"] == reverse("log:deleted")
    assert done["Clear-Site-Data"]
    assert not IncidentLog.objects.exists()
    assert not LogEntry.objects.exists() and not LogPerson.objects.exists()
    assert not DataKey.objects.filter(pk=key_id).exists()
    assert "has been deleted" in client.get(reverse("log:deleted")).content.decode()
    assert client.get(reverse("log:home"))["Location"] == reverse("log:sign_in")
    assert sign_in(a_phone(), reference, passphrase).status_code == 400
    # A visitor who deleted nothing is not told that they did.
    assert a_phone().get(reverse("log:deleted"))["Location"] == reverse("log:start")


def test_the_home_page_self_check_and_support_pages_offer_to_keep_a_record(
    institution: Institution,
) -> None:
    client = a_phone()
    link = f'href="{reverse("log:start")}"'
    for page in (reverse("hub:home"), reverse("hub:support")):
        assert link in client.get(page).content.decode(), page
    answers = {"behaviours": ["calls_messages"], "how_often": "once", "danger_now": "no"}
    result = client.post(reverse("hub:check"), answers)
    assert "What might help" in result.content.decode()
    assert link in result.content.decode()
