"""The periods insights count over, and reading one from a page's GET parameters (issue 15).

A period is a run of whole months, [start, end). Three kinds:

- an academic year, starting on the 1st of the institution's `academic_year_start_month`
  (1 August by default) and lasting 12 months;
- a term of an academic year. UK universities' terms differ, so Waypoint fixes three
  month ranges counted from the start of the academic year, which cover it with no gap:
  first term, months 1 to 5 (August to December by default: the autumn term, with
  induction and freshers' weeks); second term, months 6 to 8 (January to March: spring);
  third term, months 9 to 12 (April to July: summer term, exams and the summer break);
- a range of whole months, from one month to another, at most 12 months long so that
  the same months of the year before can sit beside it without overlapping.

Each period knows the same period of the year before (`year_before()`), shown beside it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

# Terms as (first month, months long), counted from the start of the academic year.
TERMS: Final = ((0, 5), (5, 3), (8, 4))
TERM_NAMES: Final = ("First term", "Second term", "Third term")
MAX_RANGE_MONTHS: Final = 12
YEARS_OFFERED: Final = 10  # academic years offered in the filter, counting back from now


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_label(day: datetime.date) -> str:
    return f"{day:%B %Y}"


@dataclass(frozen=True)
class Period:
    start: datetime.date  # the first day of its first month
    end: datetime.date  # exclusive: the first day of the month after its last
    label: str  # "1 August 2026 to 31 July 2027"

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def dates(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.last_day:%-d %B %Y}"

    def months(self) -> list[datetime.date]:
        """The first day of each month in the period, in order."""
        months = []
        month = self.start
        while month < self.end:
            months.append(month)
            month = add_months(month, 1)
        return months

    def year_before(self) -> Period:
        start, end = add_months(self.start, -12), add_months(self.end, -12)
        return Period(start=start, end=end, label=_dates(start, end))


def _dates(start: datetime.date, end: datetime.date) -> str:
    last = end - datetime.timedelta(days=1)
    return f"{start:%-d %B %Y} to {last:%-d %B %Y}"


def academic_year_of(day: datetime.date, *, start_month: int) -> int:
    """The calendar year in which the academic year containing `day` starts."""
    return day.year if day.month >= start_month else day.year - 1


def academic_year(start_year: int, *, start_month: int) -> Period:
    start = datetime.date(start_year, start_month, 1)
    end = add_months(start, 12)
    return Period(start=start, end=end, label=f"Academic year {start.year} to {end.year}")


def term(start_year: int, number: int, *, start_month: int) -> Period:
    """Term `number` (1 to 3) of the academic year starting in `start_year`."""
    offset, length = TERMS[number - 1]
    start = add_months(datetime.date(start_year, start_month, 1), offset)
    end = add_months(start, length)
    last = add_months(end, -1)
    name = TERM_NAMES[number - 1]
    return Period(
        start=start,
        end=end,
        label=f"{name} ({start:%B} to {last:%B}) of {start_year} to {start_year + 1}",
    )


def term_months(number: int, *, start_month: int) -> str:
    """ "August to December": the months of term `number`, for the filter's choices."""
    offset, length = TERMS[number - 1]
    first = add_months(datetime.date(2000, start_month, 1), offset)
    last = add_months(first, length - 1)
    return f"{first:%B} to {last:%B}"


def month_range(first: datetime.date, last: datetime.date) -> Period:
    """Whole months from `first`'s month to `last`'s month, both included."""
    start = first.replace(day=1)
    end = add_months(last.replace(day=1), 1)
    if start == add_months(end, -1):
        return Period(start=start, end=end, label=_month_label(start))
    return Period(start=start, end=end, label=f"{_month_label(start)} to {_month_label(last)}")


# --- Reading a period from GET parameters ------------------------------------------------------

RANGE_FIELDS: Final = ("from_month", "from_year", "to_month", "to_year")


@dataclass(frozen=True)
class PeriodChoice:
    """What the period filter asked for: a period, or errors to show (field -> message)."""

    period: Period
    kind: str  # "year", "term" or "range"
    year: int  # the academic year selected (or containing the range's start)
    term: int | None
    values: Mapping[str, str]  # what was typed, to show again
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def narrowed(self) -> bool:
        """A term or a range of months: narrower than an academic year."""
        return self.kind != "year"


def offered_years(*, today: datetime.date, start_month: int) -> list[int]:
    current = academic_year_of(today, start_month=start_month)
    return list(range(current, current - YEARS_OFFERED, -1))


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 4 else None


def period_from_query(
    query: Mapping[str, str], *, today: datetime.date, start_month: int
) -> PeriodChoice:
    """The period asked for in `query` (the page's GET parameters).

    With any of the month-range fields filled in, the range wins; otherwise the academic
    year (`year`, default the current one) and, optionally, one of its terms (`term`).
    A bad request gives the current academic year with `errors` set, for the error summary.
    """
    values = {name: str(query.get(name, "")).strip() for name in ("year", "term", *RANGE_FIELDS)}
    years = offered_years(today=today, start_month=start_month)
    current = years[0]
    fallback = academic_year(current, start_month=start_month)
    errors: dict[str, str] = {}

    if any(values[name] for name in RANGE_FIELDS):
        first = _month_field(values, "from", "the first month", errors)
        last = _month_field(values, "to", "the last month", errors)
        if first and last and not errors:
            if last < first:
                errors["to_month"] = "The last month must be the same as or after the first month"
            elif add_months(last, 1) > add_months(first, MAX_RANGE_MONTHS):
                errors["to_month"] = f"Choose a range of {MAX_RANGE_MONTHS} months or fewer"
            elif first > today:
                errors["from_month"] = "The first month must be this month or earlier"
        if errors or first is None or last is None:
            return PeriodChoice(fallback, "year", current, None, values, errors)
        year = academic_year_of(first, start_month=start_month)
        return PeriodChoice(month_range(first, last), "range", year, None, values)

    year = current
    if values["year"]:
        asked = _int(values["year"])
        if asked is None or asked not in years:
            errors["year"] = "Choose an academic year from the list"
            return PeriodChoice(fallback, "year", current, None, values, errors)
        year = asked
    if values["term"]:
        number = _int(values["term"])
        if number is None or not 1 <= number <= len(TERMS):
            errors["term"] = "Choose a term from the list, or the whole year"
            return PeriodChoice(fallback, "year", current, None, values, errors)
        return PeriodChoice(
            term(year, number, start_month=start_month), "term", year, number, values
        )
    return PeriodChoice(academic_year(year, start_month=start_month), "year", year, None, values)


def _month_field(
    values: Mapping[str, str], prefix: str, name: str, errors: dict[str, str]
) -> datetime.date | None:
    month_text, year_text = values[f"{prefix}_month"], values[f"{prefix}_year"]
    if not month_text and not year_text:
        errors[f"{prefix}_month"] = f"Enter {name} of the range"
        return None
    month, year = _int(month_text), _int(year_text)
    if month is None or not 1 <= month <= 12:
        errors[f"{prefix}_month"] = f"Enter {name} as a number from 1 to 12"
        return None
    if year is None or len(year_text) != 4 or year < 2000:
        errors[f"{prefix}_year"] = f"Enter the year of {name} as 4 digits, like 2026"
        return None
    return datetime.date(year, month, 1)
