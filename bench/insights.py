"""Insights facts at scale, and the insights viewer, for the insights scenarios.

Run by bench/run.py under the bench's environment (bench/README.md):

    python bench/insights.py prepare STATE_FILE --events 1000000

Facts for every case generate_load_data made (100,000 at full scale), as the facts
backfill would leave them (waypoint/insights/facts.py records them at each event; the
bench's cases were written with COPY, so none has any yet), and about --events fact
events over them (statuses, assessments, referrals, measures, processes, shared logs).
The values come from the demo's made-up distributions (waypoint/insights/demo.py), with
the opening month of the real case. Rows go in with COPY in batches (bulk_create on
other databases, as generate_load_data does). Facts already there are kept: a second
run with the same parameters adds nothing (STATE_FILE says what was made).

Also the insights viewer (insights@bench.waypoint.test, TOTP enrolled), whose session
bench/sessions.py makes like the case lead's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import string
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

VIEWER_EMAIL: Final = "insights@bench.waypoint.test"
BATCH: Final = 5000
# Later reviews a long case collects on top of the demo's first events: a reassessment,
# a measure changing, a process moving on, a status going back and forth.
_LATER: Final = (
    ("assessment", ("standard", "medium", "high")),
    ("measure", ("security_awareness", "timetable_change", "extension", "escort")),
    ("process", ("police:investigating", "conduct:hearing", "conduct:outcome")),
    ("status", ("active_support", "in_contact")),
)


def _setup() -> None:
    import django  # noqa: PLC0415 - only when run

    django.setup()


def viewer() -> str:
    """The insights viewer's email, made (with TOTP) if missing."""
    from waypoint.accounts.models import User  # noqa: PLC0415
    from waypoint.accounts.roles import Role  # noqa: PLC0415
    from waypoint.accounts.services import staff_totp_enrol, staff_user_create  # noqa: PLC0415

    if not User.objects.filter(email=VIEWER_EMAIL).exists():
        user = staff_user_create(email=VIEWER_EMAIL, role=Role.INSIGHTS, display_name="Insights")
        rng = random.SystemRandom()
        secret = "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(32))
        staff_totp_enrol(user=user, secret=secret)
    return VIEWER_EMAIL


def prepare(state_file: Path, *, events: int) -> dict[str, Any]:
    from django.db import connection, transaction  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from waypoint.casework.models import Case  # noqa: PLC0415
    from waypoint.demo.management.commands.generate_load_data import copy_rows  # noqa: PLC0415
    from waypoint.insights.demo import past_case_facts  # noqa: PLC0415
    from waypoint.insights.models import (  # noqa: PLC0415
        CaseFactEvent,
        CaseFacts,
        CaseFactTag,
    )

    started = time.monotonic()
    state: dict[str, Any] = json.loads(state_file.read_text()) if state_file.exists() else {}
    state["viewer"] = viewer()
    cases = Case.objects.count()
    if state.get("cases") == cases and state.get("events") == events:
        print(f"bench: insights facts already made ({cases} cases, {events} events wanted)")
        state_file.write_text(json.dumps(state, indent=1) + "\n")
        return state
    have = set(CaseFacts.objects.values_list("case_id", flat=True))
    todo = [
        (case_id, opened)
        for case_id, opened in Case.objects.order_by("opened_at").values_list("id", "opened_at")
        if case_id not in have
    ]
    today = timezone.localdate()
    rng = random.Random(1515)  # noqa: S311 - made-up facts, repeatable
    # The demo's cases average about 5 events: add later ones to reach --events overall.
    wanted_per_case = events / max(1, cases)
    made = {"facts": 0, "tags": 0, "events": 0}

    def write(rows: tuple[list[Any], list[Any], list[Any]]) -> None:
        with transaction.atomic():
            copy_rows(CaseFacts, rows[0])
            copy_rows(CaseFactTag, rows[1])
            copy_rows(CaseFactEvent, rows[2])
        made["facts"] += len(rows[0])
        made["tags"] += len(rows[1])
        made["events"] += len(rows[2])

    batch: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    for case_id, opened_at in todo:
        opened = timezone.localtime(opened_at).date()
        facts, tags, first_events = past_case_facts(rng, uuid.UUID(str(case_id)), opened, today)
        later = max(0, round(rng.gauss(wanted_per_case, 3)) - len(first_events))
        for _ in range(later):
            kind, values = rng.choice(_LATER)
            day = opened + dt.timedelta(days=rng.randint(0, max(0, (today - opened).days)))
            first_events.append(
                CaseFactEvent(
                    facts=facts,
                    kind=kind,
                    month=day.replace(day=1),
                    value=rng.choice(values),
                    department="security" if kind == "measure" else "",
                )
            )
        batch[0].append(facts)
        batch[1].extend(tags)
        batch[2].extend(first_events)
        if len(batch[0]) >= BATCH:
            write(batch)
            batch = ([], [], [])
            print(f"bench: insights facts {made['facts']}/{len(todo)}", flush=True)
    write(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (CaseFacts, CaseFactTag, CaseFactEvent):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    state.update(
        {
            "cases": cases,
            "events": events,
            "made": made,
            "totals": {
                "facts": CaseFacts.objects.count(),
                "tags": CaseFactTag.objects.count(),
                "events": CaseFactEvent.objects.count(),
            },
        }
    )
    state_file.write_text(json.dumps(state, indent=1) + "\n")
    print(
        f"bench: insights facts for {made['facts']} cases, {made['tags']} tags and "
        f"{made['events']} events made in {time.monotonic() - started:.0f} s"
    )
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("prepare",))
    parser.add_argument("state_file", type=Path)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    _setup()
    prepare(args.state_file, events=args.events)


if __name__ == "__main__":
    main()
