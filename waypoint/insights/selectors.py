"""What the insights pages count (issue 15): one SectionView per section and period.

Every figure is counted from the facts tables (models.py) with aggregate queries: at most
one query per table (tables counting the same rows share one), whatever the number of
cases, and never a decryption. Each table counts the period and the same months of the
year before as its two columns, and all the tables of a section go through
disclosure.protect() together, so a hidden cell cannot be worked out from another table of
the same cases. Nothing here returns a RawTable: the pages, the CSV and the PDF only ever
get protected tables and shown statistics.
"""

from __future__ import annotations

import datetime
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
    counter = _Counter(period, before)  # one, so the tables and statistics share its rows
    raws = _raw_tables(section, counter)
    stats: tuple[StatisticView, ...] = ()
    if section == "handling":
        stats = _handling_statistics(counter, rules=rules)
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
    return _raw_tables(section, _Counter(period, period.year_before()))


def _raw_tables(section: str, counter: _Counter) -> list[RawTable]:
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
    """Counts for [this period, a year before]: at most one aggregate query per call, and
    tables counting the same rows another way share one (issue 15, item 12)."""

    def __init__(self, period: Period, before: Period) -> None:
        self.period, self.before = period, before
        self.columns = (period.label, f"A year before: {before.label}")
        self._events: dict[str, list[Any]] = {}
        self._contacts: list[Any] | None = None

    def monthly(self, queryset: QuerySet[Any], *, by: Sequence[str], date: str) -> list[Any]:
        """Rows (month, *by, count) over both periods. One range, where an OR of the two
        ranges reads the table: an index range scan (index-only with the covering indexes
        of models.py), and a few hundred rows back, whatever the number of cases."""
        start = min(self.period.start, self.before.start)
        end = max(self.period.end, self.before.end)
        return list(
            queryset.filter(**{f"{date}__gte": start, f"{date}__lt": end})
            .values_list(date, *by)  # the month first: the indexes' order, no hash needed
            .annotate(count=Count("*"))
            .order_by()
        )

    def split(self, rows: Iterable[tuple[Any, datetime.date, int]]) -> dict[Any, tuple[int, int]]:
        """(value, month, count) rows summed into [this period, a year before] per value. A
        month in both periods (one longer than a year) counts in both; a value seen only
        between the two periods is left out, as the old OR filter left it out."""
        counts: dict[Any, tuple[int, int]] = {}
        for value, month, count in rows:
            now = count if self.period.start <= month < self.period.end else 0
            before = count if self.before.start <= month < self.before.end else 0
            if now or before:
                old_now, old_before = counts.get(value, (0, 0))
                counts[value] = (old_now + now, old_before + before)
        return counts

    def grouped(self, queryset: QuerySet[Any], *, by: str, date: str) -> dict[Any, tuple[int, int]]:
        rows = self.monthly(queryset, by=(by,), date=date)
        return self.split((value, month, count) for month, value, count in rows)

    def facts(self, *, by: str, date: str = "opened_month") -> dict[Any, tuple[int, int]]:
        return self.grouped(CaseFacts.objects.all(), by=by, date=date)

    def facts_by(
        self, queryset: QuerySet[Any], *, by: Sequence[str], date: str = "opened_month"
    ) -> dict[str, dict[Any, tuple[int, int]]]:
        """Counts by each of `by`, from one query grouped by all of them: each column has a
        few choices, so a few thousand rows at most whatever the number of cases, where one
        query per column would read the same cases again each time."""
        rows = self.monthly(queryset, by=by, date=date)
        return {
            column: self.split((row[1 + index], row[0], row[-1]) for row in rows)
            for index, column in enumerate(by)
        }

    def tags(
        self, kinds: Sequence[str], *, date: str = "facts__opened_month"
    ) -> dict[str, dict[Any, tuple[int, int]]]:
        """Counts per slug of each of `kinds`: one query (one join with the facts) for all."""
        rows = self.monthly(
            CaseFactTag.objects.filter(kind__in=kinds), by=("kind", "slug"), date=date
        )
        return {
            kind: self.split(
                (slug, month, count) for month, row_kind, slug, count in rows if row_kind == kind
            )
            for kind in kinds
        }

    def first_contacts(self) -> list[Any]:
        """Rows (month opened, within target, working days, first risk band, count): a few
        hundred, shared by the first contact and risk tables and the handling statistics."""
        if self._contacts is None:
            self._contacts = self.monthly(
                CaseFacts.objects.all(),
                by=("first_contact_within_target", "first_contact_working_days", "first_risk_band"),
                date="opened_month",
            )
        return self._contacts

    def events(self, kind: str, *, by: str = "value") -> dict[Any, tuple[int, int]]:
        """Counts of `kind` by "value", "department" or "kind": one query per kind, shared by
        the tables that count the same kind another way (the measures)."""
        if kind not in self._events:
            self._events[kind] = self.monthly(
                CaseFactEvent.objects.filter(kind=kind), by=("value", "department"), date="month"
            )
        keys = {"value": 1, "department": 2}
        return self.split(
            (kind if by == "kind" else row[keys[by]], row[0], row[3]) for row in self._events[kind]
        )


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
    channel = Case(
        When(walk_in=True, then=Value("walk_in")),
        When(from_log=True, then=Value("log")),
        default=Value("online"),
        output_field=CharField(),
    )
    # One query for all the tables counting the cases opened (by month, too).
    columns = (
        "opened_month",
        "route",
        "reporter_role",
        "channel",
        "relationship",
        "affiliation",
        "named_before",
    )
    facts = counter.facts_by(CaseFacts.objects.annotate(channel=channel), by=columns)
    by_month = facts["opened_month"]
    months = counter.period.months()
    per_month = {
        month: (by_month.get(month, (0, 0))[0], by_month.get(add_months(month, -12), (0, 0))[1])
        for month in months
    }
    channels = facts["channel"]
    tags = counter.tags([TagKind.BEHAVIOUR, TagKind.LOCATION, TagKind.PLATFORM])
    behaviours = tags[TagKind.BEHAVIOUR]
    places = tags[TagKind.LOCATION]
    platforms = tags[TagKind.PLATFORM]
    relationships = facts["relationship"]
    named = facts["named_before"]
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
            counts=facts["route"],
        ),
        _table(
            counter,
            key="reports_by_reporter",
            title="Reports by who reported",
            row_heading="Who reported",
            rows=[*ReporterRole.choices, ("", NOT_KNOWN)],
            counts=facts["reporter_role"],
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
            counts=facts["affiliation"],
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
    contacts = counter.first_contacts()
    within = {True: "within", False: "late", None: "none"}
    first_contact = counter.split(
        (within[on_time], month, count) for month, on_time, _, _, count in contacts
    )
    first_risk_band = counter.split((band, month, count) for month, _, _, band, count in contacts)
    support = counter.tags([TagKind.SUPPORT_GIVEN], date="facts__closed_month")[
        TagKind.SUPPORT_GIVEN
    ]
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
            counts=first_risk_band,
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
    query counts the cases per (month opened, month closed), a few thousand rows at most
    whatever the number of cases; each month's caseload is summed from those here."""
    months = counter.period.months()
    pairs = (
        # A case closed by the first month counted (a year before the period's first) is
        # open at the end of none of them: leaving those out reads the recent cases only.
        CaseFacts.objects.filter(
            Q(closed_month__isnull=True) | Q(closed_month__gt=add_months(months[0], -12)),
            opened_month__lt=counter.period.end,
        )
        .values_list("opened_month", "closed_month")
        .annotate(count=Count("*"))
        .order_by()
    )

    def open_at(
        day: datetime.date, rows: Sequence[tuple[datetime.date, datetime.date | None, int]]
    ) -> int:
        return sum(
            count
            for opened, closed, count in rows
            if opened <= day and (closed is None or closed > day)
        )

    rows = list(pairs)
    return _table(
        counter,
        key="open_caseload",
        title="Open caseload at the end of each month",
        row_heading="Month (a year before: the same month)",
        rows=[(index, f"{month:%B %Y}") for index, month in enumerate(months)],
        counts={
            index: (open_at(month, rows), open_at(add_months(month, -12), rows))
            for index, month in enumerate(months)
        },
        additive=False,
        others=False,
    )


def _handling_statistics(
    counter: _Counter, *, rules: disclosure.Rules
) -> tuple[StatisticView, ...]:
    period, before = counter.period, counter.before
    # Counts per (month, within target, working days, ...), a few hundred rows whatever the
    # number of cases: the shares from them, the medians from each value times its count.
    shares = {"now_base": 0, "now_part": 0, "before_base": 0, "before_part": 0}
    contact_days: dict[bool, list[int]] = {True: [], False: []}
    for month, within, days, _, count in counter.first_contacts():
        now, was = period.start <= month < period.end, before.start <= month < before.end
        for column, counted in (("now", now), ("before", was)):
            if counted and within is not None:
                shares[f"{column}_base"] += count
                shares[f"{column}_part"] += count if within else 0
        if days is not None and (now or was):
            contact_days[now].extend([days] * count)
    close_days: dict[bool, list[int]] = {True: [], False: []}
    closures = counter.monthly(
        CaseFacts.objects.filter(days_to_close__isnull=False),
        by=("days_to_close",),
        date="closed_month",
    )
    for closed, days, count in closures:
        if period.start <= closed < period.end or before.start <= closed < before.end:
            close_days[period.start <= closed < period.end].extend([days] * count)
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
