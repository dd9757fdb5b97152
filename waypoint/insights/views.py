"""The insights pages (issue 15): /staff/insights/ and one page per section.

Every number on them comes from selectors.section_tables(), that is through
disclosure.protect(), percentage() and median(); the charts are SVG drawn by the template
from the shown (rounded) figures, never from a true count. Nothing here reaches a case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from waypoint.accounts.policy import staff_view
from waypoint.insights import disclosure
from waypoint.insights.periods import (
    RANGE_FIELDS,
    TERM_NAMES,
    TERMS,
    PeriodChoice,
    academic_year,
    offered_years,
    period_from_query,
    term_months,
)
from waypoint.insights.selectors import (
    SECTION_DESCRIPTIONS,
    SECTION_TITLES,
    SECTIONS,
    SectionView,
    period_shown,
    section_tables,
)
from waypoint.insights.tables import ProtectedTable
from waypoint.institution.models import Institution
from waypoint.institution.selectors import institution_get_current

# Chart geometry, in SVG user units (the SVG scales to its box; see insights.css).
CHART_WIDTH: Final = 480
BAR_SPACE: Final = 320  # the longest bar; the rest is for its figure
BAR_HEIGHT: Final = 16
LABEL_HEIGHT: Final = 24
ROW_GAP: Final = 12
LABEL_MAX_CHARS: Final = 64
FIELD_ORDER: Final = ("year", "term", *RANGE_FIELDS)


@dataclass(frozen=True)
class Bar:
    y: int
    width: int
    text: str  # the shown figure ("25", "fewer than 10", "hidden")
    text_x: int
    hidden: bool


@dataclass(frozen=True)
class ChartRow:
    label: str
    label_y: int
    now: Bar
    before: Bar


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bar_height: int
    rows: tuple[ChartRow, ...]


def chart_for(table: ProtectedTable) -> Chart:
    """Bars for both columns of `table`, scaled to the largest SHOWN figure."""
    largest = max(
        (cell.number or 0 for row in table.cells for cell in row[:2]),
        default=0,
    )
    rows = []
    y = 0
    for label, cells in zip(table.rows, table.cells, strict=True):
        label_y = y + LABEL_HEIGHT - 7
        bars = []
        for index, cell in enumerate(cells[:2]):
            bar_y = y + LABEL_HEIGHT + index * (BAR_HEIGHT + 2)
            width = round(BAR_SPACE * (cell.number or 0) / largest) if largest else 0
            bars.append(
                Bar(
                    y=bar_y,
                    width=width,
                    text=cell.text,
                    text_x=width + 6,
                    hidden=cell.hidden,
                )
            )
        short = label if len(label) <= LABEL_MAX_CHARS else label[: LABEL_MAX_CHARS - 1] + "…"
        rows.append(ChartRow(label=short, label_y=label_y, now=bars[0], before=bars[1]))
        y += LABEL_HEIGHT + 2 * BAR_HEIGHT + 2 + ROW_GAP
    return Chart(
        width=CHART_WIDTH,
        height=max(y - ROW_GAP + 4, 1),
        bar_height=BAR_HEIGHT,
        rows=tuple(rows),
    )


def _form_context(choice: PeriodChoice, *, institution: Institution | None) -> dict[str, object]:
    start_month = _start_month(institution)
    today = timezone.localdate()
    errors = [
        (f"insights-{name}", choice.errors[name]) for name in FIELD_ORDER if name in choice.errors
    ]
    return {
        "choice": choice,
        "errors": errors,
        "fields": {
            name: {"value": choice.values.get(name, ""), "error": choice.errors.get(name, "")}
            for name in FIELD_ORDER
        },
        "years": [
            (year, academic_year(year, start_month=start_month).label)
            for year in offered_years(today=today, start_month=start_month)
        ],
        "terms": [
            (number, f"{TERM_NAMES[number - 1]}: {term_months(number, start_month=start_month)}")
            for number in range(1, len(TERMS) + 1)
        ],
        "range_groups": [
            (
                group,
                [
                    {
                        "name": f"{prefix}_{part}",
                        "short_label": part.capitalize(),
                        "width": width,
                        "value": choice.values.get(f"{prefix}_{part}", ""),
                        "error": choice.errors.get(f"{prefix}_{part}", ""),
                    }
                    for part, width in (("month", 2), ("year", 4))
                ],
            )
            for prefix, group in (("from", "From"), ("to", "To"))
        ],
        "query": _query(choice),
    }


def _query(choice: PeriodChoice) -> str:
    """The filter's GET parameters, to keep the period from page to page."""
    if choice.errors:
        return ""
    pairs = [(name, choice.values[name]) for name in FIELD_ORDER if choice.values.get(name)]
    return f"?{urlencode(pairs)}" if pairs else ""


def _start_month(institution: Institution | None) -> int:
    return institution.academic_year_start_month if institution else 8


def _choice(request: HttpRequest, institution: Institution | None) -> PeriodChoice:
    return period_from_query(
        request.GET, today=timezone.localdate(), start_month=_start_month(institution)
    )


@require_safe
@staff_view("insights.view")
def overview_view(request: HttpRequest) -> HttpResponse:
    institution = institution_get_current()
    choice = _choice(request, institution)
    context = _form_context(choice, institution=institution)
    context["sections"] = [(slug, title, SECTION_DESCRIPTIONS[slug]) for slug, title in SECTIONS]
    status = 400 if choice.errors else 200
    return render(request, "insights/overview.html", context, status=status)


@require_safe
@staff_view("insights.view")
def section_view(request: HttpRequest, section: str) -> HttpResponse:
    if section not in SECTION_TITLES:
        raise Http404
    institution = institution_get_current()
    choice = _choice(request, institution)
    context = _form_context(choice, institution=institution)
    context["section_slug"] = section
    context["section_title"] = SECTION_TITLES[section]
    context["sections"] = SECTIONS
    if choice.errors:
        # The error summary and the form, nothing else: fix the period first.
        return render(request, "insights/section.html", context, status=400)
    rules = disclosure.rules_for(institution)
    # Item 8: a term or a few months with too few cases shows the wider table.
    period, widened = period_shown(choice=choice, institution=institution)
    view: SectionView = section_tables(section=section, period=period, institution=institution)
    context.update(
        {
            "view": view,
            "widened": widened,
            "asked_label": choice.period.label,
            "rules": rules,
            "tables": [
                (
                    table_view,
                    chart_for(table_view.table),
                    list(zip(table_view.table.rows, table_view.table.cells, strict=True)),
                )
                for table_view in view.tables
            ],
        }
    )
    return render(request, "insights/section.html", context)
