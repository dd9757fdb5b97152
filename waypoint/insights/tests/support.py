"""Counting the privacy module's decryptions (issue 15: insights must decrypt nothing).

`count_decryptions(monkeypatch)` wraps every decryption entry point of
waypoint/privacy/crypto.py (sealed columns, sealed files, KEK-sealed values) with a
counter that calls the real function: nothing is mocked, every call still decrypts.
Modules that imported a function by name (privacy.fields imports `unseal`) are patched
too, so a lazy read of an Encrypted*Field is counted.

    def test_the_page_decrypts_nothing(monkeypatch, client):
        counted = count_decryptions(monkeypatch)
        client.get(url)
        assert counted.total == 0

`from_insights` counts only the calls made while code of waypoint/insights (not its
tests) is on the stack: for events whose own app decrypts (a log share reads the log),
it shows that insights' part read nothing.
"""

from __future__ import annotations

import functools
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Final

import pytest

from waypoint.casework.models import Case
from waypoint.casework.services.intake import case_open_from_report
from waypoint.insights.models import CaseFacts
from waypoint.privacy import crypto
from waypoint.privacy.services import data_key_create
from waypoint.reporting.models import Report
from waypoint.reporting.services import draft_save_step, draft_start, report_submit

# Every function of privacy.crypto that turns ciphertext into plaintext.
DECRYPTION_ENTRY_POINTS: Final = ("unseal", "decrypt_file", "decrypt_with_kek")

_INSIGHTS: Final = Path(__file__).resolve().parent.parent
_INSIGHTS_TESTS: Final = Path(__file__).resolve().parent


@dataclass
class DecryptionCount:
    by_function: Counter[str] = field(default_factory=Counter)
    from_insights: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_function.values())


def _insights_on_stack() -> bool:
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.is_relative_to(_INSIGHTS) and not path.is_relative_to(_INSIGHTS_TESTS):
            return True
        frame = frame.f_back
    return False


def _counting(name: str, real: Callable[..., Any], count: DecryptionCount) -> Callable[..., Any]:
    @functools.wraps(real)
    def counted(*args: Any, **kwargs: Any) -> Any:
        count.by_function[name] += 1
        if _insights_on_stack():
            count.from_insights += 1
        return real(*args, **kwargs)

    return counted


def count_decryptions(monkeypatch: pytest.MonkeyPatch) -> DecryptionCount:
    """Count every decryption until the test ends (monkeypatch undoes the wrapping)."""
    count = DecryptionCount()
    for name in DECRYPTION_ENTRY_POINTS:
        real = getattr(crypto, name)
        wrapper = _counting(name, real, count)
        # The function itself, and every module that holds it under any name.
        for module in list(sys.modules.values()):
            module_dict = getattr(module, "__dict__", None)
            if not isinstance(module_dict, dict) or not getattr(module, "__name__", "").startswith(
                "waypoint"
            ):
                continue
            for attribute, value in list(module_dict.items()):
                if value is real:
                    monkeypatch.setattr(module, attribute, wrapper)
    return count


# --- Reports made the way the report flow makes them ------------------------------------------

STEPS_BY_ROUTE: Final[dict[str, dict[str, dict[str, Any]]]] = {
    "support": {
        "danger": {"immediate_danger": "no"},
        "contact": {"name": "Robin Tester", "preferred_method": "email", "email": "r@x.test"},
    },
    "anonymous": {
        "danger": {"immediate_danger": "no"},
        "replies": {"wants_messages": "yes"},
    },
    "third_party": {"danger": {"immediate_danger": "no"}},
}


def submit_report(
    *,
    route: str = "support",
    role: str = "student",
    steps: dict[str, dict[str, Any]] | None = None,
) -> Report:
    """A report submitted through reporting's services (so every receiver hears it).
    `steps` adds to (or replaces) the route's required answers. Returns the Report."""
    draft = draft_start(route=route, reporter_role=role, institution=None)
    for step, data in {**STEPS_BY_ROUTE[route], **(steps or {})}.items():
        draft = draft_save_step(draft=draft, step=step, data=data, institution=None)
    return report_submit(draft_id=draft.id).report


def case_without_facts(**answers: Any) -> Case:
    """A case as a database from before insights has it: opened, with no facts.
    `answers` are its report's answers (sealed, as any report's)."""
    report = Report(
        reference=f"WP-OLD{Report.objects.count() + 1:05d}",
        data_key=data_key_create(purpose="report"),
        route="anonymous",
        reporter_role="staff",
    )
    report.answers = answers or {"what": {"behaviours": [{"slug": "following", "label": "F"}]}}
    report.save(force_insert=True)
    case = case_open_from_report(
        report=report, immediate_danger=False, threat_of_violence=False, high_risk_indicator=False
    )
    CaseFacts.objects.filter(case_id=case.pk).delete()  # as before insights recorded any
    return case
