"""Generate data at scale for the benchmarks (bench/README.md): `manage.py generate_load_data`.

Defaults: 500 support services, 100,000 cases (each with its report, data key, clock and
timeline), 1,000,000 timeline entries, opened over the last 6 years with more cases in
recent years, most older cases closed. One recent open case (the "big case") has 1,000
timeline entries, for the case page scenario.

Realistic where it matters to the pages measured, cheap where it does not:
- every report has its own DataKey and its answers and contact details are sealed with it,
  as the report flow seals them (the answers are copied from a few reports made through
  the real services, so the case page decrypts and shows real shapes);
- message bodies and note texts are sealed too; other timeline entries carry only ids and
  choice values, as in production;
- receipts: a handful of passphrases are hashed once (Argon2id) and shared between
  reports, since hashing 100,000 would take an hour. --credentials writes some
  (reference, passphrase) pairs and the big case's id for the load generator.

Rows are written with PostgreSQL's COPY in batches (bulk_create on other databases, for
the small test run). Refuses to run on a database that already has reports.
"""

from __future__ import annotations

import datetime
import json
import math
import random
import string
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role
from waypoint.accounts.services import staff_totp_enrol, staff_user_create
from waypoint.casework.models import (
    Case,
    CaseAssignment,
    CaseClock,
    CaseOutcome,
    CaseStatus,
    EntryKind,
    Message,
    MessageDirection,
    TimelineEntry,
)
from waypoint.hub.demo import (
    awareness_pages_load_demo,
    campaigns_load_demo,
    support_directory_load_demo,
)
from waypoint.hub.models import Audience, Campaign, SupportCategory, SupportPhone, SupportService
from waypoint.institution.demo import institution_load_demo
from waypoint.privacy import crypto
from waypoint.privacy.models import DataKey
from waypoint.reporting import receipts
from waypoint.reporting.demo import demo_reports_load
from waypoint.reporting.models import Report

BATCH_CASES = 2000
RECEIPT_PASSPHRASES = 8
CREDENTIALS_KEPT = 2000
BENCH_EMAIL_DOMAIN = "bench.waypoint.test"

_SERVICE_WORDS = (
    "Advice",
    "Wellbeing",
    "Counselling",
    "Safety",
    "Legal",
    "Housing",
    "Money",
    "Mental health",
    "Victim support",
    "Helpline",
    "Outreach",
    "Advocacy",
    "Recovery",
    "Listening",
    "Family",
    "Community",
    "Digital safety",
    "Trauma",
    "Peer support",
    "Drop-in",
)
_PLACES = (
    "Leicester",
    "Leicestershire",
    "East Midlands",
    "Loughborough",
    "Hinckley",
    "Melton",
    "Market Harborough",
    "Rutland",
    "Oadby",
    "Wigston",
)
_NOTE_WORDS = (
    "called",
    "agreed",
    "safety",
    "plan",
    "library",
    "security",
    "review",
    "follow",
    "up",
    "email",
    "adviser",
    "support",
    "police",
    "meeting",
    "week",
    "statement",
    "contact",
)


@dataclass(frozen=True)
class _Template:
    route: str
    reporter_role: str
    answers: Any
    contact: Any
    immediate_danger: bool
    wants_messages: bool


class Command(BaseCommand):
    help = "Generate support services, cases, reports and timeline entries for benchmarks."
    rng: random.Random
    now: datetime.datetime
    start: datetime.datetime

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--services", type=int, default=500)
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--entries", type=int, default=1_000_000)
        parser.add_argument("--years", type=float, default=6.0)
        parser.add_argument("--big-case-entries", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--credentials",
            type=Path,
            help="Write staff emails, the big case and receipt credentials to this JSON file.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cases: int = options["cases"]
        entries: int = options["entries"]
        big: int = options["big_case_entries"]
        if cases < 2 or big < 1 or entries < cases - 1 + big:
            raise CommandError("Need at least 2 cases and one entry per case plus the big case.")
        if Report.objects.exists():
            raise CommandError("This database already has reports: use a fresh database.")
        # Repeatable made-up data, not secrets: a seeded generator is what is wanted.
        self.rng = random.Random(options["seed"])  # noqa: S311
        self.now = timezone.now()
        self.start = self.now - datetime.timedelta(days=365.25 * options["years"])

        institution_load_demo()
        total_services = self._services(options["services"])
        self._content()
        staff = self._staff()
        templates = self._templates()
        secrets = self._receipts()
        self.stdout.write(
            f"{total_services} services; {len(staff)} staff; generating {cases} cases..."
        )
        result = self._cases(
            cases=cases, entries=entries, big=big, staff=staff, templates=templates, secrets=secrets
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Done: {result['cases']} cases, {result['entries']} timeline entries, "
            f"{result['messages']} messages; big case {result['big_case']}."
        )
        if options["credentials"]:
            path: Path = options["credentials"]
            path.write_text(json.dumps(result["credentials"], indent=1))

    # --- Public content ------------------------------------------------------------------

    def _services(self, wanted: int) -> int:
        support_directory_load_demo()
        have = SupportService.objects.count()
        categories = list(SupportCategory.objects.all())
        services: list[SupportService] = []
        phones: list[SupportPhone] = []
        links = []
        through = SupportService.categories.through
        for n in range(max(0, wanted - have)):
            word = self.rng.choice(_SERVICE_WORDS)
            place = self.rng.choice(_PLACES)
            name = f"{place} {word} Service {n + 1}"
            service = SupportService(
                slug=f"bench-{n + 1}",
                name=name,
                provider=self.rng.choice(list(SupportService.Provider.values)),
                summary=f"{word} for people in {place}: free, confidential and open to all.",
                description=(
                    f"{name} offers {word.lower()} to anyone affected by stalking or "
                    f"harassment in {place}. Call, email or drop in; we can also talk by "
                    "webchat. Interpreters are available on request."
                ),
                audience=self.rng.choice(list(Audience.values)),
                hours="Monday to Friday, 9am to 5pm",
                is_24_7=self.rng.random() < 0.1,
                is_free=self.rng.random() < 0.8,
                is_confidential=self.rng.random() < 0.7,
                website_url=f"https://service-{n + 1}.example.org/",
                need_words=" ".join(self.rng.sample(_NOTE_WORDS, 3)),
                position=100 + n,
                is_published=self.rng.random() < 0.95,
            )
            services.append(service)
            for k in range(self.rng.choice((1, 1, 2))):
                phones.append(
                    SupportPhone(
                        service=service,
                        kind=self.rng.choice(list(SupportPhone.Kind.values)),
                        number=f"0116 {self.rng.randint(200, 999)} {self.rng.randint(1000, 9999)}",
                        position=k,
                    )
                )
            for category in self.rng.sample(categories, min(len(categories), 2)):
                links.append(through(supportservice=service, supportcategory=category))
        SupportService.objects.bulk_create(services, batch_size=500)
        SupportPhone.objects.bulk_create(phones, batch_size=500)
        through.objects.bulk_create(links, batch_size=500)
        return SupportService.objects.count()

    def _content(self) -> None:
        awareness_pages_load_demo()
        campaigns_load_demo()
        # A campaign running now, so the home page shows its banner as it does in
        # awareness weeks.
        today = timezone.localdate()
        Campaign.objects.get_or_create(
            slug="bench-awareness-week",
            defaults={
                "name": "Awareness week (benchmark)",
                "starts_on": today - datetime.timedelta(days=3),
                "ends_on": today + datetime.timedelta(days=4),
                "summary": "Talks, stalls and training across campus all week.",
                "is_published": True,
            },
        )

    # --- Staff --------------------------------------------------------------------------

    def _staff(self) -> list[User]:
        people = [("lead", Role.CASE_LEAD)] + [(f"adviser{i}", Role.ADVISER) for i in range(1, 9)]
        staff = []
        for name, role in people:
            user = staff_user_create(
                email=f"{name}@{BENCH_EMAIL_DOMAIN}",
                role=role,
                display_name=name.capitalize(),
            )
            secret = "".join(self.rng.choice(string.ascii_uppercase + "234567") for _ in range(32))
            staff_totp_enrol(user=user, secret=secret)
            staff.append(user)
        return staff

    # --- Reports --------------------------------------------------------------------------

    def _templates(self) -> list[_Template]:
        """A few reports made through the real services; their answers are reused."""
        institution = institution_load_demo()
        demo_reports_load(institution)
        templates = []
        for report in Report.objects.select_related("data_key"):
            templates.append(
                _Template(
                    route=report.route,
                    reporter_role=report.reporter_role,
                    answers=report.answers,
                    contact=report.contact,
                    immediate_danger=report.immediate_danger,
                    wants_messages=report.wants_messages,
                )
            )
        if not templates:
            raise CommandError("The demo reports could not be made.")
        return templates

    def _receipts(self) -> list[tuple[str, str, int]]:
        found = []
        for _ in range(RECEIPT_PASSPHRASES):
            passphrase = receipts.new_passphrase()
            encoded, key_id = receipts.hash_passphrase(passphrase)
            found.append((passphrase, encoded, key_id))
        return found

    def _reference(self, used: set[str]) -> str:
        while True:
            body = "".join(
                self.rng.choice(receipts.REFERENCE_ALPHABET)
                for _ in range(receipts.REFERENCE_LENGTH)
            )
            reference = f"WP-{body}"
            if reference not in used:
                used.add(reference)
                return reference

    def _opened_at(self) -> datetime.datetime:
        # More cases in recent years (the service grows): density rises linearly with time.
        share = math.sqrt(self.rng.random())
        return self.start + (self.now - self.start) * share

    def _entry_counts(self, cases: int, entries: int, big: int) -> list[int]:
        rest = entries - big
        mean = rest / (cases - 1)
        counts = [1 + int(self.rng.expovariate(1 / max(mean - 1, 0.01))) for _ in range(cases - 1)]
        # Adjust to the exact total, a case at a time.
        difference = rest - sum(counts)
        while difference != 0:
            index = self.rng.randrange(len(counts))
            if difference > 0:
                counts[index] += 1
                difference -= 1
            elif counts[index] > 1:
                counts[index] -= 1
                difference += 1
        return [*counts, big]

    def _cases(
        self,
        *,
        cases: int,
        entries: int,
        big: int,
        staff: list[User],
        templates: list[_Template],
        secrets: list[tuple[str, str, int]],
    ) -> dict[str, Any]:
        lead = staff[0]
        advisers = staff[1:]
        counts = self._entry_counts(cases, entries, big)
        opened = sorted(self._opened_at() for _ in range(cases - 1))
        # The big case: opened three months ago and still active.
        opened.append(self.now - datetime.timedelta(days=90))
        used: set[str] = set(Report.objects.values_list("reference", flat=True))
        credentials: list[dict[str, str]] = []
        totals = {"entries": 0, "messages": 0}
        big_case_id = ""
        for first in range(0, cases, BATCH_CASES):
            batch = _Batch()
            for index in range(first, min(cases, first + BATCH_CASES)):
                is_big = index == cases - 1
                case_id = self._one_case(
                    batch,
                    opened_at=opened[index],
                    entry_count=counts[index],
                    template=self.rng.choice(templates),
                    secret=secrets[index % len(secrets)],
                    used=used,
                    lead=lead,
                    advisers=advisers,
                    is_big=is_big,
                    credentials=credentials,
                )
                if is_big:
                    big_case_id = case_id
            batch.write()
            totals["entries"] += len(batch.entries)
            totals["messages"] += len(batch.messages)
            self.stdout.write(f"  {min(cases, first + BATCH_CASES)} cases")
        # Keep the most recent credentials: returning reporters are mostly recent ones.
        return {
            "cases": cases,
            "entries": totals["entries"],
            "messages": totals["messages"],
            "big_case": big_case_id,
            "credentials": {
                "lead": lead.email,
                "adviser": advisers[0].email,
                "big_case": big_case_id,
                "receipts": credentials[-CREDENTIALS_KEPT:],
            },
        }

    def _status_for(self, opened_at: datetime.datetime) -> str:
        age_days = (self.now - opened_at).days
        if age_days > 180:
            return CaseStatus.CLOSED if self.rng.random() < 0.99 else CaseStatus.ACTIVE_SUPPORT
        if age_days > 30:
            return self.rng.choice(
                [CaseStatus.CLOSED] * 6 + [CaseStatus.ACTIVE_SUPPORT, CaseStatus.IN_CONTACT]
            )
        if age_days > 7:
            return self.rng.choice(
                [
                    CaseStatus.CLOSED,
                    CaseStatus.TRIAGED,
                    CaseStatus.IN_CONTACT,
                    CaseStatus.ACTIVE_SUPPORT,
                ]
            )
        return self.rng.choice([CaseStatus.NEW, CaseStatus.NEW, CaseStatus.TRIAGED])

    def _one_case(
        self,
        batch: _Batch,
        *,
        opened_at: datetime.datetime,
        entry_count: int,
        template: _Template,
        secret: tuple[str, str, int],
        used: set[str],
        lead: User,
        advisers: list[User],
        is_big: bool,
        credentials: list[dict[str, str]],
    ) -> str:
        rng = self.rng
        key_id = uuid.uuid4()
        data_key = DataKey(
            id=key_id,
            wrapped=crypto.wrap_new_data_key(key_id),
            purpose="report",
            created_at=opened_at,
        )
        passphrase, encoded, pepper_key_id = secret
        report = Report(
            id=uuid.uuid4(),
            reference=self._reference(used),
            data_key=data_key,
            route=template.route,
            reporter_role=template.reporter_role,
            immediate_danger=template.immediate_danger,
            answers=template.answers,
            contact=template.contact,
            wants_messages=template.wants_messages,
            receipt_hash=encoded,
            receipt_pepper_key_id=pepper_key_id,
            receipt_confirmed_at=opened_at,
            submitted_at=opened_at,
        )
        status = CaseStatus.ACTIVE_SUPPORT if is_big else self._status_for(opened_at)
        urgent = rng.random() < 0.06
        end = self.now
        closed_at = None
        if status == CaseStatus.CLOSED:
            closed_at = min(self.now, opened_at + datetime.timedelta(days=rng.uniform(3, 120)))
            end = closed_at
        case = Case(
            id=uuid.uuid4(),
            report=report,
            data_key=data_key,
            status=status,
            immediate_danger=template.immediate_danger,
            threat_of_violence=urgent and rng.random() < 0.5,
            high_risk_indicator=urgent,
            is_urgent=urgent or template.immediate_danger,
            restricted=(not is_big) and rng.random() < 0.01,
            opened_at=opened_at,
            updated_at=end,
            closed_at=closed_at,
        )
        due = opened_at + datetime.timedelta(days=2)
        contacted = status != CaseStatus.NEW and not (
            status == CaseStatus.TRIAGED and rng.random() < 0.5
        )
        clock = CaseClock(
            case=case,
            first_contact_due_at=due,
            first_contact_at=(
                min(end, opened_at + datetime.timedelta(hours=rng.uniform(2, 72)))
                if contacted
                else None
            ),
            outcome=rng.choice(list(CaseOutcome.values)) if closed_at else "",
            support_given=[],
        )
        adviser = lead if is_big else rng.choice(advisers)
        batch.keys.append(data_key)
        batch.reports.append(report)
        batch.cases.append(case)
        batch.clocks.append(clock)
        if status != CaseStatus.NEW:
            batch.assignments.append(
                CaseAssignment(case=case, user=adviser, assigned_at=opened_at, assigned_by=lead)
            )
        if status != CaseStatus.CLOSED:
            credentials.append({"reference": report.reference, "passphrase": passphrase})
        self._timeline(batch, case=case, count=entry_count, end=end, adviser=adviser)
        return str(case.pk)

    def _timeline(
        self, batch: _Batch, *, case: Case, count: int, end: datetime.datetime, adviser: User
    ) -> None:
        rng = self.rng
        span = max((end - case.opened_at).total_seconds(), 60.0)
        moments = sorted(
            case.opened_at + datetime.timedelta(seconds=rng.uniform(1, span))
            for _ in range(count - 1)
        )
        batch.entries.append(
            TimelineEntry(
                id=uuid.uuid4(),
                case=case,
                data_key=case.data_key,
                kind=EntryKind.REPORTED,
                occurred_at=case.opened_at,
                detail={"route": case.report.route, "urgent": case.is_urgent},
            )
        )
        for position, moment in enumerate(moments):
            last = position == len(moments) - 1
            if last and case.status == CaseStatus.CLOSED:
                kind = EntryKind.CLOSED
            elif position == 0 and case.status != CaseStatus.NEW:
                kind = EntryKind.ASSIGNED
            else:
                kind = rng.choices(
                    (
                        EntryKind.MESSAGE,
                        EntryKind.NOTE,
                        EntryKind.CONTACT,
                        EntryKind.STATUS,
                        EntryKind.TASK,
                    ),
                    weights=(30, 10, 25, 15, 20),
                )[0]
            batch.entries.append(self._entry(batch, case=case, kind=kind, at=moment, actor=adviser))

    def _entry(
        self, batch: _Batch, *, case: Case, kind: str, at: datetime.datetime, actor: User
    ) -> TimelineEntry:
        rng = self.rng
        entry = TimelineEntry(
            id=uuid.uuid4(), case=case, data_key=case.data_key, kind=kind, occurred_at=at
        )
        if kind == EntryKind.MESSAGE:
            from_reporter = rng.random() < 0.5
            message = Message(
                id=uuid.uuid4(),
                case=case,
                data_key=case.data_key,
                direction=(
                    MessageDirection.FROM_REPORTER if from_reporter else MessageDirection.FROM_STAFF
                ),
                author=None if from_reporter else actor,
                body=self._words(12, 60),
                sent_at=at,
                # Recent messages from reporters on open cases may still be unread.
                read_at=(
                    None
                    if from_reporter
                    and case.status != CaseStatus.CLOSED
                    and (self.now - at).days < 14
                    and rng.random() < 0.5
                    else at + datetime.timedelta(hours=1)
                ),
            )
            batch.messages.append(message)
            entry.message = message
            entry.actor = None if from_reporter else actor
            entry.detail = {"direction": message.direction}
        elif kind == EntryKind.NOTE:
            entry.actor = actor
            entry.text = self._words(10, 80)
        elif kind == EntryKind.CONTACT:
            entry.actor = actor
            entry.detail = {
                "method": rng.choice(["phone", "email", "in_person"]),
                "outcome": rng.choice(["spoke", "no_answer", "left_message"]),
            }
        elif kind == EntryKind.STATUS:
            entry.actor = actor
            entry.detail = {"from": CaseStatus.TRIAGED, "to": CaseStatus.IN_CONTACT}
        elif kind == EntryKind.TASK:
            entry.actor = actor
            entry.detail = {"event": rng.choice(["created", "updated"]), "status": "open"}
        elif kind == EntryKind.ASSIGNED:
            entry.actor = actor
            entry.detail = {"user_id": str(actor.pk), "claimed": True}
        elif kind == EntryKind.CLOSED:
            entry.actor = actor
            entry.detail = {"outcome": CaseOutcome.SUPPORTED, "support_given": []}
        return entry

    def _words(self, low: int, high: int) -> str:
        count = self.rng.randint(low, high)
        return " ".join(self.rng.choice(_NOTE_WORDS) for _ in range(count)).capitalize() + "."


class _Batch:
    """Rows of one batch of cases, written table by table in dependency order."""

    def __init__(self) -> None:
        self.keys: list[DataKey] = []
        self.reports: list[Report] = []
        self.cases: list[Case] = []
        self.clocks: list[CaseClock] = []
        self.assignments: list[CaseAssignment] = []
        self.messages: list[Message] = []
        self.entries: list[TimelineEntry] = []

    @transaction.atomic
    def write(self) -> None:
        for model, rows in (
            (DataKey, self.keys),
            (Report, self.reports),
            (Case, self.cases),
            (CaseClock, self.clocks),
            (CaseAssignment, self.assignments),
            (Message, self.messages),
            (TimelineEntry, self.entries),
        ):
            copy_rows(model, rows)


_AUTO_FIELDS = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    # Auto-increment keys are left to the database.
    return [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and f.get_internal_type() in _AUTO_FIELDS)
    ]


def _value(field: models.Field[Any, Any], obj: models.Model) -> Any:
    # Creation times are historical here: take them as set, not "now" (auto_now_add).
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        value = getattr(obj, field.attname)
    else:
        value = field.pre_save(obj, add=True)  # seals encrypted fields
    return field.get_db_prep_save(value, connection)


def copy_rows(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert `objs` as they are (COPY on PostgreSQL, bulk_create elsewhere)."""
    if not objs:
        return
    fields = _fields(model)
    if connection.vendor != "postgresql":
        prepared: Iterable[models.Model] = objs
        for obj in prepared:
            for field in fields:
                if isinstance(field, models.DateTimeField) and (
                    field.auto_now or field.auto_now_add
                ):
                    continue
                field.pre_save(obj, add=True)
        # bulk_create would stamp auto_now_add fields with now: write them afterwards.
        stamps = [
            f
            for f in fields
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
        ]
        saved = {f.attname: [getattr(o, f.attname) for o in objs] for f in stamps}
        model._default_manager.bulk_create(objs, batch_size=500)
        for f in stamps:
            for obj, value in zip(objs, saved[f.attname], strict=True):
                if obj.pk is not None and value is not None:
                    model._default_manager.filter(pk=obj.pk).update(**{f.attname: value})
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor, for COPY
        with raw.copy(sql) as copy:
            for obj in objs:
                copy.write_row([_value(f, obj) for f in fields])
