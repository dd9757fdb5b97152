"""Seeing the pattern: how many, over how long, which behaviours, and whether it is rising
(issue 14, item 4). Pure counting: no database, and today is always given."""

from __future__ import annotations

import datetime as dt

from waypoint.log.pattern import (
    CHART_HEIGHT,
    CHART_WEEKS,
    Incident,
    Trend,
    chart_bars,
    chart_width,
    pattern_of,
    warnings,
)

TODAY = dt.date(2026, 12, 3)
MESSAGES = ("repeated-contact", "Contacting me again and again")
FOLLOWING = ("following", "Following me or turning up where I am")
THREATS = ("threats", "Threatening to hurt me or someone close to me")


def days_ago(*days: int, behaviours: tuple[tuple[str, str], ...] = (MESSAGES,)) -> list[Incident]:
    return [Incident(TODAY - dt.timedelta(days=n), behaviours) for n in days]


def test_an_empty_record_has_nothing_to_count_and_says_so() -> None:
    pattern = pattern_of([], today=TODAY)
    assert (pattern.total, pattern.weeks, pattern.per_week, pattern.behaviours) == (0, 0, (), ())
    assert pattern.trend is Trend.TOO_EARLY
    assert pattern.summary == "You have not recorded any incidents yet."


def test_a_person_with_five_incidents_over_three_weeks_sees_those_numbers() -> None:
    pattern = pattern_of(days_ago(0, 2, 9, 15, 20), today=TODAY)
    assert (pattern.total, pattern.weeks) == (5, 3)
    assert pattern.summary == "You have recorded 5 incidents over 3 weeks."
    assert [week.count for week in pattern.per_week] == [2, 1, 2]
    assert pattern.per_week[-1].ends == TODAY
    assert pattern.per_week[-1].starts == TODAY - dt.timedelta(days=6)


def test_one_incident_today_is_one_incident_over_one_week() -> None:
    pattern = pattern_of(days_ago(0), today=TODAY)
    assert pattern.summary == "You have recorded 1 incident over 1 week."


def test_the_chart_shows_at_most_twelve_weeks_but_the_total_counts_everything() -> None:
    pattern = pattern_of(days_ago(0, 200), today=TODAY)
    assert pattern.total == 2
    assert pattern.weeks == 29
    assert len(pattern.per_week) == CHART_WEEKS
    assert sum(week.count for week in pattern.per_week) == 1


def test_behaviours_are_counted_once_per_incident_most_frequent_first() -> None:
    incidents = [
        *days_ago(1, 2, 3),
        Incident(TODAY, (FOLLOWING, MESSAGES, MESSAGES)),
    ]
    counted = [(b.label, b.count) for b in pattern_of(incidents, today=TODAY).behaviours]
    assert counted == [(MESSAGES[1], 4), (FOLLOWING[1], 1)]


def test_more_incidents_lately_than_before_is_rising() -> None:
    pattern = pattern_of(days_ago(1, 3, 5, 8, 40), today=TODAY)
    assert (pattern.recent, pattern.previous) == (4, 1)
    assert pattern.trend is Trend.RISING and pattern.rising
    assert "becoming more frequent: 4 incidents in the last 4 weeks" in pattern.trend_text


def test_about_the_same_number_is_steady_and_fewer_is_falling() -> None:
    assert pattern_of(days_ago(1, 10, 30, 40), today=TODAY).trend is Trend.STEADY
    assert pattern_of(days_ago(1, 30, 35, 40, 50), today=TODAY).trend is Trend.FALLING


def test_a_record_younger_than_the_window_is_too_early_to_call() -> None:
    pattern = pattern_of(days_ago(0, 1, 2, 3, 4, 5), today=TODAY)
    assert pattern.trend is Trend.TOO_EARLY
    assert "too early" in pattern.trend_text


def test_a_date_after_today_is_counted_as_today() -> None:
    pattern = pattern_of([Incident(TODAY + dt.timedelta(days=3))], today=TODAY)
    assert pattern.per_week[-1].count == 1


def test_the_tallest_week_fills_the_chart_and_an_empty_week_has_no_bar() -> None:
    pattern = pattern_of(days_ago(0, 1, 2, 3, 20), today=TODAY)
    bars = chart_bars(pattern.per_week)
    assert [bar.height for bar in bars] == [CHART_HEIGHT // 4, 0, CHART_HEIGHT]
    assert all(bar.y + bar.height == CHART_HEIGHT for bar in bars)
    assert bars[1].x > bars[0].x
    assert chart_width(pattern.per_week) >= bars[-1].x
    assert chart_bars([]) == ()


def test_threats_turning_up_and_a_rising_frequency_each_give_a_warning() -> None:
    incidents = [
        Incident(TODAY, (THREATS,)),
        Incident(TODAY, (FOLLOWING, THREATS)),
        Incident(TODAY, (FOLLOWING,)),
        *days_ago(4),
    ]
    said = warnings(incidents, threat_slugs=frozenset({"threats"}), trend=Trend.RISING)
    assert said == (
        "2 incidents describe threats or violence.",
        "2 incidents describe them following you, watching you or turning up where you are.",
        "The incidents are becoming more frequent.",
    )


def test_messages_alone_at_a_steady_rate_give_no_warning() -> None:
    incidents = days_ago(1, 2)
    assert warnings(incidents, threat_slugs=frozenset({"threats"}), trend=Trend.STEADY) == ()
