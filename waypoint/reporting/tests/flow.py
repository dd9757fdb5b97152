"""Walk the report flow through the real views, as a person would, with the test client.

`answers_for(route, marker)` fills every question (free text with the marker, so tests
can prove it never appears in clear); `make_report(client, route, ...)` posts each step,
submits, reads the receipt and confirms it, and returns the reference and passphrase.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import reverse

from waypoint.reporting.models import Report
from waypoint.reporting.steps import steps_for

UA = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0 UA-MARKER-7f3a"
ADDRESS = "203.0.113.77"


def answers_for(route: str, marker: str) -> dict[str, dict[str, Any]]:
    """Every step's POST data for `route`, free text carrying `marker`."""
    contact = {
        "name": f"Alex {marker} Name",
        "preferred_method": "email",
        "email": f"alex.{marker.lower()}@example.test",
        "phone": "07700 900123",
        "safe_times": f"mornings {marker}",
        "voicemail_ok": "no",
        "text_ok": "yes",
        "safe_email": f"safe.{marker.lower()}@example.test",
        "email_nudges": "on",
    }
    data: dict[str, dict[str, Any]] = {
        "danger": {"immediate_danger": "no"},
        "contact": contact,
        "your-part": {"your_part": "on_behalf", "person_knows": "yes", "person_role": "student"},
        "contact-optional": {**contact, "email_nudges": ""},
        "replies": {"wants_messages": "yes"},
        "what": {"behaviours": ["following", "repeated-contact"], "what_text": f"What {marker}"},
        "when": {"started": "months", "latest": "2026-11-20", "frequency": "weekly"},
        "where": {
            "locations": ["library"],
            "platforms": ["instagram"],
            "off_campus": "on",
            "where_text": f"Where {marker}",
        },
        "who": {
            "relationship": "student",
            "affiliation": "student",
            "person_name": f"Sam {marker}",
            "student_number": "AB123456",
            "person_email": "Sam.Perp+x@Example.test",
            "person_phone": "+44 7700 900999",
            "handles": f"@sam_{marker.lower()}\nhttps://instagram.com/sam.other",
            "description": f"Tall {marker}",
        },
        "impact": {"impact": ["afraid", "sleep"], "impact_text": f"Impact {marker}"},
        "police": {"police_reported": "yes", "crime_reference": f"CR-{marker}"},
        "support": {"support": ["adviser", "safety"], "support_text": f"Support {marker}"},
    }
    return {
        slug: values
        for slug, values in data.items()
        if any(s.slug == slug for s in steps_for(route))
    }


def reporter_client() -> Client:
    """A browser as the server sees it: with an address and a user agent to forget."""
    return Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=UA)


@dataclass(frozen=True)
class Made:
    report: Report
    reference: str
    passphrase: str


def start(client: Client, route: str, role: str = "student") -> None:
    response = client.post(reverse("reporting:start"), {"route": route, "reporter_role": role})
    assert response.status_code == 302, response.content[:500]


def answer_steps(client: Client, route: str, answers: dict[str, dict[str, Any]]) -> None:
    for step in steps_for(route):
        if step.form_class is None:
            continue
        response = client.post(
            reverse("reporting:step", kwargs={"step": step.slug}), answers.get(step.slug, {})
        )
        assert response.status_code == 302, (step.slug, response.content[:2000])


def receipt_passphrase(client: Client) -> str:
    page = client.get(reverse("reporting:receipt"))
    assert page.status_code == 200
    passphrase = page.context["passphrase"]
    assert passphrase, "the receipt page showed no passphrase"
    return str(passphrase)


def confirm_receipt(client: Client, passphrase: str) -> None:
    page = client.get(reverse("reporting:receipt_check"))
    assert page.status_code == 200
    first, second = page.context["form"].positions
    words = passphrase.split()
    response = client.post(
        reverse("reporting:receipt_check"),
        {"first": words[first - 1], "second": words[second - 1]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:sent")


def make_report(
    client: Client,
    route: str = "support",
    *,
    marker: str = "CANARY-0",
    answers: dict[str, dict[str, Any]] | None = None,
    files: list[Any] | None = None,
) -> Made:
    start(client, route)
    answer_steps(client, route, answers or answers_for(route, marker))
    if files:
        response = client.post(reverse("reporting:evidence"), {"action": "upload", "files": files})
        assert response.status_code == 302, response.content[:2000]
    review = client.get(reverse("reporting:review"))
    assert review.status_code == 200
    token = review.context["draft"].id
    response = client.post(reverse("reporting:submit"), {"token": str(token)})
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:receipt")
    passphrase = receipt_passphrase(client)
    report = Report.objects.get(draft_token=token)
    confirm_receipt(client, passphrase)
    return Made(report=report, reference=report.reference, passphrase=passphrase)


def sign_in(client: Client, reference: str, passphrase: str) -> Any:
    return client.post(
        reverse("reporting:return"), {"reference": reference, "passphrase": passphrase}
    )
