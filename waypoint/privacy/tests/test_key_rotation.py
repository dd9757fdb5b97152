from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from waypoint.privacy import keysets
from waypoint.privacy.audit import verify_audit_chain
from waypoint.privacy.crypto import (
    DecryptionError,
    decrypt_with_kek,
    encrypt_with_kek,
    reset_key_caches,
    wrapping_key_id,
)
from waypoint.privacy.identifiers import identifier_digest, identifier_digest_candidates
from waypoint.privacy.models import AuditEvent, AuditHead, DataKey
from waypoint.privacy.services import audit_record, data_key_create
from waypoint.privacy.tests.testmodels import SealedRecord

pytestmark = pytest.mark.django_db


def rotate(kind: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_keyset", kind, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rewrap() -> str:
    out = io.StringIO()
    call_command("rewrap_data_keys", stdout=out)
    return out.getvalue()


def retire_all_but_primary(path: Path) -> None:
    """What an operator does once backups older than the rewrap have expired."""
    document = json.loads(path.read_text())
    document["key"] = [key for key in document["key"] if key["keyId"] == document["primaryKeyId"]]
    keysets.write_private_file(path, json.dumps(document), exclusive=False)


def test_it_rotates_only_the_configured_copy(keyset_copies, settings):
    real = Path(settings.BASE_DIR) / "var" / "keys" / "kek.json"
    before = real.read_bytes() if real.exists() else None
    output, _ = rotate("kek")
    assert str(keyset_copies["kek"]) in output
    assert len(json.loads(keyset_copies["kek"].read_text())["key"]) == 2
    if before is not None:
        assert real.read_bytes() == before
    assert AuditEvent.objects.filter(
        seq=AuditHead.objects.get(pk=1).seq, action="privacy.keyset_rotated", object_id="kek"
    ).exists()


def test_it_keeps_old_data_readable_across_kek_rotation_and_rewrap(keyset_copies, sealed_tables):
    old_key = data_key_create(purpose="report")
    record = SealedRecord.objects.create(data_key=old_key, secret="written before rotation")
    totp = encrypt_with_kek(b"JBSWY3DPEHPK3PXP", associated_data=b"mfa.totp|u1")
    old_kek_id = wrapping_key_id(old_key.wrapped)

    output, _ = rotate("kek")
    assert "rewrap_data_keys" in output
    reset_key_caches()  # make every read below unwrap again with the rotated keyset

    assert SealedRecord.objects.get(pk=record.pk).secret == "written before rotation"
    new_key = data_key_create(purpose="report")
    assert wrapping_key_id(new_key.wrapped) not in {None, old_kek_id}

    assert "Re-wrapped 1 data keys; 1 were already under the primary key" in rewrap()
    assert "Re-wrapped 0 data keys; 2 were already under the primary key" in rewrap()
    rewrapped = DataKey.objects.get(pk=old_key.pk)
    assert rewrapped.wrapped != old_key.wrapped
    assert wrapping_key_id(rewrapped.wrapped) == wrapping_key_id(new_key.wrapped)
    assert SealedRecord.objects.get(pk=record.pk).secret == "written before rotation"

    # Once the old KEK key is retired, only rewrapped keys still open.
    retire_all_but_primary(keyset_copies["kek"])
    reset_key_caches()
    assert SealedRecord.objects.get(pk=record.pk).secret == "written before rotation"
    with pytest.raises(DecryptionError):
        decrypt_with_kek(totp, associated_data=b"mfa.totp|u1")


def test_it_reports_data_keys_it_cannot_unwrap(keyset_copies):
    broken = DataKey.objects.create(purpose="report", wrapped=b"\x00not a keyset")
    with pytest.raises(CommandError) as raised:
        rewrap()
    assert raised.value.returncode == 1
    assert DataKey.objects.get(pk=broken.pk).wrapped == b"\x00not a keyset"


def test_it_warns_that_identifier_digests_stay_under_the_old_key(keyset_copies):
    before = identifier_digest("email", "janedoe@gmail.com")
    _, warning = rotate("identifier")
    assert "WARNING" in warning
    after = identifier_digest("email", "janedoe@gmail.com")
    assert after != before
    assert identifier_digest_candidates("email", "janedoe@gmail.com") == [after, before]


def test_it_verifies_audit_entries_written_before_and_after_an_audit_key_rotation(
    keyset_copies,
):
    audit_record(actor=None, action="test.before_rotation")
    rotate("audit")
    audit_record(actor=None, action="test.after_rotation")
    before = AuditEvent.objects.filter(action="test.before_rotation").get()
    after = AuditEvent.objects.filter(action="test.after_rotation").get()
    assert before.key_id != after.key_id
    assert verify_audit_chain().ok


def test_it_refuses_an_unknown_keyset_kind(keyset_copies):
    with pytest.raises(CommandError):
        rotate("session")
