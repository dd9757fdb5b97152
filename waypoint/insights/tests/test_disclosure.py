"""Each disclosure rule at its boundary (issue 15, items 6 to 9; ADR 0046).

Priya is the insights viewer at the university: she reads the tables, the CSVs and the
annual report. Everything she sees has passed disclosure.protect() or one of its
statistics, so these tests look at what she would see.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from waypoint.insights.disclosure import (
    Rules,
    average,
    median,
    narrowing_allowed,
    percentage,
    protect,
    round_count,
    rules_for,
)
from waypoint.insights.tables import ProtectedTable, RawTable
from waypoint.institution.models import Institution

RULES = Rules()
THIS_YEAR = "1 Aug 2026 to 31 Jul 2027"
YEAR_BEFORE = "A year before"


def table(
    key: str,
    rows: dict[str, tuple[int, ...]],
    *,
    columns: tuple[str, ...] = (THIS_YEAR,),
    additive: bool = True,
) -> RawTable:
    return RawTable(
        key=key,
        title=key.replace("_", " ").capitalize(),
        row_heading="Group",
        rows=tuple(rows),
        columns=columns,
        counts=tuple(rows.values()),
        additive=additive,
    )


def texts(protected: ProtectedTable) -> list[list[str]]:
    return [[cell.text for cell in row] for row in protected.cells]


# --- Rounding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (1, 0), (2, 0), (3, 5), (7, 5), (8, 10), (12, 10), (13, 15), (10, 10), (25, 25)],
)
def test_counts_are_rounded_to_the_nearest_five_with_0_1_and_2_becoming_0(
    count: int, shown: int
) -> None:
    assert round_count(count, rules=RULES) == shown


def test_priya_sees_large_figures_rounded_with_a_thousands_comma() -> None:
    [protected] = protect([table("big", {"a": (1248,), "b": (1302,)})], rules=RULES)
    assert texts(protected) == [["1,250"], ["1,300"]]
    assert protected.totals is not None
    assert protected.totals[0].text == "2,550"  # 2,550 from the true 2,550, not 1,250 + 1,300


# --- The threshold ------------------------------------------------------------------------


def test_a_count_of_9_is_hidden_and_a_count_of_10_is_shown() -> None:
    [protected] = protect(
        [table("walk_ins", {"walk-in": (9, 10)}, columns=(THIS_YEAR, YEAR_BEFORE))],
        rules=RULES,
    )
    nine, ten = protected.cells[0]
    assert (nine.text, nine.number, nine.hidden, nine.reason) == (
        "fewer than 10",
        None,
        True,
        "small",
    )
    assert (ten.text, ten.number, ten.hidden) == ("10", 10, False)


def test_the_threshold_is_decided_on_the_true_count_not_the_rounded_one() -> None:
    # 9 rounds to 10, but HESA suppresses on the true count: still hidden.
    [protected] = protect([table("t", {"a": (9,), "b": (40,)}, additive=False)], rules=RULES)
    assert texts(protected) == [["fewer than 10"], ["40"]]


def test_a_threshold_that_is_not_a_multiple_of_5_never_prints_a_number_under_it() -> None:
    # With a threshold of 7, a true 7 would round to 5: "5" beside "fewer than 7" would be
    # a number under the threshold, so it is hidden as well.
    rules = Rules(threshold=7)
    [protected] = protect(
        [table("t", {"a": (6,), "b": (7,), "c": (8,)}, additive=False)], rules=rules
    )
    assert texts(protected) == [["fewer than 7"], ["fewer than 7"], ["10"]]


def test_true_zeros_are_hidden_like_any_other_small_count() -> None:
    [protected] = protect([table("t", {"a": (0,), "b": (30,)}, additive=False)], rules=RULES)
    assert texts(protected) == [["fewer than 10"], ["30"]]


def test_the_institutions_threshold_is_used_and_4_is_treated_as_5() -> None:
    assert rules_for(Institution(insights_threshold=20)).threshold == 20
    assert rules_for(Institution(insights_threshold=4)).threshold == 5
    assert rules_for(SimpleNamespace(insights_threshold=0)).threshold == 10  # type: ignore[arg-type]
    assert rules_for(None) == Rules(threshold=10, rounding=5, percentage_base=23, median_minimum=8)


def test_with_a_threshold_of_5_priya_sees_5_and_not_4() -> None:
    rules = rules_for(Institution(insights_threshold=4))
    [protected] = protect([table("t", {"a": (4,), "b": (5,)}, additive=False)], rules=rules)
    assert texts(protected) == [["fewer than 5"], ["5"]]


# --- Totals and secondary suppression -------------------------------------------------------


def test_a_hidden_cell_cannot_be_worked_out_from_the_total() -> None:
    [protected] = protect(
        [table("reports_by_route", {"named": (40,), "anonymous": (4,), "on behalf": (21,)})],
        rules=RULES,
    )
    # 65 - 40 - 21 would give the 4 away: the smallest other cell (21) is hidden too.
    assert texts(protected) == [["40"], ["fewer than 10"], ["hidden"]]
    assert protected.cells[2][0].reason == "secondary"
    assert protected.totals is not None
    assert [cell.text for cell in protected.totals] == ["65"]
    assert protected.notes == (
        "Figures are rounded to the nearest 5, so they may not add up to the total.",
        "Some figures are hidden: counts under 10 are shown as 'fewer than 10', and a few "
        "other figures are hidden so that those cannot be worked out from the totals.",
    )
    assert protected.any_hidden


def test_two_small_cells_in_a_column_protect_each_other_and_nothing_more_is_hidden() -> None:
    [protected] = protect([table("t", {"a": (40,), "b": (4,), "c": (3,), "d": (21,)})], rules=RULES)
    assert texts(protected) == [["40"], ["fewer than 10"], ["fewer than 10"], ["20"]]


def test_a_small_total_is_hidden_and_so_is_everything_in_its_column() -> None:
    [protected] = protect([table("t", {"a": (6,), "b": (2,)})], rules=RULES)
    assert texts(protected) == [["fewer than 10"], ["fewer than 10"]]
    assert protected.totals is not None
    assert protected.totals[0].text == "fewer than 10"


def test_the_same_reports_split_another_way_do_not_give_a_hidden_cell_away() -> None:
    by_route = table("reports_by_route", {"named": (60,), "anonymous": (5,)})
    by_reporter = table("reports_by_reporter", {"student": (51,), "staff": (12,), "visitor": (2,)})
    route, reporter = protect([by_route, by_reporter], rules=RULES)
    # Both split the same 65 reports: each table hides its smallest other cell, so neither
    # 65 - 60 nor 65 - 51 - 12 gives a small count away.
    assert texts(route) == [["hidden"], ["fewer than 10"]]
    assert texts(reporter) == [["50"], ["hidden"], ["fewer than 10"]]
    assert route.totals is not None and reporter.totals is not None
    assert route.totals[0].text == reporter.totals[0].text == "65"


def test_two_small_cells_split_another_way_need_nothing_more() -> None:
    by_route = table("reports_by_route", {"named": (50,), "anonymous": (15,)})
    by_reporter = table("reports_by_reporter", {"student": (58,), "staff": (5,), "visitor": (2,)})
    route, reporter = protect([by_route, by_reporter], rules=RULES)
    assert texts(route) == [["50"], ["15"]]
    assert texts(reporter) == [["60"], ["fewer than 10"], ["fewer than 10"]]


def test_a_table_that_is_not_additive_has_no_total_and_no_secondary_suppression() -> None:
    [protected] = protect(
        [table("behaviours", {"following": (30,), "messages": (4,)}, additive=False)],
        rules=RULES,
    )
    assert protected.totals is None
    assert texts(protected) == [["30"], ["fewer than 10"]]
    assert protected.notes[0] == "Figures are rounded to the nearest 5."


def test_a_table_with_nothing_hidden_has_only_the_rounding_note() -> None:
    [protected] = protect([table("t", {"a": (40,), "b": (21,)})], rules=RULES)
    assert not protected.any_hidden
    assert len(protected.notes) == 1


def test_counts_that_do_not_match_the_rows_are_refused() -> None:
    bad = RawTable("t", "T", "Group", ("a", "b"), (THIS_YEAR,), ((1,),))
    with pytest.raises(ValueError, match="do not match"):
        protect([bad], rules=RULES)


# --- Statistics ---------------------------------------------------------------------------


def test_a_percentage_on_a_base_of_22_is_hidden_and_on_23_is_shown() -> None:
    hidden = percentage(11, 22, rules=RULES)
    assert (hidden.hidden, hidden.value, hidden.text) == (
        True,
        None,
        "hidden (fewer than 23 cases)",
    )
    shown = percentage(15, 23, rules=RULES)
    assert (shown.hidden, shown.value, shown.text) == (False, 65.0, "65%")


def test_a_percentage_is_worked_out_from_the_true_counts_and_a_half_rounds_up() -> None:
    assert percentage(1, 40, rules=RULES).text == "3%"  # 2.5% -> 3%
    assert percentage(0, 23, rules=RULES).text == "0%"


def test_a_median_of_7_people_is_hidden_and_of_8_is_shown() -> None:
    hidden = median([1, 2, 3, 4, 5, 6, 7], rules=RULES, unit="working days")
    assert (hidden.hidden, hidden.value) == (True, None)
    assert hidden.text == "hidden (based on 7 or fewer cases)"
    shown = median([1, 2, 3, 4, 5, 6, 7, 8], rules=RULES, unit="working days")
    assert (shown.hidden, shown.value, shown.text) == (False, 4.5, "4.5 working days")


def test_an_average_of_7_people_is_hidden_and_of_8_is_shown() -> None:
    assert average([3] * 7, rules=RULES, unit="days").hidden
    shown = average([3] * 7 + [11], rules=RULES, unit="days")
    assert (shown.hidden, shown.value, shown.text) == (False, 4.0, "4 days")


def test_a_median_of_one_day_reads_in_the_singular() -> None:
    assert median([1] * 8, rules=RULES, unit="working days").text == "1 working day"


# --- Narrowing ----------------------------------------------------------------------------


def test_a_filter_to_a_group_of_9_shows_the_wider_table_and_to_10_narrows() -> None:
    assert not narrowing_allowed(9, rules=RULES)
    assert narrowing_allowed(10, rules=RULES)
    assert not narrowing_allowed(4, rules=rules_for(Institution(insights_threshold=4)))
    assert narrowing_allowed(5, rules=rules_for(Institution(insights_threshold=4)))
