"""The "Is this stalking?" self-check: what it asks, what it says, and that it keeps nothing."""

from __future__ import annotations

import itertools
import logging
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils.html import strip_tags
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from config.urls import urlpatterns as site_urlpatterns
from tests.test_security_headers import assert_secure_html_page
from waypoint.hub.demo import support_directory_load_demo
from waypoint.hub.models import SupportService
from waypoint.hub.selfcheck import check_view
from waypoint.hub.selfcheck.interpretation import interpret
from waypoint.hub.selfcheck.questions import (
    INVALID_CHOICE,
    NOTHING_CHOSEN,
    Answers,
    Behaviour,
    DangerNow,
    Feeling,
    HowLong,
    HowOften,
    SelfCheckForm,
)
from waypoint.institution.demo import institution_load_demo
from waypoint.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db

CLEANSED = SafeExceptionReporterFilter.cleansed_substitute

URL = "/check/"

# Answers that show the FOUR pattern and danger (threats, feeling in danger now).
FULL_ANSWERS: dict[str, Any] = {
    "behaviours": ["calls_messages", "following", "threats", "accounts"],
    "how_often": "almost_daily",
    "how_long": "months",
    "feelings": ["afraid", "changed_routine"],
    "danger_now": "yes",
}
# The same pattern, no sign of danger.
PATTERN_NO_DANGER: dict[str, Any] = {
    "behaviours": ["calls_messages", "gifts"],
    "how_often": "many_times",
    "how_long": "weeks",
    "feelings": ["anxious"],
    "danger_now": "no",
}

FORBIDDEN_VERDICTS = (
    "you are being stalked",
    "you are not being stalked",
    "this is stalking",
    "this is not stalking",
    "this isn't stalking",
    "not stalking",
)


def answer_words(answers: dict[str, Any]) -> list[str]:
    """Every value and label a set of answers carries, as it could show up in text."""
    choices = {
        "behaviours": Behaviour,
        "how_often": HowOften,
        "how_long": HowLong,
        "feelings": Feeling,
        "danger_now": DangerNow,
    }
    words = []
    for field, value in answers.items():
        for item in value if isinstance(value, list) else [value]:
            words.append(item)
            words.append(str(choices[field](item).label))
    return words


def text_of(content: bytes) -> str:
    """A page's words, tags removed and spaces collapsed."""
    return " ".join(strip_tags(content.decode()).split())


def row_counts() -> dict[str, int]:
    """Rows in every table of the database (the cache table too), checked to cover every
    model Django knows, auto-created many-to-many tables included."""
    tables = set(connection.introspection.table_names())
    model_tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    assert model_tables <= tables
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(tables):
            # Table names come from the database itself, quoted.
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def demo() -> None:
    institution_load_demo()
    support_directory_load_demo()


# --- The questions --------------------------------------------------------------------------


def test_it_shows_the_questions_on_one_page(client: Client, demo: None) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<fieldset") == 5
    for label in (
        "Has someone done any of these things when you did not want them to?",
        "How often has it happened?",
        "How long has it been going on?",
        "How is it making you feel?",
        "Do you feel in danger right now?",
    ):
        assert f'<legend class="question__legend">{label}</legend>' in html
    for behaviour in Behaviour:
        assert f'value="{behaviour.value}"' in html
    assert "We do not keep your answers." in html


def test_it_sends_the_answers_with_post_so_they_never_reach_the_address_bar(
    client: Client, demo: None
) -> None:
    html = client.get(URL).content.decode()
    assert '<form class="check-form" method="post" action="/check/" autocomplete="off"' in html


def test_it_asks_nothing_that_could_identify_anyone(client: Client, demo: None) -> None:
    form = SelfCheckForm()
    assert {type(f.widget).__name__ for f in form.fields.values()} == {
        "CheckboxSelectMultiple",
        "RadioSelect",
    }
    html = client.get(URL).content.decode()
    form_html = html[html.index('<form class="check-form"') : html.index("</form>")]
    assert "<textarea" not in form_html
    for kind in ("text", "email", "tel", "date", "number", "file", "search"):
        assert f'type="{kind}"' not in form_html


# --- Storing nothing --------------------------------------------------------------------------


def test_the_check_stores_nothing_in_any_table(client: Client, demo: None) -> None:
    client.get(URL)
    before = row_counts()
    for answers in (FULL_ANSWERS, PATTERN_NO_DANGER, {}, {"behaviours": ["nonsense"]}):
        assert client.post(URL, answers).status_code == 200
    assert row_counts() == before


def test_the_check_sets_no_session_for_an_anonymous_visitor(client: Client, demo: None) -> None:
    client.get(URL)
    sessions_before = Session.objects.count()
    response = client.post(URL, FULL_ANSWERS)
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    assert Session.objects.count() == sessions_before


def test_the_result_is_the_post_response_at_check_with_no_query_string(
    client: Client, demo: None
) -> None:
    response = client.post(URL, FULL_ANSWERS, follow=True)
    assert response.redirect_chain == []
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == URL
    assert response.request["QUERY_STRING"] == ""
    assert response.templates[0].name == "hub/check_result.html"


def test_the_result_tells_browsers_not_to_keep_it(client: Client, demo: None) -> None:
    response = client.post(URL, FULL_ANSWERS)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "answers",
    [None, FULL_ANSWERS, PATTERN_NO_DANGER, {}, {"how_often": "hourly"}],
    ids=["questions", "danger", "no-danger", "empty", "unknown-answer"],
)
def test_every_state_of_the_page_keeps_to_the_security_headers_and_csp(
    client: Client, demo: None, answers: dict[str, Any] | None
) -> None:
    response = client.get(URL) if answers is None else client.post(URL, answers)
    assert_secure_html_page(response)


def test_no_answer_reaches_the_logs(
    client: Client, demo: None, caplog: pytest.LogCaptureFixture
) -> None:
    # Django's own loggers are quieter than DEBUG by default (settings.LOGGING): open all.
    for name in ("", "django", "django.request", "django.server", "django.security"):
        caplog.set_level(logging.DEBUG, logger=name)
    odd_answers = {"behaviours": ["zz-odd-answer"], "how_long": "zz-odd-length"}
    # Every SQL statement is logged at DEBUG while queries are captured.
    with CaptureQueriesContext(connection):
        client.post(URL, FULL_ANSWERS)
        client.post(URL, PATTERN_NO_DANGER)
        client.post(URL, odd_answers)
    logged = caplog.text + " ".join(r.getMessage() for r in caplog.records)
    assert "django.db.backends" in {r.name for r in caplog.records}  # the capture works
    for word in [*answer_words(FULL_ANSWERS), *answer_words(PATTERN_NO_DANGER)]:
        # Short words ("yes", "no") occur inside SQL; the markers below stand in for them.
        if len(word) >= 5:
            assert word not in logged
    assert "zz-odd" not in logged


def test_no_answer_reaches_the_audit_log(client: Client, demo: None) -> None:
    before = AuditEvent.objects.count()
    client.post(URL, FULL_ANSWERS)
    assert AuditEvent.objects.count() == before


def test_error_reports_never_carry_the_answers(
    demo: None, rf: RequestFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(answers: Answers) -> None:
        raise RuntimeError("something broke while reading the answers")

    monkeypatch.setattr("waypoint.hub.selfcheck.views.interpret", fail)
    request = rf.post(URL, {**FULL_ANSWERS, "extra": "zz-marker-answer"})
    with pytest.raises(RuntimeError) as failure:
        check_view(request)
    reporter = ExceptionReporter(request, failure.type, failure.value, failure.tb, is_email=True)
    data = reporter.get_traceback_data()
    assert data["filtered_POST_items"]
    assert {value for _, value in data["filtered_POST_items"]} == {CLEANSED}
    ours = [f for f in data["frames"] if "waypoint/hub/selfcheck" in f["filename"]]
    assert ours
    for frame in ours:
        shown = {value for _, value in frame["vars"]}
        assert shown <= {CLEANSED, repr(CLEANSED)}, frame["function"]
    assert "zz-marker-answer" not in reporter.get_traceback_text()


def test_it_makes_a_fixed_number_of_queries(
    client: Client, demo: None, django_assert_num_queries: Any
) -> None:
    # The institution, the three directory entries, their phones.
    with django_assert_num_queries(3):
        client.post(URL, FULL_ANSWERS)


# --- Checking the answers ---------------------------------------------------------------------


def test_unknown_choices_show_the_form_again_with_kind_words(client: Client, demo: None) -> None:
    response = client.post(
        URL, {"behaviours": ["following", "abducted"], "how_often": "hourly", "danger_now": "no"}
    )
    # 200, not 422: a form shown again for correction, read the same by every browser.
    assert response.status_code == 200
    assert response.templates[0].name == "hub/check.html"
    form = response.context["form"]
    assert set(form.errors) == {"behaviours", "how_often"}
    html = response.content.decode()
    assert html.count(INVALID_CHOICE) == 2
    assert "Please check your answers" in html
    assert "abducted" not in html and "hourly" not in html
    assert "not one of the available choices" not in html
    # The valid answer is kept, and the fields with a problem say so to screen readers.
    assert 'value="no" id="id_danger_now_1" checked' in html
    assert 'aria-describedby="id_how_often_error"' in html


def test_an_empty_form_gets_a_gentle_prompt_not_an_error(client: Client, demo: None) -> None:
    response = client.post(URL, {})
    assert response.status_code == 200
    assert response.context["form"].nothing_chosen
    html = response.content.decode()
    assert NOTHING_CHOSEN in html
    assert "Please check your answers" not in html
    assert "question--error" not in html
    assert "<title>Choose any answers that fit: Is this stalking?" in html


# --- What the result says -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "shows_pattern"),
    [
        # Repeated and unwanted, in several ways.
        ({"behaviours": ["calls_messages", "gifts"], "how_often": "a_few_times"}, True),
        # Repeated and unwanted, over time.
        ({"behaviours": ["following"], "how_often": "many_times", "how_long": "months"}, True),
        (PATTERN_NO_DANGER, True),
        (FULL_ANSWERS, True),
        # Only once.
        (
            {"behaviours": ["calls_messages", "gifts"], "how_often": "once", "how_long": "months"},
            False,
        ),
        # Repeated, but one behaviour and only for days.
        ({"behaviours": ["following"], "how_often": "almost_daily", "how_long": "days"}, False),
        # Not sure how often.
        ({"behaviours": ["following", "gifts"], "how_often": "not_sure"}, False),
        # No behaviour chosen.
        ({"how_often": "almost_daily", "how_long": "year_or_more", "feelings": ["afraid"]}, False),
    ],
)
def test_it_names_the_four_pattern_only_when_the_answers_show_it(
    client: Client, demo: None, answers: dict[str, Any], shows_pattern: bool
) -> None:
    text = text_of(client.post(URL, answers).content)
    named = "matches a pattern that the law and specialist services call stalking" in text
    assert named is shows_pattern
    for word in ("FOUR", "Fixated", "Obsessive"):
        assert (word in text) is shows_pattern


def test_the_pattern_explains_itself_from_the_answers(client: Client, demo: None) -> None:
    text = text_of(client.post(URL, PATTERN_NO_DANGER).content)
    assert "You did not want it." in text
    assert "It has happened lots of times." in text
    assert "It has happened in 2 different ways." in text
    assert "It has been going on for weeks." in text


def test_the_result_never_gives_a_verdict(client: Client, demo: None) -> None:
    combos = itertools.product(
        ([], ["calls_messages"], ["following", "threats", "posting"]),
        ("", "once", "not_sure", "almost_daily"),
        ("", "days", "year_or_more"),
        ("", "yes", "no"),
    )
    for behaviours, how_often, how_long, danger_now in combos:
        answers = {
            "behaviours": behaviours,
            "how_often": how_often,
            "how_long": how_long,
            "danger_now": danger_now,
            "feelings": ["no_impact"],
        }
        text = text_of(client.post(URL, answers).content).lower()
        for verdict in FORBIDDEN_VERDICTS:
            assert verdict not in text, (answers, verdict)
        assert "it is not your fault" in text
        assert "you do not need to be sure it is stalking to get help" in text


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ({"behaviours": ["threats"]}, "someone has threatened you"),
        ({"behaviours": ["turning_up"]}, "someone has turned up at your home"),
        ({"behaviours": ["damage"]}, "someone has damaged your things"),
        ({"danger_now": "yes"}, "you feel in danger right now"),
        ({"danger_now": "not_sure"}, "you are not sure that you are safe right now"),
    ],
)
def test_danger_puts_the_emergency_contacts_first(
    client: Client, demo: None, answers: dict[str, Any], reason: str
) -> None:
    html = client.post(URL, answers).content.decode()
    main = html[html.index("<main") :]
    order = [
        main.index("<h1>What might help</h1>"),
        main.index("Your safety comes first"),
        main.index('href="tel:999"'),
        main.index('href="tel:01162522888"'),  # campus Security, emergency line
        main.index(reason),
        main.index('id="what-this-means"'),
        main.index('id="next-steps"'),
    ]
    assert order[:4] == sorted(order[:4])
    assert max(order[:5]) < order[5] < order[6]
    # One help panel, at the top: the "Get help now" links lead to it.
    assert html.count('id="get-help"') == 1


def test_without_danger_the_help_panel_stays_at_the_foot_of_the_page(
    client: Client, demo: None
) -> None:
    html = client.post(URL, PATTERN_NO_DANGER).content.decode()
    assert "Your safety comes first" not in html
    assert html.count('id="get-help"') == 1
    assert html.index('id="next-steps"') < html.index('id="get-help"')


def test_it_ends_with_the_team_the_helpline_and_the_police(client: Client, demo: None) -> None:
    html = client.post(URL, PATTERN_NO_DANGER).content.decode()
    steps = html[html.index('id="next-steps"') :]
    assert "Talk to Standing Together" in steps
    assert "Tell us without giving your name" in steps
    assert 'href="tel:08088020300"' in steps
    assert "National Stalking Helpline" in steps
    assert "Suzy Lamplugh Trust" in steps
    assert 'href="tel:101"' in steps
    assert 'href="tel:999"' in steps
    assert 'href="https://www.leics.police.uk/ro/report"' in steps


def _stub(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


# The site with both the report flow and the "how to contact the team" page served, for the
# tests below (`@pytest.mark.urls(__name__)`); they switch either off by pointing the view
# at an address nobody serves.
urlpatterns = [*site_urlpatterns, path("report/", _stub), path("tell-us/", _stub)]
NOT_SERVED = "/nothing-here/"


def next_steps_html(client: Client) -> str:
    html = client.post(URL, PATTERN_NO_DANGER).content.decode()
    return html[html.index('id="next-steps"') : html.index('id="meanwhile"')]


@pytest.mark.urls(__name__)
def test_it_links_to_the_report_flow_once_it_is_served(client: Client, demo: None) -> None:
    steps = next_steps_html(client)
    assert '<a class="button" href="/report/">Tell Standing Together what happened</a>' in steps
    assert '<a href="/report/">Tell us what happened without giving your name</a>' in steps
    assert "/tell-us/" not in steps


@pytest.mark.urls(__name__)
def test_before_the_report_flow_it_links_to_how_to_contact_the_team(
    client: Client, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("waypoint.hub.selfcheck.views.REPORT_PATH", NOT_SERVED)
    steps = next_steps_html(client)
    assert '<a class="button" href="/tell-us/">How to contact Standing Together</a>' in steps
    assert NOT_SERVED not in steps


@pytest.mark.urls(__name__)
def test_without_either_page_it_gives_the_teams_own_contact_details(
    client: Client, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("waypoint.hub.selfcheck.views.REPORT_PATH", NOT_SERVED)
    monkeypatch.setattr("waypoint.hub.selfcheck.views.CONTACT_PATH", NOT_SERVED)
    assert 'href="/support/">Find how to contact Standing Together' in next_steps_html(client)

    institution = institution_load_demo()
    institution.team_phone = "0116 000 0000"
    institution.team_email = "standingtogether@example.ac.uk"
    institution.save()
    steps = next_steps_html(client)
    assert 'href="tel:01160000000"' in steps
    assert 'href="mailto:standingtogether@example.ac.uk"' in steps
    assert NOT_SERVED not in steps


def test_it_still_helps_when_the_directory_does_not_list_those_services(client: Client) -> None:
    institution_load_demo()
    SupportService.objects.all().delete()
    response = client.post(URL, FULL_ANSWERS)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="tel:999"' in html
    assert 'href="tel:01162522888"' in html
    assert "Find them in our support list" in html
    assert "tel:101" not in html


def test_it_works_before_the_institution_is_set_up(client: Client) -> None:
    response = client.post(URL, FULL_ANSWERS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Talk to our support team" in html
    assert 'href="tel:999"' in html


def test_online_behaviours_bring_a_tip_about_safe_devices(client: Client, demo: None) -> None:
    tip = "look for help on a device they cannot get to"
    assert tip in text_of(client.post(URL, {"behaviours": ["accounts"]}).content)
    assert tip not in text_of(client.post(URL, {"behaviours": ["gifts"]}).content)


# --- The rules themselves ---------------------------------------------------------------------


def test_the_rules_read_unwanted_repeated_several_and_over_time() -> None:
    result = interpret(
        Answers(
            behaviours=frozenset({Behaviour.FOLLOWING}),
            how_often=HowOften.A_FEW_TIMES,
            how_long=HowLong.YEAR_OR_MORE,
        )
    )
    assert (result.unwanted, result.repeated, result.several_behaviours, result.over_time) == (
        True,
        True,
        False,
        True,
    )
    assert result.shows_four_pattern
    assert not result.danger


def test_nothing_answered_about_behaviour_is_never_the_pattern() -> None:
    result = interpret(Answers(how_often=HowOften.ALMOST_DAILY, how_long=HowLong.MONTHS))
    assert not result.unwanted
    assert not result.shows_four_pattern


def test_feeling_in_danger_now_is_the_first_reason_given() -> None:
    result = interpret(
        Answers(
            behaviours=frozenset({Behaviour.DAMAGE, Behaviour.THREATS}), danger_now=DangerNow.YES
        )
    )
    assert result.danger_reasons[0] == "you feel in danger right now"
    assert len(result.danger_reasons) == 3


def test_saying_no_to_danger_now_with_no_danger_behaviour_is_not_danger() -> None:
    result = interpret(
        Answers(behaviours=frozenset({Behaviour.CALLS_MESSAGES}), danger_now=DangerNow.NO)
    )
    assert result.danger_reasons == ()
