"""What the insights pages count (issue 15): one SectionView per section and period.

Every figure is counted from the facts tables (models.py) with aggregate queries: one
query per table, whatever the number of cases, and never a decryption. Each table counts
the period and the same months of the year before as its two columns, and all the tables
of a section go through disclosure.protect() together, so a hidden cell cannot be worked
out from another table of the same cases. Nothing here returns a RawTable: the pages, the
CSV and the PDF only ever get protected tables and shown statistics.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When

from waypoint.casework.models import CaseOutcome, CaseStatus
from waypoint.insights import disclosure
from waypoint.insights.models import CaseFactEvent, CaseFacts, CaseFactTag, EventKind, TagKind
from waypoint.insights.periods import Period, PeriodChoice, academic_year, add_months
from waypoint.insights.tables import ProtectedTable, RawTable, ShownStatistic
from waypoint.institution.models import Department, Institution
from waypoint.reporting.models import OptionKind, ReporterRole, ReportOption, Route
from waypoint.safety.models import ConductStage, MeasureKind, PoliceStage
from waypoint.safety.services.processes import CIVIL_STATUS_LABELS, ProcessKind, RecipientKind

SECTIONS: Final = (
    ("reports", "Reports"),
    ("handling", "Handling"),
)
SECTION_TITLES: Final = dict(SECTIONS)
SECTION_DESCRIPTIONS: Final = {
    "reports": (
        "How many reports came in, by month, route and who reported; what happened, where, "
        "and who the reported person is to the reporter."
    ),
    "handling": (
        "How the team responded: first contact against the target, time to closure, open "
        "caseload, outcomes, risk, referrals, university measures and formal processes."
    ),
}

HIDDEN_NOTE: Final = "Some figures are hidden, to protect the people in small groups."
AFFILIATIONS: Final = (
    ("student", "Student"),
    ("staff", "Member of staff"),
    ("outside", "Someone from outside the university"),
)
BANDS: Final = (("standard", "Standard"), ("medium", "Medium"), ("high", "High"))
NOT_KNOWN: Final = "Not known"


@dataclass(frozen=True)
class TableView:
    table: ProtectedTable
    summary: str  # plain words, from the shown figures only


@dataclass(frozen=True)
class StatisticView:
    key: str
    label: str  # "Median time to first contact"
    now: ShownStatistic
    before: ShownStatistic


@dataclass(frozen=True)
class SectionView:
    slug: str
    title: str
    period: Period
    before: Period
    tables: tuple[TableView, ...]
    statistics: tuple[StatisticView, ...]

    @property
    def any_hidden(self) -> bool:
        return any(view.table.any_hidden for view in self.tables) or any(
            stat.now.hidden or stat.before.hidden for stat in self.statistics
        )


def section_tables(*, section: str, period: Period, institution: Institution | None) -> SectionView:
    """The protected tables and statistics of `section` for `period` (KeyError if unknown)."""
    title = SECTION_TITLES[section]
    rules = disclosure.rules_for(institution)
    before = period.year_before()
    raws = raw_tables(section=section, period=period)
    stats: tuple[StatisticView, ...] = ()
    if section == "handling":
        stats = _handling_statistics(_Counter(period, before), rules=rules)
    nouns = _NOUNS_REPORTS if section == "reports" else _NOUNS_HANDLING
    protected = disclosure.protect(raws, rules=rules)
    views = tuple(
        TableView(table=table, summary=table_summary(table, noun=nouns.get(table.key, "")))
        for table in protected
    )
    return SectionView(
        slug=section, title=title, period=period, before=before, tables=views, statistics=stats
    )


def raw_tables(*, section: str, period: Period) -> list[RawTable]:
    """The true counts of `section`: only for section_tables() (which protects them) and for
    tests. Never pass these to a page, a file or a log."""
    counter = _Counter(period, period.year_before())
    if section == "reports":
        return _reports_tables(counter)
    if section == "handling":
        return _handling_tables(counter)
    raise KeyError(section)


def period_group_size(*, period: Period) -> int:
    """How many cases opened in `period`: a narrowing filter needs enough (narrowing_allowed)."""
    return CaseFacts.objects.filter(
        opened_month__gte=period.start, opened_month__lt=period.end
    ).count()


def period_shown(*, choice: PeriodChoice, institution: Institution | None) -> tuple[Period, bool]:
    """The period a page or download counts for a valid filter, and whether it was widened.

    Item 8: a term or a few months with fewer cases than the threshold would narrow a
    table to a small group, so its academic year is counted instead (the suppressed,
    wider table). The page and its downloads both ask here, so they always agree."""
    if choice.narrowed and not disclosure.narrowing_allowed(
        period_group_size(period=choice.period), rules=disclosure.rules_for(institution)
    ):
        start_month = institution.academic_year_start_month if institution else 8
        return academic_year(choice.year, start_month=start_month), True
    return choice.period, False


# --- Counting ---------------------------------------------------------------------------------


class _Counter:
    """Counts for [this period, a year before], one aggregate query per call."""

    def __init__(self, period: Period, before: Period) -> None:
        self.period, self.before = period, before
        self.columns = (period.label, f"A year before: {before.label}")

    def _within(self, field: str, period: Period) -> Q:
        return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})

    def grouped(self, queryset: QuerySet[Any], *, by: str, date: str) -> dict[Any, tuple[int, int]]:
        now_q, before_q = self._within(date, self.period), self._within(date, self.before)
        rows = (
            queryset.filter(now_q | before_q)
            .values(by)
            .annotate(now=Count("pk", filter=now_q), before=Count("pk", filter=before_q))
            .order_by()
        )
        return {row[by]: (row["now"], row["before"]) for row in rows}

    def facts(self, *, by: str, date: str = "opened_month") -> dict[Any, tuple[int, int]]:
        return self.grouped(CaseFacts.objects.all(), by=by, date=date)

    def tags(self, kind: str, *, date: str = "facts__opened_month") -> dict[Any, tuple[int, int]]:
        return self.grouped(CaseFactTag.objects.filter(kind=kind), by="slug", date=date)

    def events(self, kind: str, *, by: str = "value") -> dict[Any, tuple[int, int]]:
        return self.grouped(CaseFactEvent.objects.filter(kind=kind), by=by, date="month")


def _table(
    counter: _Counter,
    *,
    key: str,
    title: str,
    row_heading: str,
    rows: Iterable[tuple[Any, str]],
    counts: Mapping[Any, tuple[int, int]],
    additive: bool = True,
    others: bool = True,
) -> RawTable:
    """A RawTable of `rows` (value, label) in order; values counted but not listed are added
    after them (`others`), labelled by their slug, so no count is silently dropped."""
    listed = list(rows)
    known = {value for value, _ in listed}
    if others:
        listed += [
            (value, _humanise(value)) for value in sorted(counts, key=str) if value not in known
        ]
    return RawTable(
        key=key,
        title=title,
        row_heading=row_heading,
        rows=tuple(label for _, label in listed),
        columns=counter.columns,
        counts=tuple(counts.get(value, (0, 0)) for value, _ in listed),
        additive=additive,
    )


def _humanise(value: object) -> str:
    text = str(value or "").replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:] if text else NOT_KNOWN


def _option_labels(kinds: Sequence[str]) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {kind: {} for kind in kinds}
    options = ReportOption.objects.filter(kind__in=kinds).order_by("kind", "position", "label")
    for kind, slug, label in options.values_list("kind", "slug", "label"):
        labels[kind][slug] = label
    return labels


def _seen(
    labels: Mapping[str, str], counts: Mapping[Any, tuple[int, int]]
) -> list[tuple[str, str]]:
    """Options counted in either period, in the form's order (never a long list of zeros)."""
    return [(slug, label) for slug, label in labels.items() if slug in counts]


# --- Reports ----------------------------------------------------------------------------------

_NOUNS_REPORTS: Final = {
    "reports_by_month": "reports",
    "reports_by_route": "reports",
    "reports_by_reporter": "reports",
    "reports_by_channel": "reports",
    "reports_by_relationship": "reports",
    "reports_by_affiliation": "reports",
    "reports_named_before": "reports",
}


def _reports_tables(counter: _Counter) -> list[RawTable]:
    labels = _option_labels(
        [OptionKind.BEHAVIOUR, OptionKind.LOCATION, OptionKind.PLATFORM, OptionKind.RELATIONSHIP]
    )
    by_month = counter.facts(by="opened_month")
    months = counter.period.months()
    per_month = {
        month: (by_month.get(month, (0, 0))[0], by_month.get(add_months(month, -12), (0, 0))[1])
        for month in months
    }
    channel = Case(
        When(walk_in=True, then=Value("walk_in")),
        When(from_log=True, then=Value("log")),
        default=Value("online"),
        output_field=CharField(),
    )
    channels = counter.grouped(
        CaseFacts.objects.annotate(channel=channel), by="channel", date="opened_month"
    )
    behaviours = counter.tags(TagKind.BEHAVIOUR)
    places = counter.tags(TagKind.LOCATION)
    platforms = counter.tags(TagKind.PLATFORM)
    relationships = counter.facts(by="relationship")
    named = counter.facts(by="named_before")
    logs = counter.events(EventKind.LOG_SHARED, by="kind")
    relationship_rows = [*labels[OptionKind.RELATIONSHIP].items()]
    return [
        _table(
            counter,
            key="reports_by_month",
            title="Reports by month",
            row_heading="Month (a year before: the same month)",
            rows=[(month, f"{month:%B %Y}") for month in months],
            counts=per_month,
            others=False,
        ),
        _table(
            counter,
            key="reports_by_route",
            title="Reports by route",
            row_heading="Route",
            rows=Route.choices,
            counts=counter.facts(by="route"),
        ),
        _table(
            counter,
            key="reports_by_reporter",
            title="Reports by who reported",
            row_heading="Who reported",
            rows=[*ReporterRole.choices, ("", NOT_KNOWN)],
            counts=counter.facts(by="reporter_role"),
        ),
        _table(
            counter,
            key="reports_by_channel",
            title="Walk-ins and online reports",
            row_heading="How the report came in",
            rows=[
                ("online", "Online report"),
                ("log", "Shared from an incident log"),
                ("walk_in", "Walk-in, recorded by an adviser"),
            ],
            counts=channels,
        ),
        _table(
            counter,
            key="reports_by_behaviour",
            title="What happened (behaviours)",
            row_heading="Behaviour",
            rows=_seen(labels[OptionKind.BEHAVIOUR], behaviours),
            counts=behaviours,
            additive=False,
        ),
        _table(
            counter,
            key="reports_by_place",
            title="Where: campus places",
            row_heading="Place",
            rows=_seen(labels[OptionKind.LOCATION], places),
            counts=places,
            additive=False,
        ),
        _table(
            counter,
            key="reports_by_platform",
            title="Where: online platforms",
            row_heading="Platform",
            rows=_seen(labels[OptionKind.PLATFORM], platforms),
            counts=platforms,
            additive=False,
        ),
        _table(
            counter,
            key="reports_by_relationship",
            title="Who the reported person is to the reporter",
            row_heading="Relationship",
            rows=[*_seen(dict(relationship_rows), relationships), ("", NOT_KNOWN)],
            counts=relationships,
        ),
        _table(
            counter,
            key="reports_by_affiliation",
            title="The reported person's link to the university",
            row_heading="Affiliation",
            rows=[*AFFILIATIONS, ("", NOT_KNOWN)],
            counts=counter.facts(by="affiliation"),
        ),
        _table(
            counter,
            key="reports_named_before",
            title="Reports naming someone already named",
            row_heading="The reported person",
            rows=[(True, "Already named in an earlier report"), (False, "Not named before")],
            counts=named,
            others=False,
        ),
        # Shares only: how many logs exist and are not shared is never counted (issue 15).
        _table(
            counter,
            key="logs_shared",
            title="Incident logs shared with the team",
            row_heading="Incident logs",
            rows=[(EventKind.LOG_SHARED.value, "Shared with the team")],
            counts=logs,
            additive=False,
            others=False,
        ),
    ]


# --- Handling ---------------------------------------------------------------------------------

_NOUNS_HANDLING: Final = {
    "first_contact": "cases",
    "outcomes": "cases",
    "first_risk_band": "cases",
}


def _handling_tables(counter: _Counter) -> list[RawTable]:
    labels = _option_labels([OptionKind.SUPPORT])
    departments = dict(Department.objects.values_list("slug", "name"))
    within = Case(
        When(first_contact_within_target=True, then=Value("within")),
        When(first_contact_within_target=False, then=Value("late")),
        default=Value("none"),
        output_field=CharField(),
    )
    first_contact = counter.grouped(
        CaseFacts.objects.annotate(within=within), by="within", date="opened_month"
    )
    support = counter.tags(TagKind.SUPPORT_GIVEN, date="facts__closed_month")
    measures_by_department = counter.events(EventKind.MEASURE, by="department")
    stage_labels = {
        **dict(PoliceStage.choices),
        **dict(ConductStage.choices),
        **CIVIL_STATUS_LABELS,
    }
    kind_labels = dict(ProcessKind.choices)
    processes = counter.events(EventKind.PROCESS)
    process_rows = []
    for value in sorted(processes, key=str):
        kind, _, stage = str(value).partition(":")
        kind_label = kind_labels.get(kind, _humanise(kind))
        process_rows.append((value, f"{kind_label}: {stage_labels.get(stage, _humanise(stage))}"))
    return [
        _table(
            counter,
            key="first_contact",
            title="First contact within the target",
            row_heading="First contact",
            rows=[
                ("within", "Made within the target"),
                ("late", "Made after the target"),
                ("none", "Not made yet, or not needed"),
            ],
            counts=first_contact,
        ),
        _open_caseload(counter),
        _table(
            counter,
            key="status_flow",
            title="Status changes",
            row_heading="Cases moved to",
            rows=[(value, label) for value, label in CaseStatus.choices if value != CaseStatus.NEW],
            counts=counter.events(EventKind.STATUS),
            additive=False,
        ),
        _table(
            counter,
            key="outcomes",
            title="Outcomes of cases closed",
            row_heading="Outcome",
            rows=[*CaseOutcome.choices, ("", NOT_KNOWN)],
            counts=counter.facts(by="outcome", date="closed_month"),
        ),
        _table(
            counter,
            key="support_given",
            title="Support given, at closure",
            row_heading="Support",
            rows=_seen(labels[OptionKind.SUPPORT], support),
            counts=support,
            additive=False,
        ),
        _table(
            counter,
            key="first_risk_band",
            title="Risk at the first assessment",
            row_heading="Risk band",
            rows=[*BANDS, ("", "Not assessed")],
            counts=counter.facts(by="first_risk_band"),
        ),
        _table(
            counter,
            key="referrals",
            title="Referrals by kind of recipient",
            row_heading="Referred to",
            rows=RecipientKind.choices,
            counts=counter.events(EventKind.REFERRAL),
            additive=False,
        ),
        _table(
            counter,
            key="measures_by_department",
            title="University measures by department",
            row_heading="Department",
            rows=[
                (slug, name) for slug, name in departments.items() if slug in measures_by_department
            ],
            counts=measures_by_department,
            additive=False,
        ),
        _table(
            counter,
            key="measures_by_kind",
            title="University measures by kind",
            row_heading="Measure",
            rows=MeasureKind.choices,
            counts=counter.events(EventKind.MEASURE),
            additive=False,
        ),
        _table(
            counter,
            key="processes",
            title="Police reports, protective orders and conduct processes by stage",
            row_heading="Process and stage reached",
            rows=process_rows,
            counts=processes,
            additive=False,
            others=False,
        ),
    ]


def _open_caseload(counter: _Counter) -> RawTable:
    """Cases open at the end of each month: opened by then, and not closed by then. One
    aggregate query with a conditional count per month of both periods."""
    months = counter.period.months()
    counts: dict[str, Count] = {}
    for index, month in enumerate(months):
        for column, day in (("now", month), ("before", add_months(month, -12))):
            counts[f"{column}_{index}"] = Count(
                "pk",
                filter=Q(opened_month__lte=day)
                & (Q(closed_month__isnull=True) | Q(closed_month__gt=day)),
            )
    totals = CaseFacts.objects.filter(opened_month__lt=counter.period.end).aggregate(**counts)
    return _table(
        counter,
        key="open_caseload",
        title="Open caseload at the end of each month",
        row_heading="Month (a year before: the same month)",
        rows=[(index, f"{month:%B %Y}") for index, month in enumerate(months)],
        counts={
            index: (totals[f"now_{index}"], totals[f"before_{index}"])
            for index in range(len(months))
        },
        additive=False,
        others=False,
    )


def _handling_statistics(
    counter: _Counter, *, rules: disclosure.Rules
) -> tuple[StatisticView, ...]:
    period, before = counter.period, counter.before
    now_q = Q(opened_month__gte=period.start, opened_month__lt=period.end)
    before_q = Q(opened_month__gte=before.start, opened_month__lt=before.end)
    made = Q(first_contact_within_target__isnull=False)
    on_time = Q(first_contact_within_target=True)
    shares = CaseFacts.objects.aggregate(
        now_base=Count("pk", filter=now_q & made),
        now_part=Count("pk", filter=now_q & on_time),
        before_base=Count("pk", filter=before_q & made),
        before_part=Count("pk", filter=before_q & on_time),
    )
    contact_days: dict[bool, list[int]] = {True: [], False: []}
    contacts = CaseFacts.objects.filter(
        now_q | before_q, first_contact_working_days__isnull=False
    ).values_list("opened_month", "first_contact_working_days")
    for month, days in contacts:
        if days is not None:
            contact_days[period.start <= month < period.end].append(days)
    close_days: dict[bool, list[int]] = {True: [], False: []}
    closures = CaseFacts.objects.filter(
        Q(closed_month__gte=period.start, closed_month__lt=period.end)
        | Q(closed_month__gte=before.start, closed_month__lt=before.end),
        days_to_close__isnull=False,
    ).values_list("closed_month", "days_to_close")
    for closed, days in closures:
        if closed is not None and days is not None:
            close_days[period.start <= closed < period.end].append(days)
    return (
        StatisticView(
            key="first_contact_share",
            label="Share of first contacts made within the target",
            now=disclosure.percentage(shares["now_part"], shares["now_base"], rules=rules),
            before=disclosure.percentage(shares["before_part"], shares["before_base"], rules=rules),
        ),
        StatisticView(
            key="first_contact_median",
            label="Median time to first contact",
            now=disclosure.median(contact_days[True], rules=rules, unit="working days"),
            before=disclosure.median(contact_days[False], rules=rules, unit="working days"),
        ),
        StatisticView(
            key="closure_median",
            label="Median time from report to closure, for cases closed in the period",
            now=disclosure.median(close_days[True], rules=rules, unit="days"),
            before=disclosure.median(close_days[False], rules=rules, unit="days"),
        ),
    )


# --- Words ------------------------------------------------------------------------------------


def table_summary(table: ProtectedTable, *, noun: str = "") -> str:
    """A short plain-words summary of `table`, from its shown figures only."""
    sentences = []
    if table.totals and noun:
        now, before = table.totals[0], table.totals[1]
        sentences.append(
            f"In all, {now.text} {noun} in this period, against {before.text} a year before."
        )
    shown = [
        (cells[0].number, cells[0].text, label)
        for label, cells in zip(table.rows, table.cells, strict=True)
        if cells and cells[0].number is not None and cells[0].number > 0
    ]
    if shown:
        _, text, label = max(shown, key=lambda shown_row: shown_row[0] or 0)
        sentences.append(f"Of the figures shown for this period, the largest is “{label}”: {text}.")
    elif table.rows:
        sentences.append("No figure for this period is large enough to show.")
    else:
        sentences.append("Nothing was recorded in this period or a year before.")
    if table.any_hidden:
        sentences.append(HIDDEN_NOTE)
    return " ".join(sentences)
