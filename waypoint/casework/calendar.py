"""Working time: when a response is due, counting only the team's working days.

The institution sets its working weekdays, working hours and holidays. A target of N
working days from a moment means the same time of day N working days later, where a
report arriving outside working hours counts from the next working day's start (with
Monday to Friday, 9 to 5: Monday 10:00 + 2 is Wednesday 10:00; Friday 23:00 + 2 is
Wednesday 09:00).

Urgent cases have their own target (ADR 0028): one that arrives in working hours is due
by the end of that working day; one that arrives outside them is due a number of working
hours (Institution.urgent_first_contact_hours) after the team next starts work (with 4:
Friday 23:00 is due Monday 13:00). Never later than the ordinary target.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Final

from django.utils import timezone

from waypoint.institution.models import Holiday, Institution

_MAX_DAYS_SEARCHED = 400
# The targets before an institution is set up (the model's defaults).
DEFAULT_FIRST_CONTACT_DAYS: Final = 2
DEFAULT_URGENT_HOURS: Final = 4


class WorkingCalendar:
    def __init__(
        self,
        *,
        weekdays: Iterable[int],
        starts: datetime.time,
        ends: datetime.time,
        holidays: Iterable[datetime.date],
    ) -> None:
        self.weekdays = frozenset(weekdays) or frozenset({1, 2, 3, 4, 5})
        self.starts = starts
        self.ends = ends
        self.holidays = frozenset(holidays)

    @classmethod
    def for_institution(cls, institution: Institution | None) -> WorkingCalendar:
        if institution is None:
            return cls(
                weekdays={1, 2, 3, 4, 5},
                starts=datetime.time(9),
                ends=datetime.time(17),
                holidays=Holiday.objects.values_list("date", flat=True),
            )
        return cls(
            weekdays={int(d) for d in institution.working_weekdays},
            starts=institution.working_day_starts,
            ends=institution.working_day_ends,
            holidays=Holiday.objects.values_list("date", flat=True),
        )

    def is_working_day(self, day: datetime.date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.holidays

    def _next_working_day(self, day: datetime.date) -> datetime.date:
        for _ in range(_MAX_DAYS_SEARCHED):
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError("No working day within a year: check the working calendar.")

    def is_working_time(self, moment: datetime.datetime) -> bool:
        """Whether the team is at work at `moment` (a working day, between its hours)."""
        local = timezone.localtime(moment)
        return self.is_working_day(local.date()) and self.starts <= local.time() < self.ends

    def _working_moment_from(self, start: datetime.datetime) -> tuple[datetime.date, datetime.time]:
        """`start` itself when it is working time, else the next working day's start."""
        local = timezone.localtime(start)
        day, time = local.date(), local.time()
        if not self.is_working_day(day) or time >= self.ends:
            return self._next_working_day(day), self.starts
        if time < self.starts:
            return day, self.starts
        return day, time

    def due(self, start: datetime.datetime, working_days: int) -> datetime.datetime:
        """The same working moment `working_days` working days after `start`.

        A start outside working hours counts from the next working moment.
        """
        day, time = self._working_moment_from(start)
        for _ in range(working_days):
            day = self._next_working_day(day)
        return timezone.make_aware(datetime.datetime.combine(day, time))

    def add_working_hours(self, start: datetime.datetime, hours: int) -> datetime.datetime:
        """The moment `hours` of working time after `start` (only working hours count).

        Monday to Friday, 9 to 5: Monday 15:00 + 4 is Tuesday 11:00; Saturday 10:00 + 4 is
        Monday 13:00; Monday 08:00 + 8 is Monday 17:00.
        """
        if self.ends <= self.starts:
            raise ValueError("The working day must end after it starts.")
        day, time = self._working_moment_from(start)
        remaining = datetime.timedelta(hours=hours)
        for _ in range(_MAX_DAYS_SEARCHED):
            # Naive local times: a day's working hours never straddle a clock change.
            moment = datetime.datetime.combine(day, time)
            left_today = datetime.datetime.combine(day, self.ends) - moment
            if remaining <= left_today:
                return timezone.make_aware(moment + remaining)
            remaining -= left_today
            day, time = self._next_working_day(day), self.starts
        raise ValueError("No working day within a year: check the working calendar.")

    def urgent_due(self, start: datetime.datetime, out_of_hours_hours: int) -> datetime.datetime:
        """When first contact with an urgent case is due (ADR 0028).

        Arriving in working time: the end of that working day. Arriving outside it:
        `out_of_hours_hours` working hours after the team next starts work.
        """
        if self.is_working_time(start):
            day = timezone.localtime(start).date()
            return timezone.make_aware(datetime.datetime.combine(day, self.ends))
        return self.add_working_hours(start, out_of_hours_hours)

    def working_days_between(self, start: datetime.datetime, end: datetime.datetime) -> int:
        """Whole working days from start's date to end's date (0 on the same day)."""
        first, last = timezone.localtime(start).date(), timezone.localtime(end).date()
        if last <= first:
            return 0
        count = 0
        day = first
        while day < last and count < _MAX_DAYS_SEARCHED:
            day += datetime.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def first_contact_due(
    *, opened_at: datetime.datetime, urgent: bool, institution: Institution | None
) -> datetime.datetime:
    """When first contact with a case opened at `opened_at` is due.

    An urgent case has its own, shorter target (`urgent_due`, ADR 0028), never later
    than the ordinary one. Both are stored in the same column (CaseClock
    .first_contact_due_at), so the inbox's overdue filter, its order and the breach
    notices treat them alike.
    """
    calendar = WorkingCalendar.for_institution(institution)
    days = institution.first_contact_working_days if institution else DEFAULT_FIRST_CONTACT_DAYS
    ordinary = calendar.due(opened_at, days)
    if not urgent:
        return ordinary
    hours = institution.urgent_first_contact_hours if institution else DEFAULT_URGENT_HOURS
    return min(ordinary, calendar.urgent_due(opened_at, hours))
