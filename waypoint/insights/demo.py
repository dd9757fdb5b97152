"""Facts of past cases for the demo, so every insights chart has something to show.

About 300 made-up cases over the last two academic years and this one, written straight
into the fact tables: they stand for cases erased after retention, whose facts stay
(ADR 0045), so no report, case or person exists behind them. Some groups are kept small
on purpose (walk-ins, visitors, a few behaviours and platforms, conduct appeals), so the
pages show suppression at work. Idempotent: each made-up case has a fixed id, and a
second run adds nothing.
"""

from __future__ import annotations

import datetime
import random
import uuid
from typing import Final

from django.db import transaction
from django.utils import timezone

from waypoint.insights.models import CaseFactEvent, CaseFacts, CaseFactTag, EventKind, TagKind

DEMO_PAST_CASES: Final = 300
# Fixed ids (uuid5 under this namespace) make a second run a no-op.
_NAMESPACE: Final = uuid.UUID("7a0c6a52-36f4-4b35-9d0e-1c2b6f1e5d15")
_SEED: Final = 1515

# Weighted choices: common answers first, rare ones (under the threshold) last.
_ROUTES: Final = (("support", 70), ("anonymous", 22), ("third_party", 8))
_REPORTERS: Final = (("student", 80), ("staff", 16), ("visitor", 4))
_BEHAVIOURS: Final = (
    ("repeated-contact", 60),
    ("following", 40),
    ("watching", 30),
    ("posting", 22),
    ("tracking", 12),
    ("account-access", 10),
    ("gifts", 8),
    ("proxy-contact", 8),
    ("threats", 6),
    ("image-threats", 2),
    ("property", 2),
    ("violence", 1),
)
_PLACES: Final = (
    ("halls", 30),
    ("library", 25),
    ("teaching-rooms", 20),
    ("students-union", 15),
    ("car-parks", 4),
    ("sports", 3),
)
_PLATFORMS: Final = (
    ("instagram", 30),
    ("calls-texts", 30),
    ("whatsapp", 20),
    ("snapchat", 12),
    ("email", 8),
    ("dating-apps", 2),
    ("gaming", 1),
)
_RELATIONSHIPS: Final = (
    ("partner", 30),
    ("acquaintance", 25),
    ("student", 20),
    ("stranger", 10),
    ("friend", 8),
    ("staff", 4),
    ("family", 1),
    ("unknown", 2),
)
_AFFILIATIONS: Final = (("student", 65), ("outside", 28), ("staff", 7))
_BANDS: Final = (("standard", 50), ("medium", 35), ("high", 15))
_OUTCOMES: Final = (
    ("supported", 45),
    ("referred", 20),
    ("formal_process", 10),
    ("no_contact", 8),
    ("declined", 8),
    ("withdrawn", 6),
    ("other", 3),
)
_SUPPORT: Final = (
    ("adviser", 50),
    ("safety", 40),
    ("wellbeing", 25),
    ("academic", 15),
    ("accommodation", 8),
    ("police", 6),
    ("conduct", 3),
)
_REFERRALS: Final = (("service", 55), ("department", 38), ("organisation", 7))
_MEASURES: Final = (
    (("security_awareness", "security"), 30),
    (("escort", "security"), 8),
    (("accommodation_move", "accommodation"), 10),
    (("timetable_change", "registry"), 12),
    (("exam_arrangements", "registry"), 8),
    (("extension", "registry"), 10),
    (("no_contact", "conduct"), 6),
    (("it_security", "it"), 3),
)
_PROCESSES: Final = (
    ("police:reported", 20),
    ("police:investigating", 8),
    ("police:nfa", 5),
    ("police:charged", 2),
    ("order:spo_interim", 3),
    ("order:non_molestation", 2),
    ("conduct:investigation", 8),
    ("conduct:hearing", 4),
    ("conduct:outcome", 4),
    ("conduct:appeal", 1),
    ("precaution:in_place", 3),
)


def _pick[T](rng: random.Random, options: tuple[tuple[T, int], ...]) -> T:
    values = [value for value, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(values, weights=weights)[0]


def _some[T](rng: random.Random, options: tuple[tuple[T, int], ...], low: int, high: int) -> set[T]:
    return {_pick(rng, options) for _ in range(rng.randint(low, high))}


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _academic_year_start(today: datetime.date) -> datetime.date:
    year = today.year if today.month >= 8 else today.year - 1
    return datetime.date(year, 8, 1)


def _working_days_after(start: datetime.date, days: int) -> datetime.date:
    day = start
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _opening_days(rng: random.Random, today: datetime.date) -> list[datetime.date]:
    """Opening dates from two academic years ago to today, busier in the autumn term."""
    first = _academic_year_start(today).replace(year=_academic_year_start(today).year - 2)
    span = (today - first).days
    days: list[datetime.date] = []
    while len(days) < DEMO_PAST_CASES:
        day = first + datetime.timedelta(days=rng.randrange(span))
        busy = 1.0 if day.month in (10, 11, 2, 3) else 0.6 if day.month != 8 else 0.25
        if rng.random() < busy:
            days.append(day)
    return sorted(days)


def past_case_facts(
    rng: random.Random, case_id: uuid.UUID, opened: datetime.date, today: datetime.date
) -> tuple[CaseFacts, list[CaseFactTag], list[CaseFactEvent]]:
    """Made-up facts of one case opened on `opened` (also used by bench/insights.py)."""
    facts = CaseFacts(
        case_id=case_id,
        opened_month=_month(opened),
        route=_pick(rng, _ROUTES),
        walk_in=rng.random() < 0.05,
        urgent=rng.random() < 0.12,
        named_before=rng.random() < 0.07,
        from_log=rng.random() < 0.1,
    )
    facts.reporter_role = _pick(rng, _REPORTERS)
    if facts.route != "anonymous" or rng.random() < 0.7:
        facts.relationship = _pick(rng, _RELATIONSHIPS)
        facts.affiliation = _pick(rng, _AFFILIATIONS)
    tags = [(TagKind.BEHAVIOUR, slug) for slug in _some(rng, _BEHAVIOURS, 1, 3)]
    tags += [(TagKind.LOCATION, slug) for slug in _some(rng, _PLACES, 0, 2)]
    tags += [(TagKind.PLATFORM, slug) for slug in _some(rng, _PLATFORMS, 0, 2)]
    events: list[tuple[str, datetime.date, str, str]] = []
    age = (today - opened).days
    if facts.route != "anonymous" and age >= 1:
        waited = min(rng.choices(range(9), weights=(10, 30, 25, 12, 8, 5, 4, 3, 3))[0], age)
        facts.first_contact_working_days = waited
        facts.first_contact_within_target = waited <= 2  # the demo institution's target
        contacted = min(_working_days_after(opened, waited), today)
        events.append((EventKind.STATUS, contacted, "in_contact", ""))
        if rng.random() < 0.8:
            facts.first_risk_band = _pick(rng, _BANDS)
            events.append((EventKind.ASSESSMENT, contacted, facts.first_risk_band, ""))
            events.append((EventKind.STATUS, contacted, "active_support", ""))
        for _ in range(rng.choices((0, 1, 2), weights=(55, 35, 10))[0]):
            events.append((EventKind.REFERRAL, contacted, _pick(rng, _REFERRALS), ""))
        for kind, department in _some(rng, _MEASURES, 0, 2):
            events.append((EventKind.MEASURE, contacted, kind, department))
        if rng.random() < 0.2:
            process = _pick(rng, _PROCESSES)
            facts.police_reported = process.startswith("police:")
            events.append((EventKind.PROCESS, contacted, process, ""))
    else:
        events.append((EventKind.STATUS, opened, "triaged", ""))
    if facts.from_log:
        facts.logs_shared = 1
        events.append((EventKind.LOG_SHARED, opened, "", ""))
    # Most cases older than a term are closed; a few stay open to show the caseload.
    if age > 30 and rng.random() < min(0.95, age / 200):
        days_open = rng.randint(7, min(age, 220))
        closed = opened + datetime.timedelta(days=days_open)
        facts.closed_month = _month(closed)
        facts.days_to_close = days_open
        facts.outcome = (
            "no_contact" if facts.first_contact_working_days is None else _pick(rng, _OUTCOMES)
        )
        events.append((EventKind.STATUS, closed, "closed", ""))
        if facts.outcome not in ("no_contact", "declined", "withdrawn"):
            tags += [(TagKind.SUPPORT_GIVEN, slug) for slug in _some(rng, _SUPPORT, 1, 3)]
    tag_rows = [CaseFactTag(facts=facts, kind=kind, slug=slug) for kind, slug in tags]
    event_rows = [
        CaseFactEvent(facts=facts, kind=kind, month=_month(day), value=value, department=dept)
        for kind, day, value, dept in events
    ]
    return facts, tag_rows, event_rows


def demo_case_ids() -> list[uuid.UUID]:
    return [uuid.uuid5(_NAMESPACE, f"demo-past-case-{n}") for n in range(DEMO_PAST_CASES)]


@transaction.atomic
def demo_facts_load(*, today: datetime.date | None = None) -> int:
    """Write the made-up past cases' facts; returns how many were new (0 on a rerun)."""
    today = today or timezone.localdate()
    ids = demo_case_ids()
    have = set(CaseFacts.objects.filter(case_id__in=ids).values_list("case_id", flat=True))
    rng = random.Random(_SEED)  # noqa: S311 - made-up data, repeatable on purpose
    facts_rows: list[CaseFacts] = []
    tag_rows: list[CaseFactTag] = []
    event_rows: list[CaseFactEvent] = []
    for case_id, opened in zip(ids, _opening_days(rng, today), strict=True):
        facts, tags, events = past_case_facts(rng, case_id, opened, today)
        if case_id in have:
            continue  # drawn anyway, so the other cases stay the same from run to run
        facts_rows.append(facts)
        tag_rows += tags
        event_rows += events
    CaseFacts.objects.bulk_create(facts_rows, batch_size=500)
    CaseFactTag.objects.bulk_create(tag_rows, batch_size=1000)
    CaseFactEvent.objects.bulk_create(event_rows, batch_size=1000)
    return len(facts_rows)
