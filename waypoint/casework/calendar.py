"""Working time: when a response is due, counting only the team's working days.

The institution sets its working weekdays, working hours and holidays. A target of N
working days from a moment means the same time of day N working days later, where a
report arriving outside working hours counts from the next working day's start (with
Monday to Friday, 9 to 5: Monday 10:00 + 2 is Wednesday 10:00; Friday 23:00 + 2 is
Wednesday 09:00).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from waypoint.institution.models import Holiday, Institution

_MAX_DAYS_SEARCHED = 400


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

    def due(self, start: datetime.datetime, working_days: int) -> datetime.datetime:
        """The same working moment `working_days` working days after `start`.

        A start outside working hours counts from the next working moment.
        """
        local = timezone.localtime(start)
        day, time = local.date(), local.time()
        if not self.is_working_day(day) or time >= self.ends:
            day, time = self._next_working_day(day), self.starts
        elif time < self.starts:
            time = self.starts
        for _ in range(working_days):
            day = self._next_working_day(day)
        return timezone.make_aware(datetime.datetime.combine(day, time))

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
