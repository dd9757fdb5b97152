"""When a reporter will hear back: the promise shown after sending and on /my-report/.

The words come from the case's own first-contact target (CaseClock.first_contact_due_at,
fixed when the case opened: urgent or not, in the team's working time; ADR 0028) and the
institution's working week. They fit the way the person can be reached:

- contact details given (the named route, or someone else's report with an email or a
  phone): the team aims to get in touch;
- no contact details but replies wanted (anonymous with replies, someone else's report
  without details): the team aims to reply here, and has no other way to reach them;
- no replies wanted (anonymous): the team aims to read it, and they will not hear back.

The promise stops once the team has replied (a message, or first contact recorded), the
case is closed, the report is withdrawn, or (with no replies wanted) the team has read it.
Reporter-side: the caller has resolved the report from the person's own session.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from typing import Final

from django.utils import dateformat, timezone

from waypoint.casework.calendar import DEFAULT_FIRST_CONTACT_DAYS, WorkingCalendar
from waypoint.casework.models import Case, CaseClock, CaseStatus, Message, MessageDirection
from waypoint.institution.models import Institution
from waypoint.reporting import promise as reporting_promise
from waypoint.reporting.models import Report, Route

_WEEKDAYS: Final = {
    1: "Monday",
    2: "Tuesday",
    3: "Wednesday",
    4: "Thursday",
    5: "Friday",
    6: "Saturday",
    7: "Sunday",
}


class Reach(enum.StrEnum):
    """How the team can answer this report."""

    CONTACT = "contact"  # contact details given
    HERE = "here"  # replies on /my-report/ only
    NONE = "none"  # no replies wanted


@dataclass(frozen=True)
class ResponsePromise:
    urgent: bool
    reach: str  # a Reach value
    promise: str  # when, in one sentence
    how: str  # how they will hear (or that they will not)
    hours: str  # the team's working week, and whether they are at work now
    late: bool  # the target passed with no reply yet


# --- Words ---------------------------------------------------------------------------------------


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def weekdays_words(weekdays: frozenset[int]) -> str:
    """ "Monday to Friday", "Monday, Wednesday and Friday", "every day"."""
    days = sorted(weekdays)
    if len(days) == 7:
        return "every day"
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{_WEEKDAYS[run[0]]} to {_WEEKDAYS[run[-1]]}")
        else:
            parts.extend(_WEEKDAYS[day] for day in run)
    return _join(parts)


def time_words(value: datetime.time) -> str:
    """ "9am", "5:30pm", "midday", "midnight" (GOV.UK style)."""
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def day_words(day: datetime.date, today: datetime.date) -> str:
    """ "today", "tomorrow (Friday 4 December)", "Monday 7 December" (with the year when
    it is not this year's)."""
    named = dateformat.format(day, "l j F" if day.year == today.year else "l j F Y")
    if day == today:
        return "today"
    if day == today + datetime.timedelta(days=1):
        return f"tomorrow ({named})"
    return named


def _hours_sentence(calendar: WorkingCalendar, *, now: datetime.datetime, at_work: bool) -> str:
    week = (
        f"{weekdays_words(calendar.weekdays)}, "
        f"{time_words(calendar.starts)} to {time_words(calendar.ends)}"
    )
    today = timezone.localtime(now).date()
    closed_days = any(holiday >= today for holiday in calendar.holidays)
    also = ", except on bank holidays and closure days" if closed_days else ""
    if at_work:
        return f"The team works {week}{also}."
    return f"The team is not at work now. They work {week}{also}."


# --- The promise ---------------------------------------------------------------------------------


def _reach(report: Report) -> Reach:
    if not report.wants_messages:
        return Reach.NONE
    if report.route == Route.SUPPORT:
        return Reach.CONTACT
    if report.route == Route.THIRD_PARTY:
        contact = report.contact  # sealed: read only to know whether details were given
        if isinstance(contact, dict) and any(
            isinstance(contact.get(key), str) and contact[key].strip()
            for key in ("email", "phone", "safe_email")
        ):
            return Reach.CONTACT
    return Reach.HERE


def _because(case: Case) -> str:
    if case.immediate_danger:
        return "Because you told us someone is in danger"
    if case.threat_of_violence:
        return "Because you told us about threats of violence"
    return "Because of what you told us"


# (what the team aims to do, the same said again once it is late)
_VERB: Final = {
    Reach.CONTACT: ("get in touch with you", "get in touch"),
    Reach.HERE: ("reply", "reply"),
    Reach.NONE: ("read your report", "read it"),
}
_URGENT_VERB: Final = {
    Reach.CONTACT: "will try to contact you",
    Reach.HERE: "will try to reply",
    Reach.NONE: "will look at your report",
}


def _how(report: Report, reach: Reach) -> str:
    if reach == Reach.CONTACT:
        return (
            "They will use the contact details you gave, in the way you said is safe. Their "
            "messages will also be on this site, when you come back with your receipt."
        )
    if reach == Reach.HERE:
        why = (
            "You told us anonymously"
            if report.route == Route.ANONYMOUS
            else "You did not give contact details"
        )
        return (
            f"{why}, so the team has no way to contact you. Their reply will be here, on "
            "this site, when you come back with your receipt."
        )
    return (
        "You chose not to get replies, so you will not hear back from the team. You can "
        "still come back with your receipt to add information or evidence."
    )


def _awaiting_reply(case: Case, clock: CaseClock, reach: Reach) -> bool:
    if case.status == CaseStatus.CLOSED or case.closed_at is not None:
        return False
    if clock.first_contact_at is not None:
        return False
    if reach == Reach.NONE:
        # Nobody will reply: the promise was to read it, kept once the team has.
        return case.status == CaseStatus.NEW
    return not Message.objects.filter(case=case, direction=MessageDirection.FROM_STAFF).exists()


def _urgent_when(due: datetime.datetime, today: datetime.date) -> str:
    """ "today, by 5pm", "tomorrow (Friday 4 December), by 1pm", "on Monday 7 December,
    by 1pm"."""
    local = timezone.localtime(due)
    by = f"by {time_words(local.time())}"
    if local.date() == today:
        return f"today, {by}"
    if local.date() == today + datetime.timedelta(days=1):
        return f"{day_words(local.date(), today)}, {by}"
    return f"on {day_words(local.date(), today)}, {by}"


def _urgent_by(due: datetime.datetime, today: datetime.date) -> str:
    """ "5pm today", "5pm yesterday", "1pm on Monday 7 December": a time already past."""
    local = timezone.localtime(due)
    time = time_words(local.time())
    if local.date() == today:
        return f"{time} today"
    if local.date() == today - datetime.timedelta(days=1):
        return f"{time} yesterday"
    return f"{time} on {day_words(local.date(), today)}"


def _late_sentence(reach: Reach, by: str) -> str:
    aim, again = _VERB[reach]
    return (
        f"The team aimed to {aim} by {by}, and has not yet. We are sorry for the wait: "
        f"they will {again} as soon as they can."
    )


def response_promise_for_reporter(
    *,
    report: Report | None,
    institution: Institution | None,
    now: datetime.datetime | None = None,
) -> ResponsePromise | None:
    """What to tell the person who made `report` about when they will hear back.

    None once there is nothing left to promise (see the module's docstring). Without a
    report (a page that no longer knows which one was sent), the team's usual targets.
    """
    now = now or timezone.now()
    calendar = WorkingCalendar.for_institution(institution)
    at_work = calendar.is_working_time(now)
    hours = _hours_sentence(calendar, now=now, at_work=at_work)
    if report is None:
        return _general_promise(institution, hours=hours)
    if report.withdrawn_at is not None:
        return None
    try:
        case = report.case  # already fetched by the page, usually
        clock = case.clock
    except (Case.DoesNotExist, CaseClock.DoesNotExist):
        return None
    reach = _reach(report)
    if not _awaiting_reply(case, clock, reach):
        return None
    today = timezone.localtime(now).date()
    due = clock.first_contact_due_at
    if case.is_urgent:
        late = due < now
        promise = (
            _late_sentence(reach, _urgent_by(due, today))
            if late
            else f"{_because(case)}, the team {_URGENT_VERB[reach]} {_urgent_when(due, today)}."
        )
    else:
        due_day = timezone.localtime(due).date()
        # A day, not a time: the promise keeps to the end of the working day it falls on.
        end_of_day = timezone.make_aware(datetime.datetime.combine(due_day, calendar.ends))
        late = max(due, end_of_day) < now
        by = f"the end of {day_words(due_day, today)}"
        promise = (
            _late_sentence(reach, by) if late else f"The team aims to {_VERB[reach][0]} by {by}."
        )
    return ResponsePromise(
        urgent=case.is_urgent,
        reach=reach.value,
        promise=promise,
        how=_how(report, reach),
        hours=hours,
        late=late,
    )


def _general_promise(institution: Institution | None, *, hours: str) -> ResponsePromise:
    days = institution.first_contact_working_days if institution else DEFAULT_FIRST_CONTACT_DAYS
    span = "the same working day" if days == 0 else f"{days} working day{'s' if days != 1 else ''}"
    return ResponsePromise(
        urgent=False,
        reach="",
        promise=(
            f"The team aims to read every report, and to answer where you asked them to, "
            f"within {span}. Urgent reports are looked at the same working day, or early "
            "in the next one when they arrive out of hours."
        ),
        how="",
        hours=hours,
        late=False,
    )


def _for_page(report: Report | None, institution: Institution | None) -> ResponsePromise | None:
    return response_promise_for_reporter(report=report, institution=institution)


def promise_source_connect() -> None:
    """Answer reporting's pages (reporting/promise.py); from CaseworkConfig.ready (ADR 0040)."""
    reporting_promise.promise_source_register(_for_page)
