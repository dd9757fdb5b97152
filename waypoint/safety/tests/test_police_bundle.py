"""The police-ready bundle: recorded as a disclosure with its lawful basis before anything
is made; a signed PDF watermarked on every page; a ZIP whose manifest's digests match its
files; every download audited; only what the person shared."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.casework.models import Case, EntryKind, TimelineEntry
from waypoint.casework.tests.conftest import OpenCase
from waypoint.log.export import signature
from waypoint.log.models import LogEvidence
from waypoint.log.services import entry_add_with_files
from waypoint.log.tests.test_export import pdftotext
from waypoint.privacy.models import AuditEvent
from waypoint.safety.models import LawfulBasis, Referral
from waypoint.safety.selectors.bundle import bundle_files_for_case
from waypoint.safety.tests.chronology_support import (
    FILE_BYTES,
    UNSHARED,
    case_log,
    entry_content,
    log_with_entries,
    report_answers,
    report_file,
    share,
)
from waypoint.safety.tests.processes_support import *  # noqa: F403  (fixtures)
from waypoint.safety.tests.processes_support import template_names

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Client]
PURPOSE = "Investigation of crime reference 22/1234/26"


@pytest.fixture
def jordans_case(open_case: OpenCase, adviser: User) -> Case:
    case = open_case(assign=[adviser], answers=report_answers())
    log_with_entries(case, shared=2, unshared=1)
    return case


def _form(case: Case, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "recipient": "Leicestershire Police, DC 1234 Patel",
        "crime_reference": "22/1234/26",
        "purpose": PURPOSE,
        "lawful_basis": LawfulBasis.LEGAL_OBLIGATION,
        "consent_given": "yes",
        "consent_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "consent_method": "verbal",
        "exemption": "",
        "evidence": [file.key for file in bundle_files_for_case(case=case)],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _make(client: Client, case: Case, **changes: Any) -> Referral:
    response = client.post(reverse("safety:bundle", args=[case.pk]), _form(case, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    referral = Referral.objects.get(case=case)
    assert response["Location"] == reverse("safety:bundle_ready", args=[referral.pk])
    return referral


def _zip(client: Client, referral: Referral) -> zipfile.ZipFile:
    response = client.get(reverse("safety:bundle_zip", args=[referral.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(response.content))


# --- Recorded as a disclosure ---------------------------------------------------------------------


def test_making_a_bundle_records_a_police_referral_with_its_lawful_basis(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    report_file(jordans_case)

    referral = _make(sign_in(adviser), jordans_case)

    assert referral.lawful_basis == LawfulBasis.LEGAL_OBLIGATION
    assert referral.consent_given is True
    assert (
        referral.recipient
        == "Police: Leicestershire Police, DC 1234 Patel (crime reference 22/1234/26)"
    )
    assert referral.purpose == PURPOSE
    assert "2 shared incident log entries" in (referral.shared or "")
    assert referral.sent_by == adviser
    entry = TimelineEntry.objects.get(case=jordans_case, kind=EntryKind.REFERRAL)
    assert entry.detail["event"] == "police_bundle"
    assert entry.detail["seqs"] == [1, 2]
    assert len(entry.detail["files"]) == 1
    event = AuditEvent.objects.get(action="bundle.created")
    assert event.object_id == str(referral.pk)
    assert event.extra["lawful_basis"] == LawfulBasis.LEGAL_OBLIGATION
    assert PURPOSE not in str(event.extra) and "Patel" not in str(event.extra)


def test_consent_as_the_basis_needs_the_persons_agreement(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    response = sign_in(adviser).post(
        reverse("safety:bundle", args=[jordans_case.pk]),
        _form(
            jordans_case,
            lawful_basis=LawfulBasis.CONSENT,
            consent_given="no",
            consent_at="",
            consent_method="",
            exemption="crime",
        ),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert "Consent can be the lawful basis only when the person agreed" in page
    assert not Referral.objects.exists()


def test_a_purpose_and_a_recipient_are_required(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    response = sign_in(adviser).post(
        reverse("safety:bundle", args=[jordans_case.pk]),
        _form(jordans_case, purpose="", recipient=""),
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"purpose", "recipient"}
    assert not Referral.objects.exists()


def test_sharing_without_consent_needs_an_exemption(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    referral = _make(
        sign_in(adviser),
        jordans_case,
        consent_given="no",
        consent_at="",
        consent_method="",
        exemption="crime",
        lawful_basis=LawfulBasis.PUBLIC_TASK,
    )

    assert referral.consent_given is False
    assert referral.exemption == "crime"


# --- The PDF --------------------------------------------------------------------------------------


def test_the_pdf_is_signed_and_watermarked_on_every_page_with_who_when_and_why(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    client = sign_in(adviser)
    referral = _make(client, jordans_case)

    response = client.get(reverse("safety:bundle_pdf", args=[referral.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    assert jordans_case.report.reference not in response["Content-Disposition"]
    verdict = signature.verify_pdf(response.content)
    assert verdict.genuine and verdict.summary is not None
    assert verdict.summary.staff_copy
    assert verdict.summary.entries == 2
    pages = _pages(response.content)
    assert len(pages) >= 2
    made_by = f"Staff copy made by {adviser.display_name} (Adviser) on"
    for page in pages:
        assert made_by in page
        assert f"for: {PURPOSE}" in page
    text = " ".join(pages)
    assert "Shared incident 1" in text and "Shared incident 2" in text
    assert UNSHARED not in text  # only what the person shared
    assert "Prepared for: Police: Leicestershire Police" in text
    event = AuditEvent.objects.get(action="bundle.pdf_downloaded")
    assert event.extra["sha256"] == hashlib.sha256(response.content).hexdigest()


def _pages(pdf: bytes) -> list[str]:
    # pdftotext separates pages with a form feed; the helper joins words with spaces.
    import subprocess  # noqa: PLC0415

    pdftotext(pdf)  # skips the test when poppler-utils is missing
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    )
    pages = result.stdout.decode("utf-8").split("\f")
    return [" ".join(page.split()) for page in pages if page.strip()]


def test_the_same_bundle_makes_the_same_pdf_after_more_is_shared(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    client = sign_in(adviser)
    referral = _make(client, jordans_case)
    url = reverse("safety:bundle_pdf", args=[referral.pk])
    first = client.get(url).content
    log = case_log(jordans_case)
    later = entry_add_with_files(log=log, content=entry_content(text="Shared after the bundle"))
    share(later)

    again = client.get(url).content

    assert again == first
    assert "Shared after the bundle" not in " ".join(_pages(again))


# --- The ZIP --------------------------------------------------------------------------------------


def test_the_zip_holds_the_chosen_files_and_a_manifest_whose_digests_match(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    report_file(jordans_case)
    log = case_log(jordans_case)
    upload = SimpleUploadedFile("notes.txt", b"What he said, copied out.\n" * 4, "text/plain")
    with_file = entry_add_with_files(
        log=log, content=entry_content(text="Entry with a file"), uploads=[upload]
    )
    share(with_file)
    unshared_file = entry_add_with_files(
        log=log,
        content=entry_content(text=UNSHARED),
        uploads=[SimpleUploadedFile("secret.txt", b"not shared\n" * 4, "text/plain")],
    )
    offered = {file.name for file in bundle_files_for_case(case=jordans_case)}
    assert offered == {"messages.txt", "notes.txt"}  # never a file of an unshared entry
    client = sign_in(adviser)
    referral = _make(client, jordans_case)

    archive = _zip(client, referral)

    names = archive.namelist()
    assert names[0] == "chronology.pdf"
    assert names[-1] == "MANIFEST.txt"
    assert {n.split("-", 1)[-1] for n in names if n.startswith("evidence/")} == {
        "messages.txt",
        "notes.txt",
    }
    assert archive.read(next(n for n in names if n.endswith("messages.txt"))) == FILE_BYTES
    manifest = archive.read("MANIFEST.txt").decode()
    listed = {}
    for line in manifest.splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            listed[parts[0]] = (int(parts[1]), parts[2])
    assert set(listed) == set(names) - {"MANIFEST.txt"}
    for name, (size, digest) in listed.items():
        data = archive.read(name)
        assert len(data) == size
        assert hashlib.sha256(data).hexdigest() == digest
    pdf = client.get(reverse("safety:bundle_pdf", args=[referral.pk])).content
    pdf_sha = hashlib.sha256(pdf).hexdigest()
    assert f"Signed chronology (chronology.pdf) SHA-256: {pdf_sha}" in manifest
    assert archive.read("chronology.pdf") == pdf
    assert UNSHARED not in " ".join(_pages(pdf))
    assert LogEvidence.objects.filter(entry=unshared_file).exists()
    event = AuditEvent.objects.get(action="bundle.zip_downloaded")
    assert event.extra["files"] == 2
    assert event.extra["pdf_sha256"] == pdf_sha


def test_the_bundle_page_offers_both_downloads_and_is_audited(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    client = sign_in(adviser)
    referral = _make(client, jordans_case)

    response = client.get(reverse("safety:bundle_ready", args=[referral.pk]))

    page = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert reverse("safety:bundle_pdf", args=[referral.pk]) in page
    assert reverse("safety:bundle_zip", args=[referral.pk]) in page
    assert PURPOSE in page
    assert AuditEvent.objects.filter(action="bundle.viewed", object_id=str(referral.pk)).exists()


# --- Who may have it ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["safety:bundle_ready", "safety:bundle_pdf", "safety:bundle_zip"])
def test_someone_who_may_not_see_the_case_gets_what_a_missing_bundle_gets(
    jordans_case: Case,
    adviser: User,
    other_adviser: User,
    sign_in: SignIn,
    name: str,
) -> None:
    referral = _make(sign_in(adviser), jordans_case)
    downloads = AuditEvent.objects.filter(action__startswith="bundle.").count()
    client = sign_in(other_adviser)

    refused = client.get(reverse(name, args=[referral.pk]))
    missing = client.get(reverse(name, args=["00000000-0000-4000-8000-000000000000"]))

    assert refused.status_code == missing.status_code == 404
    assert template_names(refused) == template_names(missing)
    assert AuditEvent.objects.filter(action__startswith="bundle.").count() == downloads


def test_an_ordinary_referral_is_not_a_bundle(
    jordans_case: Case, adviser: User, sign_in: SignIn
) -> None:
    from waypoint.safety.tests.processes_support import referral_make  # noqa: PLC0415

    referral = referral_make(jordans_case)

    response = sign_in(adviser).get(reverse("safety:bundle_zip", args=[referral.pk]))

    assert response.status_code == 404
