"""Disclosure control: the one door every insights figure passes through (issue 15, ADR 0046).

Raw counts (tables.RawTable) come in; what may be shown comes out (tables.ProtectedTable,
tables.ShownStatistic). The rules default to HESA's rounding and suppression standard,
with the institution's threshold:

- a count is hidden ("fewer than 10") when its TRUE count is under the threshold, and
  also when its rounded figure would be (only possible when the threshold is not a
  multiple of 5, say 7: a true 7 rounds to 5, which would print a number under the
  threshold). Otherwise it is shown rounded to the nearest 5 (0, 1, 2 -> 0; 3 -> 5).
  True zeros are hidden like any other small count: "0" beside "fewer than 10" would
  tell a reader which small cells are empty, and helps anyone working from the totals;
- totals of additive tables are summed from the true counts, then rounded and protected
  like any other count;
- secondary suppression (`_secondary`): the tables passed together to `protect` are one
  system of linear equations (each additive column sums to its total; tables that split
  the same whole share that total). While any hidden figure is uniquely determined by the
  shown ones, the smallest shown cell in an equation with it is hidden too. "Determined"
  is checked exactly (rational Gaussian elimination), against the strongest reader: one
  who knows the true value of every shown figure, not just its rounded one. So the
  greedy choice may hide an extra cell more than a cleverer search would, but it never
  stops while a hidden figure can be worked out;
- percentages are hidden when their base is under 23, medians and averages when they are
  based on 7 or fewer cases (`Rules.median_minimum` = 8).

Columns of one table are disjoint periods (this period, the same period a year before):
no figure shown is the sum of two columns. Differencing across separate requests (Aug to
Oct, then Aug to Nov) is met by the rounding: see ADR 0046.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from statistics import fmean
from statistics import median as _median
from typing import TYPE_CHECKING, Final

from waypoint.insights.tables import ProtectedTable, RawTable, ShownCell, ShownStatistic

if TYPE_CHECKING:
    from waypoint.institution.models import Institution

# The institution's setting cannot go below this, whatever the database row says.
THRESHOLD_FLOOR: Final = 5

SMALL: Final = "small"
SECONDARY: Final = "secondary"
SECONDARY_TEXT: Final = "hidden"


@dataclass(frozen=True)
class Rules:
    threshold: int = 10  # counts under this are hidden ("fewer than 10")
    rounding: int = 5  # every shown count is rounded to the nearest multiple of this
    percentage_base: int = 23  # a percentage needs at least this many in its base
    median_minimum: int = 8  # a median or an average needs at least this many values


def rules_for(institution: Institution | None) -> Rules:
    """The institution's rules: HESA's defaults with its own threshold, never below 5."""
    if institution is None:
        return Rules()
    threshold = getattr(institution, "insights_threshold", None) or Rules.threshold
    return Rules(threshold=max(THRESHOLD_FLOOR, int(threshold)))


def round_count(count: int, *, rules: Rules) -> int:
    """Nearest multiple of `rules.rounding`; a half rounds down (5: 0, 1, 2 -> 0; 3 -> 5)."""
    base = rules.rounding
    return base * ((count + (base - 1) // 2) // base)


def small_text(rules: Rules) -> str:
    return f"fewer than {rules.threshold}"


def is_small(count: int, *, rules: Rules) -> bool:
    """Under the threshold: by the true count (HESA), or by the rounded figure."""
    return count < rules.threshold or round_count(count, rules=rules) < rules.threshold


def shown_count(count: int, *, rules: Rules) -> ShownCell:
    """One count on its own (primary suppression only): for figures outside any table."""
    if is_small(count, rules=rules):
        return ShownCell(text=small_text(rules), number=None, hidden=True, reason=SMALL)
    number = round_count(count, rules=rules)
    return ShownCell(text=f"{number:,}", number=number)


def narrowing_allowed(group_size: int, *, rules: Rules) -> bool:
    """Item 8: a filter may narrow a table to a group only if the group is not small.

    When this is False the page shows the wider (suppressed) table instead.
    """
    return not is_small(group_size, rules=rules)


# --- Tables ------------------------------------------------------------------------------

# A figure in the batch: ("cell", table index, row, column) or ("total", group id).
_Var = tuple[str, int, int, int]


def protect(tables: Sequence[RawTable], *, rules: Rules) -> list[ProtectedTable]:
    """Protect tables together: every figure rounded, small ones hidden, and enough more
    hidden that no hidden figure can be worked out from the shown ones (module docstring).

    Pass together every table shown on one page or in one file, so that the same whole
    split different ways (by route, by who reported) is protected as one system.
    """
    for table in tables:
        if len(table.counts) != len(table.rows) or any(
            len(row) != len(table.columns) for row in table.counts
        ):
            raise ValueError(f"table {table.key!r}: counts do not match rows x columns")
        if any(count < 0 for row in table.counts for count in row):
            raise ValueError(f"table {table.key!r}: a count is negative")

    values: dict[_Var, int] = {}
    equations: list[list[tuple[_Var, int]]] = []
    total_of: dict[tuple[int, int], _Var] = {}  # (table, column) -> its total's figure
    # Additive tables whose column has the same label and the same true total are the same
    # whole split different ways: one shared figure. (If two different wholes happen to be
    # equal, linking them only protects against a stronger reader.)
    shared: dict[tuple[str, int], _Var] = {}
    for t, table in enumerate(tables):
        for r, row in enumerate(table.counts):
            for c, count in enumerate(row):
                values[("cell", t, r, c)] = count
        if not table.additive:
            continue
        for c, label in enumerate(table.columns):
            true_total = sum(row[c] for row in table.counts)
            total = shared.setdefault((label, true_total), ("total", len(shared), 0, 0))
            values[total] = true_total
            total_of[(t, c)] = total
            equations.append(
                [(("cell", t, r, c), 1) for r in range(len(table.rows))] + [(total, -1)]
            )

    hidden: dict[_Var, str] = {
        var: SMALL for var, count in values.items() if is_small(count, rules=rules)
    }
    _secondary(values, equations, hidden)

    def shown(var: _Var) -> ShownCell:
        reason = hidden.get(var)
        if reason == SMALL:
            return ShownCell(text=small_text(rules), number=None, hidden=True, reason=SMALL)
        if reason == SECONDARY:
            return ShownCell(text=SECONDARY_TEXT, number=None, hidden=True, reason=SECONDARY)
        number = round_count(values[var], rules=rules)
        return ShownCell(text=f"{number:,}", number=number)

    protected = []
    for t, table in enumerate(tables):
        cells = tuple(
            tuple(shown(("cell", t, r, c)) for c in range(len(table.columns)))
            for r in range(len(table.rows))
        )
        totals = (
            tuple(shown(total_of[(t, c)]) for c in range(len(table.columns)))
            if table.additive
            else None
        )
        every = [cell for row in cells for cell in row] + list(totals or ())
        protected.append(
            ProtectedTable(
                key=table.key,
                title=table.title,
                row_heading=table.row_heading,
                rows=table.rows,
                columns=table.columns,
                cells=cells,
                totals=totals,
                notes=_notes(every, rules=rules, additive=table.additive),
            )
        )
    return protected


def _notes(cells: Sequence[ShownCell], *, rules: Rules, additive: bool) -> tuple[str, ...]:
    notes = [
        f"Figures are rounded to the nearest {rules.rounding}"
        + (", so they may not add up to the total." if additive else ".")
    ]
    small = any(cell.reason == SMALL for cell in cells)
    secondary = any(cell.reason == SECONDARY for cell in cells)
    less = small_text(rules)
    if small and secondary:
        notes.append(
            f"Some figures are hidden: counts under {rules.threshold} are shown as "
            f"'{less}', and a few other figures are hidden so that those cannot be "
            "worked out from the totals."
        )
    elif small:
        notes.append(
            f"Some figures are hidden: counts under {rules.threshold} are shown as '{less}', "
            "so that no one can be identified."
        )
    elif secondary:
        notes.append(
            "A few figures are hidden so that small counts cannot be worked out from the totals."
        )
    return tuple(notes)


def _secondary(
    values: dict[_Var, int], equations: list[list[tuple[_Var, int]]], hidden: dict[_Var, str]
) -> None:
    """Hide more figures until no hidden one is determined by the shown ones (in place).

    Greedy: take a determined hidden figure, and hide the smallest shown cell that shares
    an equation with it (a total only if no cell does; widening to equations of the hidden
    figures next to it if none of its own has a shown figure). Each round hides one more
    figure, so this ends; it ends only when `_determined` finds nothing, which is the
    exact check, so the result is safe whatever the greedy choice was.
    """
    while determined := _determined(equations, hidden):
        target = determined[0]
        frontier = {target}
        seen: set[_Var] = set()
        while True:
            near = [eq for eq in equations if any(var in frontier for var, _ in eq)]
            candidates = {var for eq in near for var, _ in eq if var not in hidden}
            if candidates:
                break
            seen |= frontier
            frontier = {var for eq in near for var, _ in eq} - seen
            if not frontier:  # cannot happen: a determined figure has a shown neighbour
                raise AssertionError("no figure left to hide")
        cells = [var for var in candidates if var[0] == "cell"] or list(candidates)
        choice = min(cells, key=lambda var: (values[var], var))
        hidden[choice] = SECONDARY


def _determined(equations: list[list[tuple[_Var, int]]], hidden: dict[_Var, str]) -> list[_Var]:
    """Hidden figures whose value follows from the equations and the shown figures.

    Shown figures are known; the equations restricted to the hidden ones form a matrix A.
    A hidden figure is determined exactly when its unit vector lies in A's row space, which
    in reduced row echelon form means some row has its only non-zero entry there.
    """
    unknowns = sorted({var for eq in equations for var, _ in eq if var in hidden})
    index = {var: i for i, var in enumerate(unknowns)}
    rows: list[list[Fraction]] = []
    for eq in equations:
        row = [Fraction(0)] * len(unknowns)
        for var, coefficient in eq:
            if var in index:
                row[index[var]] += coefficient
        if any(row):
            rows.append(row)
    reduced = rref(rows, len(unknowns))
    found = []
    for row in reduced:
        nonzero = [i for i, x in enumerate(row) if x]
        if len(nonzero) == 1:
            found.append(unknowns[nonzero[0]])
    return found


def rref(rows: list[list[Fraction]], width: int) -> list[list[Fraction]]:
    """Reduced row echelon form, exactly (Fractions): the non-zero rows only."""
    matrix = [list(row) for row in rows]
    pivot_row = 0
    for col in range(width):
        pick = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col]), None)
        if pick is None:
            continue
        matrix[pivot_row], matrix[pick] = matrix[pick], matrix[pivot_row]
        lead = matrix[pivot_row][col]
        matrix[pivot_row] = [x / lead for x in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][col]:
                factor = matrix[r][col]
                matrix[r] = [
                    x - factor * y for x, y in zip(matrix[r], matrix[pivot_row], strict=True)
                ]
        pivot_row += 1
    return matrix[:pivot_row]


# --- Statistics ----------------------------------------------------------------------------


def percentage(part: int, base: int, *, rules: Rules) -> ShownStatistic:
    """`part` of `base` as a whole percentage, from the true counts; hidden on a small base."""
    if base < rules.percentage_base:
        return ShownStatistic(
            text=f"hidden (fewer than {rules.percentage_base} cases)", value=None, hidden=True
        )
    value = float(
        (Decimal(100 * part) / Decimal(base)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )
    return ShownStatistic(text=f"{value:.0f}%", value=value)


def median(values: Sequence[float], *, rules: Rules, unit: str) -> ShownStatistic:
    """The median of `values` ("3 working days"), hidden when there are too few."""
    if len(values) < rules.median_minimum:
        return _too_few(rules)
    return _statistic(float(_median(values)), unit)


def average(values: Sequence[float], *, rules: Rules, unit: str) -> ShownStatistic:
    """The mean of `values` ("4.5 days"), hidden when there are too few."""
    if len(values) < rules.median_minimum:
        return _too_few(rules)
    return _statistic(fmean(values), unit)


def _too_few(rules: Rules) -> ShownStatistic:
    return ShownStatistic(
        text=f"hidden (based on {rules.median_minimum - 1} or fewer cases)",
        value=None,
        hidden=True,
    )


def _statistic(value: float, unit: str) -> ShownStatistic:
    # One decimal place at most: 3 -> "3", 3.25 -> "3.3" (a half rounds up, as people expect).
    shown = float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    number = f"{shown:.1f}".removesuffix(".0")
    if shown == 1 and unit.endswith("s"):
        unit = unit[:-1]  # "1 working day"
    return ShownStatistic(text=f"{number} {unit}".strip(), value=shown)
