"""Incident logs for the bench's log scenarios, and signed-in sessions for them.

Run by bench/run.py under the bench's environment (bench/README.md):

    python bench/logs.py prepare STATE_FILE --users 64
    python bench/logs.py sessions STATE_FILE

prepare: one log per virtual user of `log_add` (3 incidents and 2 people each), made
afresh every run (the previous run's are deleted first: each add grows its log, and every
run should start from the same size), and one log of 200 incidents for the export
scenarios (8 people, 15 corrections, so 215 entries), kept between runs while it is
unchanged. Everything goes through the log's own services (waypoint/log/services.py), so
entries are sealed with the log's key and chained as a person's would be. STATE_FILE
keeps the logs' ids, never a reference or a passphrase.

sessions: prints {"add": [cookie value, ...], "export": cookie value}, each the session a
sign-in with the log's receipt leaves (waypoint/log/session.py: sign_in). Sign-in hashes
the passphrase with Argon2id and is rate-limited, so the bench prepares the sessions and
the load generator only sends a cookie, as bench/sessions.py does for staff.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from importlib import import_module
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

EXPORT_INCIDENTS: Final = 200
EXPORT_PEOPLE: Final = 8
CORRECT_EVERY: Final = 13  # one correction after every 13th incident: 15 of 200
ADD_INCIDENTS: Final = 3
ADD_PEOPLE: Final = 2

Options = dict[str, list[dict[str, str]]]

_SENTENCES: Final = (
    "They were waiting outside the library when I left.",
    "Twelve messages overnight, most of them deleted before I could read them.",
    "They followed me from the bus stop to the halls entrance.",
    "A new account sent me a photo of my front door.",
    "They sat two rows behind me in the lecture and kept looking over.",
    "My friend saw them standing by my car in the car park.",
    "They posted about where I had been that evening.",
    "Someone left flowers at my door with no note.",
    "They asked my flatmate what time I usually get home.",
    "I blocked the number and a different number called within the hour.",
    "They commented on every post I made this week, going back two years.",
    "They turned up at the gym at the same time as me again.",
)
_NAMES: Final = (
    "Sam Taylor",
    "the man from the gym",
    "Jordan P.",
    "a new Instagram account",
    "Alex (my ex-partner)",
    "someone in my seminar group",
    "Chris, my flatmate's friend",
    "an unknown number",
)


def incident_content(
    rng: random.Random, *, today: dt.date, options: Options, people: list[str]
) -> dict[str, Any]:
    """One incident's content in the shape content.py describes, varied: when (exact,
    about or over a period, over the last 18 months), where, what, who, and now and then
    witnesses, how it affected the person and a police reference."""
    day = today - dt.timedelta(days=rng.randrange(1, 540))
    kind = rng.choices(("exact", "about", "range"), weights=(6, 3, 1))[0]
    clock = f"{rng.randrange(24):02d}:{rng.randrange(60):02d}" if rng.random() < 0.7 else ""
    end_date = ""
    if kind == "range":
        end_date = min(today, day + dt.timedelta(days=rng.randrange(1, 15))).isoformat()

    def some(kind_name: str, low: int, high: int) -> list[dict[str, str]]:
        offered = options.get(kind_name, [])
        return rng.sample(offered, min(len(offered), rng.randint(low, high)))

    return {
        "when": {
            "kind": kind,
            "date": day.isoformat(),
            "time": clock,
            "end_date": end_date,
            "end_time": "",
        },
        "where": {
            "places": some("location", 0, 2),
            "platforms": some("platform", 0, 2),
            "text": rng.choice(("", "", "Outside the Students' Union", "On the 41 bus")),
        },
        "what": {
            "behaviours": some("behaviour", 1, 3),
            "text": " ".join(rng.sample(_SENTENCES, rng.randint(1, 4))),
        },
        "who": rng.sample(people, min(len(people), rng.randint(0, 2))),
        "witnesses": rng.choice(("", "", "", "My flatmate Priya saw it from the window.")),
        "affected": rng.choice(("", "", "I could not sleep and missed my seminar the next day.")),
        "police": (
            {"officer": "PC 4411 Okafor", "reference": f"CRI/{day.year}/{rng.randrange(10**6):06d}"}
            if rng.random() < 0.1
            else {"officer": "", "reference": ""}
        ),
        "evidence": [],
    }


def corrected(rng: random.Random, content: dict[str, Any]) -> dict[str, Any]:
    """A correction of `content`: the date a day out, a sentence added."""
    when = dict(content["when"])
    when["date"] = (dt.date.fromisoformat(when["date"]) - dt.timedelta(days=1)).isoformat()
    if when["end_date"] and when["end_date"] < when["date"]:
        when["end_date"] = when["date"]
    what = dict(content["what"])
    what["text"] = f"{what['text']} (Correction: it was the day before.) {rng.choice(_SENTENCES)}"
    return {**content, "when": when, "what": what}


# --- With Django -------------------------------------------------------------------------------


def _setup() -> None:
    import django  # noqa: PLC0415 - only when run, so the helpers above import without it

    django.setup()


def _options() -> Options:
    from waypoint.reporting.models import OptionKind, ReportOption  # noqa: PLC0415

    return {
        kind: [{"slug": o.slug, "label": o.label} for o in ReportOption.objects.of_kind(kind)]
        for kind in (OptionKind.BEHAVIOUR, OptionKind.LOCATION, OptionKind.PLATFORM)
    }


def _make_log(rng: random.Random, *, incidents: int, people: int, correct_every: int = 0) -> str:
    from waypoint.log import services  # noqa: PLC0415

    options = _options()
    today = dt.date.today()  # noqa: DTZ011 - dates in the past, the day is enough
    log = services.log_start().log
    ids = [
        str(
            services.person_add(
                log=log,
                name=_NAMES[i % len(_NAMES)],
                identifiers={"handle": f"@bench_{i}"} if i % 2 else None,
            ).pk
        )
        for i in range(people)
    ]
    written = []
    for n in range(1, incidents + 1):
        content = incident_content(rng, today=today, options=options, people=ids)
        written.append(services.entry_add(log=log, content=content))
        if correct_every and n % correct_every == 0:
            entry = rng.choice(written)
            services.entry_correct(log=log, entry=entry, content=corrected(rng, entry.content))
    return str(log.pk)


def prepare(state_file: Path, users: int) -> dict[str, Any]:
    from waypoint.log import services  # noqa: PLC0415
    from waypoint.log.models import IncidentLog  # noqa: PLC0415

    state: dict[str, Any] = json.loads(state_file.read_text()) if state_file.exists() else {}
    rng = random.Random(1403)  # noqa: S311 - made-up content
    for log in IncidentLog.objects.filter(pk__in=state.get("add", [])):
        services.log_delete(log=log)
    started = time.monotonic()
    state["add"] = [
        _make_log(rng, incidents=ADD_INCIDENTS, people=ADD_PEOPLE) for _ in range(users)
    ]
    state["add_incidents"] = ADD_INCIDENTS
    export = state.get("export", {})
    entries = EXPORT_INCIDENTS + EXPORT_INCIDENTS // CORRECT_EVERY
    if not IncidentLog.objects.filter(pk=export.get("id"), head_seq=entries).exists():
        for log in IncidentLog.objects.filter(pk=export.get("id")):
            services.log_delete(log=log)
        export_id = _make_log(
            rng, incidents=EXPORT_INCIDENTS, people=EXPORT_PEOPLE, correct_every=CORRECT_EVERY
        )
        state["export"] = {"id": export_id, "incidents": EXPORT_INCIDENTS, "entries": entries}
    state_file.write_text(json.dumps(state, indent=1) + "\n")
    print(
        f"bench: {users} logs to add to, and a log of {EXPORT_INCIDENTS} incidents "
        f"({entries} entries) to export, ready in {time.monotonic() - started:.0f} s"
    )
    return state


def session_for(log_id: str) -> str:
    """What waypoint.log.session.sign_in leaves, in a new server-side session."""
    from django.conf import settings  # noqa: PLC0415

    from waypoint.log import session  # noqa: PLC0415

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    now = session.now_seconds()
    store[session.LOG_ID] = log_id
    store[session.STARTED_AT] = now
    store[session.SEEN_AT] = now
    store.create()
    return str(store.session_key)


def sessions(state_file: Path) -> dict[str, Any]:
    state = json.loads(state_file.read_text())
    return {
        "add": [session_for(log_id) for log_id in state["add"]],
        "export": session_for(state["export"]["id"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("prepare", "sessions"))
    parser.add_argument("state_file", type=Path)
    parser.add_argument("--users", type=int, default=64)
    args = parser.parse_args()
    _setup()
    if args.command == "prepare":
        prepare(args.state_file, args.users)
    else:
        print(json.dumps(sessions(args.state_file)))


if __name__ == "__main__":
    main()
