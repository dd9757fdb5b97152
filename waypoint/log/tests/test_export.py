"""Jordan's record as a signed PDF and as CSV, made from a hand-built Chronology.

No models are needed: the export only ever sees a Chronology (log/chronology.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from dataclasses import replace

import pytest

from waypoint.log.chronology import Chronology, Entry, EvidenceItem, Integrity
from waypoint.log.export import signature
from waypoint.log.export.csv import export_csv, safe_cell
from waypoint.log.export.pdf import export_pdf, html_to_pdf, render_html
from waypoint.log.export.rows import ordered_entries

UTC = dt.UTC
BUS_STOP_SHA = "5f1c0a7e" * 8
MESSAGES_SHA = "9b2de4c1" * 8
FINAL_DIGEST = "0d4e6f8a" * 8


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11 if day > 20 else 12, day, hour, minute, tzinfo=UTC)


def jordans_chronology(**changes: object) -> Chronology:
    """Jordan's log: three incidents, the first corrected, two evidence files."""
    followed = Entry(
        seq=1,
        happened="28 November 2026, about 9pm",
        happened_sort=at(28, 21),
        recorded_at=at(29, 8, 5),
        where="Library café, then the bus stop on University Road",
        what="Followed me from the library to the bus stop",
        behaviours=("Following",),
        who=("Sam Taylor (on my course)",),
        witnesses="My friend Priya saw him waiting outside",
        affected="I stopped going to the library in the evening",
        police="",
        evidence=(1,),
        recorded_by="the person",
        corrected_by=(4,),
        digest="a1" * 32,
    )
    messages = Entry(
        seq=2,
        happened="1 December 2026, overnight",
        happened_sort=at(1, 1),
        recorded_at=at(1, 9, 30),
        where="Instagram direct messages",
        what="Twelve messages overnight, saying he knows where I live",
        behaviours=("Repeated messages",),
        who=("Sam Taylor",),
        witnesses="",
        affected="",
        police="PC 4521 Okafor, crime reference 22/118734/26",
        evidence=(2,),
        recorded_by="the person",
        digest="b2" * 32,
    )
    doorstep = Entry(
        seq=3,
        happened="2 December 2026, 7.40am",
        happened_sort=at(2, 7, 40),
        recorded_at=at(2, 12, 0),
        where="Outside my flat, Victoria Park Road",
        what="Waiting across the road when I left for a lecture",
        behaviours=("Turning up",),
        who=("Sam Taylor",),
        witnesses="",
        affected="Missed my lecture",
        police="",
        evidence=(),
        recorded_by="staff, after a phone call",
        digest="c3" * 32,
    )
    correction = Entry(
        seq=4,
        happened="28 November 2026, about 10pm",
        happened_sort=at(28, 22),
        recorded_at=at(3, 10, 15),
        where="Library café, then the number 48 bus",
        what="Followed me to the bus stop and got on the same bus",
        behaviours=("Following",),
        who=("Sam Taylor (on my course)",),
        witnesses="My friend Priya saw him waiting outside",
        affected="I stopped going to the library in the evening",
        police="",
        evidence=(1,),
        recorded_by="the person",
        corrects=1,
        digest=FINAL_DIGEST,
    )
    base = Chronology(
        reference="WP-7KQ4-M2XD",
        institution="University of Leicester",
        made_at=at(3, 16, 0),
        entries=(followed, messages, doorstep, correction),
        evidence=(
            EvidenceItem(1, "bus-stop.jpg", "image/jpeg", 183_412, BUS_STOP_SHA),
            EvidenceItem(2, "messages.png", "image/png", 64_220, MESSAGES_SHA),
        ),
        final_digest=FINAL_DIGEST,
        integrity=Integrity(intact=True),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def pdftotext(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian's poppler-utils) is not installed")
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    )
    return " ".join(result.stdout.decode("utf-8").split())


@pytest.fixture(scope="module")
def jordans_pdf() -> bytes:
    return export_pdf(jordans_chronology())


@pytest.fixture(scope="module")
def jordans_text(jordans_pdf: bytes) -> str:
    return pdftotext(jordans_pdf)


# --- The PDF -------------------------------------------------------------------------------


def test_the_pdf_is_signed_and_verifies_as_genuine(jordans_pdf):
    verdict = signature.verify_pdf(jordans_pdf)
    assert verdict.genuine
    assert verdict.summary is not None
    assert verdict.summary.reference == "WP-7KQ4-M2XD"
    assert verdict.summary.entries == 4
    assert (verdict.summary.incidents, verdict.summary.corrections) == (3, 1)
    assert verdict.summary.first_recorded == at(29, 8, 5)
    assert verdict.summary.last_recorded == at(3, 10, 15)
    assert verdict.summary.final_digest == FINAL_DIGEST


def test_the_signature_lines_stay_within_the_last_kilobyte_readers_search(jordans_pdf):
    trailer = jordans_pdf[jordans_pdf.rindex(b"%%EOF") :]
    assert len(trailer) < 1024
    assert trailer.startswith(b"%%EOF\n" + signature.MARKER)


def test_pdftotext_shows_the_cover_every_incident_and_how_to_verify(jordans_text):
    for words in (
        "Incident log WP-7KQ4-M2XD",
        "University of Leicester",
        "Incidents 3 (and 1 correction)",
        "From 28 November 2026, about 9pm to 2 December 2026, 7.40am",
        "How to check this record is genuine",
        "/verify/",
        "Followed me from the library to the bus stop",
        "Twelve messages overnight, saying he knows where I live",
        "Waiting across the road when I left for a lecture",
        "PC 4521 Okafor, crime reference 22/118734/26",
        "My friend Priya saw him waiting outside",
        "staff, after a phone call",
        "Page 1 of",
    ):
        assert words in jordans_text, words


def test_the_correction_is_shown_right_after_its_original_which_stays_in_full(jordans_text):
    original = jordans_text.index("Followed me from the library to the bus stop")
    correction = jordans_text.index("Followed me to the bus stop and got on the same bus")
    next_incident = jordans_text.index("saying he knows where I live")
    # pdftotext reads a table row cell by cell, so only the rows' order is certain.
    assert original < correction < next_incident
    assert original < jordans_text.index("Correction of entry 1") < next_incident
    assert "Corrected later: see entry 4" in jordans_text


def test_the_evidence_index_and_the_final_digest_are_real_text(jordans_text):
    for words in (
        "Evidence index",
        "bus-stop.jpg",
        "image/jpeg",
        "183412 bytes",
        f"SHA-256 {BUS_STOP_SHA}",
        f"SHA-256 {MESSAGES_SHA}",
        FINAL_DIGEST,
        "Verification code",
    ):
        assert words in jordans_text, words


def test_each_incident_lists_its_evidence_by_number(jordans_text):
    # Entry 1 and its correction both list file 1; entry 2 lists file 2.
    assert jordans_text.count("Evidence 1") >= 2
    assert "Evidence 2" in jordans_text


def pdf_lines(pdf: bytes) -> list[str]:
    """pdftotext's lines, as they are (a digest broken across two lines is two lines)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian's poppler-utils) is not installed")
    raw = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return [line.strip() for line in raw.splitlines()]


def test_every_sha256_is_one_unbroken_string_that_pdftotext_extracts(jordans_pdf):
    """An officer copies the digest from the PDF: it must not come out in two pieces."""
    lines = pdf_lines(jordans_pdf)
    for digest in (BUS_STOP_SHA, MESSAGES_SHA):
        assert digest in lines, digest


def test_a_long_file_name_wraps_and_its_digest_stays_whole():
    long_name = "screenshot-of-the-messages-sent-overnight-" * 4 + ".png"
    sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    chronology = jordans_chronology(
        evidence=(
            EvidenceItem(1, long_name, "image/png", 1_234_567, sha),
            EvidenceItem(2, "messages.png", "image/png", 64_220, MESSAGES_SHA),
        )
    )
    assert sha in pdf_lines(export_pdf(chronology))


def test_the_printed_verification_code_checks_as_genuine(jordans_text):
    printed = jordans_text.split("Verification code", 1)[1]
    groups = printed.split("check them. ", 1)[1].split(" The PDF file itself")[0]
    verdict = signature.verify_code(groups)
    assert verdict.genuine
    assert verdict.summary is not None
    assert verdict.summary.reference == "WP-7KQ4-M2XD"
    assert verdict.summary.entries == 4
    assert FINAL_DIGEST.startswith(verdict.summary.final_digest)


def test_an_altered_record_says_so_on_its_cover_and_marks_the_entries():
    altered = jordans_chronology(
        integrity=Integrity(
            intact=False, problem="Entry 3 was changed after it was written.", first_bad_seq=3
        )
    )
    text = pdftotext(export_pdf(altered))
    cover = text.split("How to check this record is genuine")[0]
    assert "Warning: this record was altered after it was written." in cover
    assert "Entry 3 was changed after it was written." in cover
    assert "Entry 3 and every entry after it cannot be confirmed" in cover
    assert text.count("Cannot be confirmed") == 2  # entries 3 and 4


def test_a_staff_copy_carries_who_made_it_and_why_on_every_page():
    copy = jordans_chronology(made_by="Alex Morgan (adviser)", purpose="Referral to the police")
    pdf = export_pdf(copy)
    text = pdftotext(pdf)
    pages = text.count("Page ")
    assert text.count("Staff copy made by Alex Morgan (adviser)") >= pages
    assert "for: Referral to the police" in text
    verdict = signature.verify_pdf(pdf)
    assert verdict.summary is not None and verdict.summary.staff_copy


def test_the_html_loads_nothing_from_anywhere():
    html = render_html(jordans_chronology(), code="ABCD", key_id=1)
    for needle in ("src=", "href=", "@import", "url(", "<link"):
        assert needle not in html, needle


def test_the_person_s_words_are_escaped_in_the_html():
    mischief = jordans_chronology(
        entries=(
            replace(
                jordans_chronology().entries[0],
                what='<img src="http://tracker.example/x.png"> and <b>bold</b>',
            ),
        )
    )
    html = render_html(mischief, code="ABCD", key_id=1)
    assert "<img" not in html
    assert "&lt;img src=" in html


def test_an_unsigned_rendering_of_the_same_html_is_not_accepted():
    chronology = jordans_chronology()
    code = signature.make_code(signature.summary_of(chronology))
    handmade = html_to_pdf(render_html(chronology, code=code, key_id=1))
    assert signature.verify_pdf(handmade).problem == signature.NO_SIGNATURE


def test_incidents_are_in_the_order_they_happened_with_corrections_after_originals():
    order = [entry.seq for entry in ordered_entries(jordans_chronology())]
    assert order == [1, 4, 2, 3]


# --- The CSV -------------------------------------------------------------------------------


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_csv_has_the_pdf_s_rows_with_evidence_digests():
    table = read_csv(export_csv(jordans_chronology()))
    header, rows = table[0], table[1:]
    assert header[:3] == ["Entry", "Happened", "Recorded"]
    assert [row[0] for row in rows] == ["1", "4", "2", "3"]
    first = dict(zip(header, rows[0], strict=True))
    assert first["What happened"] == "Followed me from the library to the bus stop"
    assert first["Corrected by entries"] == "4"
    assert BUS_STOP_SHA in first["Evidence"]
    correction = dict(zip(header, rows[1], strict=True))
    assert correction["Correction of entry"] == "1"


def test_the_csv_makes_formula_like_cells_inert():
    sneaky = replace(
        jordans_chronology().entries[1],
        what='=HYPERLINK("http://evil.example","click")',
        witnesses="+44 7700 900123",
        police="-1+1",
        who=("@SUM(A1:A9)",),
    )
    table = read_csv(export_csv(jordans_chronology(entries=(sneaky,))))
    row = dict(zip(table[0], table[1], strict=True))
    assert row["What happened"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["Witnesses"] == "'+44 7700 900123"
    assert row["Police"] == "'-1+1"
    assert row["Who"] == "'@SUM(A1:A9)"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_every_formula_start_is_prefixed(value):
    assert safe_cell(value) == "'" + value


def test_ordinary_words_are_left_alone():
    assert safe_cell("Followed me - again") == "Followed me - again"


def test_a_log_with_no_entries_still_exports_and_verifies():
    empty = jordans_chronology(entries=(), evidence=(), final_digest="")
    pdf = export_pdf(empty)
    text = pdftotext(pdf)
    assert "No incidents have been recorded in this log." in text
    assert "No files were kept with this log." in text
    verdict = signature.verify_pdf(pdf)
    assert verdict.genuine
    assert verdict.summary is not None
    assert verdict.summary.entries == 0
    assert verdict.summary.first_recorded is None
    assert signature.verify_code(signature.make_code(signature.summary_of(empty))).genuine
