"""No hidden figure can be worked out from what is shown (issue 15, items 7 and 9; ADR 0046).

The attacker here is the strongest one linear arithmetic allows: they know the TRUE value
of every shown figure (not just its rounded one), they know which figures add up to which
(each column of an additive table sums to its total; tables splitting the same whole share
that total), and they solve. Hidden figures are the unknowns. A hidden figure is worked
out exactly when its unit vector lies in the row space of the equations restricted to the
unknowns, which the test checks on its own (rank with and without that vector, in exact
fractions), independently of the module's own check.

Examples: 2,000 per property in CI, 200 locally (conftest.py).
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from waypoint.insights.disclosure import Rules, protect, round_count
from waypoint.insights.tables import ProtectedTable, RawTable, ShownCell

PROFILE = settings.get_profile("insights-disclosure")
PERIODS = ("This period", "A year before")

# Mostly small counts, so that suppression has work to do, with some large ones.
counts = st.one_of(st.integers(0, 12), st.integers(0, 40), st.integers(0, 400))
rules = st.builds(Rules, threshold=st.integers(5, 15))

Figure = tuple[str, int, int, int]  # ("cell", table, row, column) or ("total", group, column, 0)


def rank(rows: list[list[Fraction]]) -> int:
    matrix = [list(row) for row in rows]
    found = 0
    width = len(matrix[0]) if matrix else 0
    for col in range(width):
        pivot = next((r for r in range(found, len(matrix)) if matrix[r][col]), None)
        if pivot is None:
            continue
        matrix[found], matrix[pivot] = matrix[pivot], matrix[found]
        for r in range(found + 1, len(matrix)):
            if matrix[r][col]:
                factor = matrix[r][col] / matrix[found][col]
                matrix[r] = [x - factor * y for x, y in zip(matrix[r], matrix[found], strict=True)]
        found += 1
    return found


def worked_out(equations: list[list[Figure]], hidden: set[Figure]) -> list[Figure]:
    """Hidden figures that the shown ones and the equations pin down exactly."""
    unknowns = sorted(hidden & {figure for eq in equations for figure in eq})
    index = {figure: i for i, figure in enumerate(unknowns)}
    rows = []
    for eq in equations:
        row = [Fraction(0)] * len(unknowns)
        for figure in eq:  # the total is the last figure of each equation: sum - total = 0
            if figure in index:
                row[index[figure]] += -1 if figure is eq[-1] else 1
        if any(row):
            rows.append(row)
    base = rank(rows)
    determined = []
    for figure, i in index.items():
        unit = [Fraction(int(j == i)) for j in range(len(unknowns))]
        if rank([*rows, unit]) == base:
            determined.append(figure)
    return determined


def check(
    raw: list[RawTable],
    protected: list[ProtectedTable],
    *,
    rules: Rules,
    shared_with: dict[int, int] | None = None,
) -> None:
    """Every property of a protected batch; `shared_with` maps a table to the one whose
    totals it shares (the same whole split another way)."""
    shared_with = shared_with or {}
    values: dict[Figure, int] = {}
    shown: dict[Figure, ShownCell] = {}
    equations: list[list[Figure]] = []
    for t, (table, out) in enumerate(zip(raw, protected, strict=True)):
        for r, row in enumerate(table.counts):
            for c, count in enumerate(row):
                values[("cell", t, r, c)] = count
                shown[("cell", t, r, c)] = out.cells[r][c]
        if not table.additive:
            assert out.totals is None
            continue
        assert out.totals is not None
        group = shared_with.get(t, t)
        for c in range(len(table.columns)):
            total: Figure = ("total", group, c, 0)
            true_total = sum(row[c] for row in table.counts)
            if total in values:  # a shared total: the same figure, shown the same way
                assert values[total] == true_total
                assert shown[total] == out.totals[c]
            values[total] = true_total
            shown[total] = out.totals[c]
            equations.append([("cell", t, r, c) for r in range(len(table.rows))] + [total])

    for figure, cell in shown.items():
        true = values[figure]
        if cell.hidden:
            assert cell.number is None
            assert cell.reason in ("small", "secondary")
            assert cell.text == (
                f"fewer than {rules.threshold}" if cell.reason == "small" else "hidden"
            )
            assert (cell.reason == "small") == (
                true < rules.threshold or round_count(true, rules=rules) < rules.threshold
            )
        else:
            assert true >= rules.threshold, figure
            assert cell.number is not None and cell.number >= rules.threshold
            assert cell.number % 5 == 0
            assert cell.number == round_count(true, rules=rules)
            assert abs(cell.number - true) <= 2
            assert cell.text == f"{cell.number:,}"

    hidden = {figure for figure, cell in shown.items() if cell.hidden}
    assert worked_out(equations, hidden) == []

    # The fewest extra: a column needs one more hidden cell only when exactly one small
    # cell sits under a shown total, and never more than one.
    for eq in equations:
        *cells, total = eq
        small = [f for f in cells if shown[f].reason == "small"]
        secondary = [f for f in cells if shown[f].reason == "secondary"]
        needed = 1 if len(small) == 1 and not shown[total].hidden else 0
        assert len(secondary) == needed, (eq, [values[f] for f in eq])
        assert shown[total].reason != "secondary"
        if secondary:  # and it is the smallest cell that was shown
            others = [values[f] for f in cells if f not in small]
            assert values[secondary[0]] == min(others)


@st.composite
def one_table(
    draw: st.DrawFn, key: str = "t", additive: bool = True, n_cols: int | None = None
) -> RawTable:
    n_rows = draw(st.integers(1, 6))
    n_cols = n_cols or draw(st.integers(1, 3))
    grid = draw(st.lists(st.tuples(*[counts] * n_cols), min_size=n_rows, max_size=n_rows))
    return RawTable(
        key=key,
        title=key,
        row_heading="Group",
        rows=tuple(f"row {i}" for i in range(n_rows)),
        columns=PERIODS if n_cols == 2 else tuple(f"Period {j}" for j in range(n_cols)),
        counts=tuple(grid),
        additive=additive,
    )


@PROFILE
@given(table=one_table(), rules=rules)
def test_no_hidden_cell_of_one_table_can_be_worked_out(table: RawTable, rules: Rules) -> None:
    check([table], protect([table], rules=rules), rules=rules)


@PROFILE
@given(first=one_table(key="a", n_cols=2), second=one_table(key="b", n_cols=2), rules=rules)
def test_no_hidden_cell_can_be_worked_out_from_two_periods_side_by_side(
    first: RawTable, second: RawTable, rules: Rules
) -> None:
    # Each table for this period and the year before, as two columns, and two independent
    # tables passed together (totals equal by chance are linked: still safe).
    raw = [first, second]
    check(raw, protect(raw, rules=rules), rules=rules)


@st.composite
def one_whole_split_two_ways(draw: st.DrawFn) -> tuple[RawTable, RawTable]:
    """The margins of a cross-table nobody sees: the same reports by route and by reporter."""
    n_a = draw(st.integers(1, 5))
    n_b = draw(st.integers(1, 5))
    n_cols = draw(st.integers(1, 2))
    cross = [
        [draw(st.lists(st.integers(0, 15), min_size=n_cols, max_size=n_cols)) for _ in range(n_b)]
        for _ in range(n_a)
    ]
    by_a = tuple(
        tuple(sum(cross[i][j][c] for j in range(n_b)) for c in range(n_cols)) for i in range(n_a)
    )
    by_b = tuple(
        tuple(sum(cross[i][j][c] for i in range(n_a)) for c in range(n_cols)) for j in range(n_b)
    )
    columns = PERIODS[:n_cols]
    return (
        RawTable("by_a", "By A", "A", tuple(f"a{i}" for i in range(n_a)), columns, by_a),
        RawTable("by_b", "By B", "B", tuple(f"b{j}" for j in range(n_b)), columns, by_b),
    )


@PROFILE
@given(
    tables=one_whole_split_two_ways(),
    extra=one_table(key="behaviours", additive=False),
    rules=rules,
)
def test_no_hidden_cell_can_be_worked_out_from_the_same_counts_split_another_way(
    tables: tuple[RawTable, RawTable], extra: RawTable, rules: Rules
) -> None:
    raw = [*tables, extra]
    check(raw, protect(raw, rules=rules), rules=rules, shared_with={1: 0})


@PROFILE
@given(
    months=st.lists(st.tuples(counts, counts), min_size=12, max_size=12),
    routes=st.lists(st.integers(0, 1000), min_size=2, max_size=3),
    rules=rules,
)
def test_differencing_months_against_the_year_total_and_the_routes_reveals_nothing(
    months: list[tuple[int, int]], routes: list[int], rules: Rules
) -> None:
    """Reports per month (rows) for two years (columns), and the same year's reports by
    route: all three totals are the year's total, so a hidden month could be differenced
    out of the year total and the other months, or out of the route table."""
    year = [sum(m[c] for m in months) for c in range(2)]
    # Split each year's total over the routes in proportions drawn above.
    weights = [w + 1 for w in routes]
    by_route = []
    for c in range(2):
        parts = [year[c] * w // sum(weights) for w in weights]
        parts[0] += year[c] - sum(parts)
        by_route.append(parts)
    per_month = RawTable(
        "per_month",
        "Reports per month",
        "Month",
        tuple(f"month {i}" for i in range(12)),
        PERIODS,
        tuple(months),
    )
    route_table = RawTable(
        "by_route",
        "Reports by route",
        "Route",
        tuple(f"route {i}" for i in range(len(routes))),
        PERIODS,
        tuple((by_route[0][i], by_route[1][i]) for i in range(len(routes))),
    )
    raw = [per_month, route_table]
    check(raw, protect(raw, rules=rules), rules=rules, shared_with={1: 0})


def test_differencing_two_month_ranges_never_pins_down_a_small_count() -> None:
    """Separate requests: Aug to Oct, then Aug to Nov. Each shown total is rounded, so the
    difference leaves at least five values for November's count (ADR 0046)."""
    rules = Rules()
    for before in range(rules.threshold, 300):
        for november in range(1, rules.threshold):
            aug_oct = round_count(before, rules=rules)
            aug_nov = round_count(before + november, rules=rules)
            possible = {
                b - a
                for a in range(max(0, aug_oct - 2), aug_oct + 3)
                for b in range(max(0, aug_nov - 2), aug_nov + 3)
                if round_count(a, rules=rules) == aug_oct
                and round_count(b, rules=rules) == aug_nov
                and b >= a
            }
            assert november in possible
            assert len(possible) >= 5


def test_the_check_itself_catches_a_cell_given_away_by_its_total() -> None:
    # The attacker model is not vacuous: one hidden cell under a shown total is found.
    equations: list[list[Figure]] = [[("cell", 0, 0, 0), ("cell", 0, 1, 0), ("total", 0, 0, 0)]]
    assert worked_out(equations, {("cell", 0, 0, 0)}) == [("cell", 0, 0, 0)]
    assert worked_out(equations, {("cell", 0, 0, 0), ("cell", 0, 1, 0)}) == []
    # A hidden total with every cell shown is found too.
    assert worked_out(equations, {("total", 0, 0, 0)}) == [("total", 0, 0, 0)]
