"""Risk instruments as data: scoring and banding, validation, the loader and its command,
and the admin pages where administrators add a new version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from waypoint.accounts.models import User
from waypoint.privacy.models import AuditEvent
from waypoint.safety import instruments
from waypoint.safety.instruments import InstrumentError
from waypoint.safety.models import Assessment, InstrumentVersion, RiskInstrument
from waypoint.safety.services.risk import (
    document_sha256,
    instrument_file_read,
    instrument_load,
    shipped_instrument_files,
)
from waypoint.safety.tests.risk_support import (  # noqa: F401  (fixtures)
    DASH,
    SCREENING,
    OpenCase,
    answers,
    assess,
    current_version,
    fixture_open_case,
    fixture_tasks_must_succeed,
    load_changed,
    shipped_document,
)

pytestmark = pytest.mark.django_db


def _definition(slug: str) -> instruments.Definition:
    return instruments.parse_definition(shipped_document(slug))


# --- The shipped instruments -----------------------------------------------------------------


def test_a_fresh_install_has_both_shipped_instruments_loaded_and_current() -> None:
    for slug in (DASH, SCREENING):
        version = current_version(slug)
        assert version.version == 1
        assert version.sha256 == document_sha256(shipped_document(slug))
        assert version.instrument.is_active
    assert {path.stem for path in shipped_instrument_files()} == {DASH, SCREENING}


def test_the_shipped_checklists_have_24_and_11_questions() -> None:
    assert len(_definition(DASH).items) == 24
    assert _definition(DASH).rule == "count_yes"
    assert len(_definition(SCREENING).items) == 11
    assert _definition(SCREENING).rule == "count_only"


@pytest.mark.parametrize(
    ("yes", "band"),
    [(0, "standard"), (9, "standard"), (10, "medium"), (13, "medium"), (14, "high"), (24, "high")],
)
def test_the_dash_checklist_bands_by_the_number_of_yes_answers(yes: int, band: str) -> None:
    definition = _definition(DASH)

    result = instruments.score(definition, answers(current_version(DASH), yes=yes))

    assert result.score == yes
    assert result.computed_band == band
    assert result.unanswered == ()


def test_dont_know_answers_are_not_counted_as_yes() -> None:
    definition = _definition(DASH)

    result = instruments.score(definition, answers(current_version(DASH), yes=13, rest="dont_know"))

    assert (result.score, result.computed_band) == (13, "medium")


def test_the_stalking_screening_counts_and_names_high_concern_items_without_a_band() -> None:
    definition = _definition(SCREENING)
    given = answers(current_version(SCREENING), yes_keys=("very_frightened", "property", "threats"))

    result = instruments.score(definition, given)

    assert result.score == 3
    assert result.computed_band == ""
    assert result.high_concern == (
        "Are they very frightened?",
        "Has the other person threatened physical or sexual violence since this began?",
    )


def test_professional_judgement_may_raise_a_band_but_never_lower_it() -> None:
    dash = _definition(DASH)
    assert instruments.judgement_allowed(dash, computed="medium", judged="high")
    assert instruments.judgement_allowed(dash, computed="medium", judged="medium")
    assert not instruments.judgement_allowed(dash, computed="high", judged="medium")
    assert not instruments.judgement_allowed(dash, computed="standard", judged="severe")
    screening = _definition(SCREENING)
    assert instruments.judgement_allowed(screening, computed="", judged="standard")


# --- Invalid files -----------------------------------------------------------------------------


def _broken(change: Any) -> dict[str, Any]:
    document = shipped_document(DASH)
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("slug"), "instrument: 'slug' must be a non-empty text."),
        (lambda d: d.update(version=0), "'version' must be a whole number from 1"),
        (lambda d: d.update(version="2"), "'version' must be a whole number from 1"),
        (lambda d: d.update(items=[]), "'items' must be a non-empty list"),
        (lambda d: d["items"][3].update(key="injury"), "every item needs its own 'key'"),
        (lambda d: d["items"][2].pop("label"), "item 3: 'label' must be a non-empty text."),
        (lambda d: d.update(scoring={"rule": "sum"}), "'scoring.rule' must be one of"),
        (lambda d: d["bands"][0].update(min=1), "the lowest band must start at 0"),
        (lambda d: d["bands"][2].update(min=9), "band minimums must rise"),
        (lambda d: d["bands"][2].update(min=30), "a band starts above the number of items"),
        (lambda d: d["bands"][1].update(review_days=0), "band 2: 'review_days' must be"),
        (lambda d: d["bands"][1].update(actions="call"), "band 2 actions: must be a list"),
        (lambda d: d.update(slug="Risk checklist"), "'slug' must be up to 60 lower-case"),
        (lambda d: d.update(slug="a" * 61), "'slug' must be up to 60 lower-case"),
        (lambda d: d.update(name="n" * 121), "'name' must be up to 120 characters"),
        (lambda d: d["bands"][2].update(key="k" * 21), "band 3: 'key' must be up to 20"),
    ],
)
def test_an_invalid_instrument_is_refused_with_a_clear_reason(change: Any, message: str) -> None:
    document = _broken(change)

    with pytest.raises(InstrumentError, match=message.replace("(", r"\(")):
        instrument_load(document=document, source="test")

    assert InstrumentVersion.objects.count() == 2


def test_a_file_that_is_not_json_says_where_the_problem_is(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"slug": "x",\n  "version": 1,,\n}')

    with pytest.raises(InstrumentError) as caught:
        instrument_file_read(path)

    assert str(caught.value).startswith("broken.json: is not valid JSON (line 2, column 16")


def test_a_file_holding_a_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[]")

    with pytest.raises(InstrumentError, match=r"list.json: must hold one JSON object\."):
        instrument_file_read(path)


# --- Loading ---------------------------------------------------------------------------------


def test_loading_the_same_content_again_changes_nothing() -> None:
    before = current_version(DASH)
    document = shipped_document(DASH)
    # Key order and spacing are not content.
    reordered = json.loads(json.dumps(dict(reversed(list(document.items())))))

    assert instrument_load(document=document, source="test") is None
    assert instrument_load(document=reordered, source="test") is None

    assert InstrumentVersion.objects.count() == 2
    assert current_version(DASH) == before
    assert not AuditEvent.objects.filter(action="instrument.load").exists()


def test_a_changed_file_with_a_higher_version_becomes_the_current_version() -> None:
    old = current_version(DASH)

    new = load_changed(DASH, version=2, label="Were they injured in the latest incident?")

    assert new.version == 2
    assert current_version(DASH) == new
    old.refresh_from_db()
    assert not old.is_current
    assert old.definition == shipped_document(DASH)
    event = AuditEvent.objects.get(action="instrument.load")
    assert event.object_id == str(new.pk)
    assert event.extra == {"instrument": DASH, "version": 2, "source": "test"}


def test_a_changed_file_that_keeps_a_loaded_version_number_is_refused() -> None:
    document = shipped_document(DASH)
    document["items"][0]["label"] = "Changed wording"

    with pytest.raises(InstrumentError) as caught:
        instrument_load(document=document, source="test")

    assert str(caught.value) == (
        "dash-topics: version 1 is already loaded with different content, and assessments "
        "may use it. Nothing was changed. To load the new content, give it version 2."
    )
    assert InstrumentVersion.objects.count() == 2
    assert current_version(DASH).definition == shipped_document(DASH)


def test_an_older_version_number_than_the_loaded_one_is_refused() -> None:
    load_changed(DASH, version=3, label="Version three")
    document = shipped_document(DASH)
    document["version"] = 2
    document["items"][0]["label"] = "Version two"

    with pytest.raises(InstrumentError, match="version 2 is older than the loaded version 3"):
        instrument_load(document=document, source="test")

    assert current_version(DASH).version == 3


def test_reloading_an_older_file_already_loaded_changes_nothing() -> None:
    load_changed(DASH, version=2, label="Version two")

    assert instrument_load(document=shipped_document(DASH), source="test") is None

    assert current_version(DASH).version == 2


def test_a_new_instrument_is_created_by_loading_its_first_version() -> None:
    document = shipped_document(SCREENING)
    document.update(slug="local-screening", name="Local screening", version=4)

    version = instrument_load(document=document, source="test")

    assert version is not None
    assert version.instrument.name == "Local screening"
    assert version.version == 4
    assert RiskInstrument.objects.count() == 3


# --- The command -------------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2))
    return path


def test_the_command_with_no_file_reloads_the_shipped_instruments_idempotently(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("load_instrument")

    output = capsys.readouterr().out
    assert "dash-topics.json: dash-topics version 1 is already loaded." in output
    assert "stalking-screening.json: stalking-screening version 1 is already loaded." in output
    assert InstrumentVersion.objects.count() == 2


def test_the_command_loads_a_licensed_file_as_the_new_current_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = shipped_document(DASH)
    document["version"] = 2
    document["items"][0]["label"] = "Official wording of question 1"
    path = _write(tmp_path, "official-dash.json", document)

    call_command("load_instrument", str(path))

    assert "official-dash.json: loaded dash-topics version 2" in capsys.readouterr().out
    assert current_version(DASH).definition["items"][0]["label"] == (
        "Official wording of question 1"
    )
    call_command("load_instrument", str(path))
    assert InstrumentVersion.objects.filter(instrument__slug=DASH).count() == 2


def test_the_command_refuses_a_changed_file_with_the_same_version_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = shipped_document(DASH)
    changed["items"][0]["label"] = "Changed without a new version number"
    other = shipped_document(SCREENING)
    other["version"] = 2
    other["items"][0]["label"] = "A good change"
    bad = _write(tmp_path, "changed.json", changed)
    good = _write(tmp_path, "screening-v2.json", other)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")

    with pytest.raises(CommandError) as caught:
        call_command("load_instrument", str(bad), str(good), str(broken))

    message = str(caught.value)
    assert "- changed.json: dash-topics: version 1 is already loaded with different" in message
    assert "- broken.json: is not valid JSON (line 1, column 2" in message
    # One refused file does not stop the others.
    assert current_version(SCREENING).version == 2
    assert current_version(DASH).version == 1


def test_the_command_reports_an_invalid_instrument_file(tmp_path: Path) -> None:
    document = shipped_document(DASH)
    document["bands"][0]["min"] = 2
    path = _write(tmp_path, "bad-bands.json", document)

    with pytest.raises(CommandError, match=r"bad-bands\.json: instrument: the lowest band must"):
        call_command("load_instrument", str(path))


def test_the_command_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"nothing\.json: cannot be read"):
        call_command("load_instrument", str(tmp_path / "nothing.json"))


# --- The admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin_signed_in(signed_in_client: Any, administrator: User) -> Client:
    client: Client = signed_in_client(administrator)
    return client


def _add_url() -> str:
    return reverse("admin:safety_instrumentversion_add")


def test_administrators_see_instrument_versions_read_only(
    admin_signed_in: Client, adviser: User, open_case: OpenCase
) -> None:
    version = current_version(DASH)
    case = open_case(assign=[adviser])
    assess(case, adviser, yes=3)

    listing = admin_signed_in.get(reverse("admin:safety_instrumentversion_changelist"))
    page = admin_signed_in.get(reverse("admin:safety_instrumentversion_change", args=[version.pk]))

    assert listing.status_code == 200
    assert page.status_code == 200
    body = page.content.decode()
    assert "Used by" in body and "1 assessment" in body
    assert "Were they hurt in what happened most recently?" in body
    assert 'name="_save"' not in body  # nothing to save: a version is never edited
    changed = admin_signed_in.post(
        reverse("admin:safety_instrumentversion_change", args=[version.pk]),
        {"document_text": "{}"},
    )
    assert changed.status_code == 403
    deleted = admin_signed_in.post(
        reverse("admin:safety_instrumentversion_delete", args=[version.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403
    assert InstrumentVersion.objects.filter(pk=version.pk, definition=version.definition).exists()


def test_an_administrator_adds_a_new_version_by_pasting_the_file(admin_signed_in: Client) -> None:
    document = shipped_document(DASH)
    document["version"] = 2
    document["items"][0]["label"] = "Pasted wording"

    response = admin_signed_in.post(_add_url(), {"document_text": json.dumps(document)})

    assert response.status_code == 302
    current = current_version(DASH)
    assert current.version == 2
    assert current.definition["items"][0]["label"] == "Pasted wording"
    event = AuditEvent.objects.get(action="instrument.load")
    assert event.extra["source"] == "admin"
    assert event.actor_kind == "staff"


def test_an_administrator_adds_a_new_version_by_uploading_the_file(admin_signed_in: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    document = shipped_document(SCREENING)
    document["version"] = 2
    upload = SimpleUploadedFile(
        "screening.json", json.dumps(document).encode(), content_type="application/json"
    )

    response = admin_signed_in.post(_add_url(), {"document_file": upload})

    assert response.status_code == 302
    assert current_version(SCREENING).version == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Paste the instrument file or upload it (one of the two)."),
        ("{oops", "This is not valid JSON (line 1, column 2"),
        ('{"version": 2}', "instrument: &#x27;items&#x27; must be a non-empty list."),
    ],
)
def test_the_admin_explains_why_a_file_cannot_be_added(
    admin_signed_in: Client, text: str, message: str
) -> None:
    response = admin_signed_in.post(_add_url(), {"document_text": text})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert InstrumentVersion.objects.count() == 2


def test_the_admin_refuses_a_changed_file_that_keeps_its_version_number(
    admin_signed_in: Client,
) -> None:
    document = shipped_document(DASH)
    document["items"][0]["label"] = "Changed in place"

    response = admin_signed_in.post(_add_url(), {"document_text": json.dumps(document)})

    assert response.status_code == 200
    assert "version 1 is already loaded with different content" in response.content.decode()
    assert current_version(DASH).definition == shipped_document(DASH)


def test_the_admin_says_when_the_same_file_is_already_loaded(admin_signed_in: Client) -> None:
    response = admin_signed_in.post(
        _add_url(), {"document_text": json.dumps(shipped_document(DASH))}
    )

    assert response.status_code == 200
    assert "This is exactly version 1 of dash-topics, which is already loaded" in (
        response.content.decode()
    )


def test_an_instrument_is_retired_not_deleted_and_the_change_is_audited(
    admin_signed_in: Client,
) -> None:
    instrument = RiskInstrument.objects.get(slug=SCREENING)
    url = reverse("admin:safety_riskinstrument_change", args=[instrument.pk])

    response = admin_signed_in.post(
        url,
        {
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
            "versions-0-id": str(current_version(SCREENING).pk),
            "versions-0-instrument": str(instrument.pk),
        },
    )

    assert response.status_code == 302
    instrument.refresh_from_db()
    assert not instrument.is_active
    assert AuditEvent.objects.get(action="instrument.update").extra == {
        "instrument": SCREENING,
        "is_active": False,
    }
    assert (
        admin_signed_in.post(
            reverse("admin:safety_riskinstrument_delete", args=[instrument.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert admin_signed_in.get(reverse("admin:safety_riskinstrument_add")).status_code == 403


def test_the_admin_registers_no_model_that_holds_case_content() -> None:
    from waypoint.accounts.admin_site import admin_site  # noqa: PLC0415

    registered = {model for model in admin_site._registry if model._meta.app_label == "safety"}
    assert registered == {RiskInstrument, InstrumentVersion}
    assert Assessment not in registered
