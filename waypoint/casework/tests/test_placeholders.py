"""What Waypoint fills in for a reply template's placeholders, in plain words, and the
default templates that use them (casework/placeholders.py, migration 0007, ADR 0029)."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps

from waypoint.accounts.models import User
from waypoint.casework.models import ReplyTemplate
from waypoint.casework.placeholders import (
    FIRST_NAME,
    OUR_HOURS,
    SUPPORTED,
    TEAM_NAME,
    Sender,
    first_name_of,
    placeholder_values,
    placeholders_fill,
    placeholders_in,
    time_in_words,
    weekdays_in_words,
)
from waypoint.institution.models import Institution

pytestmark = pytest.mark.django_db

defaults = importlib.import_module("waypoint.casework.migrations.0007_reply_template_placeholders")
# What an adviser fills in themselves: the defaults leave only these unfilled.
ADVISER_FILLS = {"[day and time]", "[date]"}


@pytest.mark.parametrize(
    ("first_name", "display_name", "expected"),
    [
        pytest.param("Priya", "P. Shah (Standing Together)", "Priya", id="first name recorded"),
        pytest.param("", "Sam Okafor", "Sam", id="from the display name"),
        pytest.param("  ", "Alex", "Alex", id="a blank first name is none"),
        pytest.param("", "Dr Jones", None, id="a title is not a first name"),
        pytest.param("", "Prof. Jones", None, id="a title with a full stop"),
        pytest.param("", "sam@university.test", None, id="an email address"),
        pytest.param("", "", None, id="nothing recorded"),
    ],
)
def test_the_adviser_s_first_name_comes_from_their_name_fields(
    first_name: str, display_name: str, expected: str | None
) -> None:
    user = User(email="someone@personas.test", first_name=first_name, display_name=display_name)

    assert first_name_of(user) == expected


@pytest.mark.parametrize(
    ("weekdays", "expected"),
    [
        ("12345", "Monday to Friday"),
        ("135", "Monday, Wednesday and Friday"),
        ("12", "Monday and Tuesday"),
        ("1245", "Monday, Tuesday, Thursday and Friday"),
        ("3", "Wednesday"),
        ("671", "Saturday to Monday"),
        ("123457", "Sunday to Friday"),
        ("1234567", "every day"),
        ("", None),
    ],
)
def test_working_days_read_as_plain_words(weekdays: str, expected: str | None) -> None:
    assert weekdays_in_words(weekdays) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime.time(9, 0), "9am"),
        (datetime.time(17, 0), "5pm"),
        (datetime.time(8, 30), "8:30am"),
        (datetime.time(12, 0), "midday"),
        (datetime.time(12, 15), "12:15pm"),
        (datetime.time(0, 0), "midnight"),
        (datetime.time(23, 45), "11:45pm"),
    ],
)
def test_times_read_as_gov_uk_writes_them(moment: datetime.time, expected: str) -> None:
    assert time_in_words(moment) == expected


def test_each_supported_placeholder_is_filled_from_the_sender_and_the_institution() -> None:
    institution = Institution(team_name="Standing Together", working_weekdays="12345")
    user = User(email="someone@personas.test", first_name="Priya")

    values = placeholder_values(Sender(user=user, institution=institution))

    assert values == {
        FIRST_NAME: "Priya",
        TEAM_NAME: "Standing Together",
        OUR_HOURS: "Monday to Friday, 9am to 5pm",
    }
    assert set(values) == set(SUPPORTED)


def test_what_cannot_be_known_is_left_for_the_adviser() -> None:
    user = User(email="someone@personas.test", display_name="Dr Jones")

    values = placeholder_values(Sender(user=user, institution=None))
    text = placeholders_fill("I am [your first name] of [team name], [our hours].", values)

    assert values == {}
    assert placeholders_in(text) == [FIRST_NAME, TEAM_NAME, OUR_HOURS]


def test_filling_ignores_letter_case_and_leaves_other_placeholders() -> None:
    filled = placeholders_fill(
        "[Your First Name] on [day and time]; see [1].", {FIRST_NAME: "Priya"}
    )

    assert filled == "Priya on [day and time]; see [1]."


# --- The default templates ------------------------------------------------------------------------


def test_the_default_templates_use_only_the_supported_names_and_the_adviser_s_own() -> None:
    bodies = {title: body for title, _, body in defaults.CHANGES}
    stored = dict(ReplyTemplate.objects.values_list("title", "body"))

    used: set[str] = set()
    for title, body in stored.items():
        used |= set(placeholders_in(body))
        if title in bodies:
            assert body == bodies[title], title  # the migration brought them up to date
    assert used <= set(SUPPORTED) | ADVISER_FILLS
    assert set(SUPPORTED) <= used  # each one Waypoint fills is used somewhere
    institution = Institution(team_name="Standing Together")
    user = User(email="someone@personas.test", first_name="Priya")
    first_reply = placeholders_fill(
        stored["First reply"], placeholder_values(Sender(user=user, institution=institution))
    )
    assert placeholders_in(first_reply) == []


def test_a_template_an_administrator_edited_is_never_overwritten() -> None:
    title, before, _ = defaults.CHANGES[0]
    ReplyTemplate.objects.filter(title=title).delete()
    edited = ReplyTemplate.objects.create(title=title, body=f"{before}\n\nOur own words.")
    untouched = ReplyTemplate.objects.get(title=defaults.CHANGES[1][0])
    untouched.body = defaults.CHANGES[1][1]
    untouched.save()

    defaults.use_filled_placeholders(apps, None)

    edited.refresh_from_db()
    untouched.refresh_from_db()
    assert edited.body == f"{before}\n\nOur own words."
    assert untouched.body == defaults.CHANGES[1][2]
    defaults.restore_old_words(apps, None)
    untouched.refresh_from_db()
    assert untouched.body == defaults.CHANGES[1][1]
    assert ReplyTemplate.objects.get(pk=edited.pk).body == edited.body
