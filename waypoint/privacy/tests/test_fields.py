from __future__ import annotations

import pickle
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import FieldError
from django.db import connection, models
from django.test.utils import isolate_apps

from waypoint.privacy.crypto import DecryptionError, EncryptionError
from waypoint.privacy.fields import Ciphertext, EncryptedTextField
from waypoint.privacy.services import data_key_create, data_key_shred
from waypoint.privacy.tests.testmodels import SealedNote, SealedRecord


@pytest.fixture
def record(db, sealed_tables) -> SealedRecord:
    record = SealedRecord(data_key=data_key_create(purpose="report"), secret="he followed me")
    record.save()
    return record


def raw_column(model: type[models.Model], pk: object, column: str) -> bytes | None:
    value = model._default_manager.filter(pk=pk).values_list(column, flat=True).get()
    return None if value is None else bytes(value)


def reload(record: SealedRecord) -> SealedRecord:
    return SealedRecord.objects.get(pk=record.pk)


def test_it_stores_ciphertext_and_reads_plaintext(record):
    stored = raw_column(SealedRecord, record.pk, "secret")
    assert stored is not None
    assert b"he followed me" not in stored
    assert reload(record).secret == "he followed me"


def test_it_binds_the_ciphertext_to_model_column_and_row(record):
    field = SealedRecord._meta.get_field("secret")
    assert isinstance(field, EncryptedTextField)
    assert field.context_for(record) == (
        f"waypoint:v1|privacy_tests.sealedrecord|secret|{record.pk}"
    )


def test_it_gives_different_ciphertexts_for_equal_plaintexts(record):
    twin = SealedRecord.objects.create(data_key=record.data_key, secret="he followed me")
    assert raw_column(SealedRecord, record.pk, "secret") != raw_column(
        SealedRecord, twin.pk, "secret"
    )


def test_it_fails_closed_when_a_ciphertext_is_moved_to_another_row(record):
    other = SealedRecord.objects.create(data_key=record.data_key, secret="something else")
    stolen = raw_column(SealedRecord, record.pk, "secret")
    SealedRecord.objects.filter(pk=other.pk).update(secret=stolen)
    with pytest.raises(DecryptionError):
        _ = reload(other).secret


def test_it_fails_closed_when_a_ciphertext_is_moved_to_another_column(record):
    stolen = raw_column(SealedRecord, record.pk, "secret")
    SealedRecord.objects.filter(pk=record.pk).update(other=stolen)
    with pytest.raises(DecryptionError):
        _ = reload(record).other


def test_it_fails_closed_when_a_ciphertext_is_moved_to_another_table(record):
    # Same primary key, same data key, same column name: only the table differs.
    note = SealedNote.objects.create(id=record.pk, record=record, secret="a note")
    stolen = raw_column(SealedRecord, record.pk, "secret")
    SealedNote.objects.filter(pk=note.pk).update(secret=stolen)
    with pytest.raises(DecryptionError):
        _ = SealedNote.objects.get(pk=note.pk).secret


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_it_fails_closed_on_one_flipped_byte(record, where):
    stored = bytearray(raw_column(SealedRecord, record.pk, "secret") or b"")
    index = {"start": 0, "middle": len(stored) // 2, "end": len(stored) - 1}[where]
    stored[index] ^= 0x01
    SealedRecord.objects.filter(pk=record.pk).update(secret=bytes(stored))
    loaded = reload(record)
    with pytest.raises(DecryptionError):
        _ = loaded.secret
    # Reading again still fails: nothing was cached in place of the plaintext.
    with pytest.raises(DecryptionError):
        _ = loaded.secret


def test_it_follows_a_path_to_the_data_key(record):
    note = SealedNote.objects.create(record=record, secret="seen at the library")
    loaded = SealedNote.objects.select_related("record__data_key").get(pk=note.pk)
    assert loaded.secret == "seen at the library"


def test_it_makes_the_value_unreadable_once_the_key_is_shredded(record):
    assert record.data_key is not None
    data_key_shred(data_key=record.data_key)
    with pytest.raises(DecryptionError):
        _ = reload(record).secret


def test_it_does_not_re_encrypt_an_unchanged_value(record):
    before = raw_column(SealedRecord, record.pk, "secret")
    loaded = reload(record)
    assert loaded.secret == "he followed me"
    loaded.full_clean()  # assigns the value it read back to the attribute
    loaded.label = "renamed"
    loaded.save()
    assert raw_column(SealedRecord, record.pk, "secret") == before
    loaded.save()
    reload(record).save()  # never read at all
    assert raw_column(SealedRecord, record.pk, "secret") == before


def test_it_re_encrypts_a_changed_value(record):
    before = raw_column(SealedRecord, record.pk, "secret")
    loaded = reload(record)
    loaded.secret = "he followed me again"
    loaded.save()
    assert raw_column(SealedRecord, record.pk, "secret") != before
    assert reload(record).secret == "he followed me again"


def test_it_stores_none_as_null(record):
    record.secret = None
    record.save()
    assert raw_column(SealedRecord, record.pk, "secret") is None
    assert SealedRecord.objects.filter(pk=record.pk, secret__isnull=True).exists()
    assert reload(record).secret is None


def test_it_notices_in_place_changes_to_json(record):
    record.details = {"places": ["library"]}
    record.save()
    loaded = reload(record)
    before = raw_column(SealedRecord, record.pk, "details")
    loaded.save()
    assert raw_column(SealedRecord, record.pk, "details") == before
    loaded.details["places"].append("bus stop")
    loaded.save()
    assert raw_column(SealedRecord, record.pk, "details") != before
    assert reload(record).details == {"places": ["library", "bus stop"]}


def test_it_re_encrypts_a_read_value_when_the_row_is_copied(record):
    copy = reload(record)
    assert copy.secret == "he followed me"
    copy.pk = None
    copy.save()
    assert copy.pk != record.pk
    assert reload(copy).secret == "he followed me"


def test_it_refuses_to_copy_a_value_it_never_read(record):
    copy = reload(record)
    copy.pk = None
    with pytest.raises(DecryptionError):
        copy.save()


def test_it_never_sends_plaintext_to_sql(record):
    with pytest.raises(TypeError):
        SealedRecord.objects.filter(pk=record.pk).update(secret="plaintext")
    with pytest.raises(FieldError):
        SealedRecord.objects.filter(secret="he followed me").exists()
    with pytest.raises(FieldError):
        SealedRecord.objects.filter(secret__icontains="followed").exists()
    with pytest.raises(TypeError):
        record.secret = b"raw bytes"


def test_it_encrypts_in_bulk_create_and_refuses_bulk_update(record):
    data_key = record.data_key
    created = SealedRecord.objects.bulk_create(
        [SealedRecord(data_key=data_key, secret=f"entry {number}") for number in range(3)]
    )
    for number, item in enumerate(created):
        stored = raw_column(SealedRecord, item.pk, "secret")
        assert stored is not None
        assert f"entry {number}".encode() not in stored
        assert reload(item).secret == f"entry {number}"
    created[0].secret = "changed"
    with pytest.raises(TypeError):
        SealedRecord.objects.bulk_update(created, ["secret"])


def test_it_keeps_the_ciphertext_across_refresh_from_db(record):
    before = raw_column(SealedRecord, record.pk, "secret")
    loaded = reload(record)
    assert loaded.secret == "he followed me"
    loaded.refresh_from_db()
    assert loaded.secret == "he followed me"
    loaded.save()
    assert raw_column(SealedRecord, record.pk, "secret") == before


def test_it_returns_ciphertext_from_values_queries(record):
    value = SealedRecord.objects.values_list("secret", flat=True).get(pk=record.pk)
    assert isinstance(value, Ciphertext)


def test_it_decrypts_deferred_fields_on_first_access(record):
    loaded = SealedRecord.objects.defer("secret").get(pk=record.pk)
    assert loaded.secret == "he followed me"


def test_it_refuses_to_save_a_value_without_a_data_key(db, sealed_tables):
    with pytest.raises(EncryptionError):
        SealedRecord.objects.create(data_key=None, secret="no key")


def test_it_pickles_instances_without_plaintext(record):
    loaded = reload(record)
    assert loaded.secret == "he followed me"
    assert b"he followed me" not in pickle.dumps(loaded)
    # (The test model's app is not installed, so check the attribute's own round trip.)
    restored = pickle.loads(pickle.dumps(loaded.__dict__["secret"]))  # noqa: S301
    assert isinstance(restored, Ciphertext)
    assert restored == raw_column(SealedRecord, record.pk, "secret")


def test_it_offers_a_text_form_field(record):
    form_field = SealedRecord._meta.get_field("secret").formfield()
    assert form_field is not None
    assert form_field.clean("typed in a form") == "typed in a form"


@isolate_apps("waypoint.privacy")
def test_it_rejects_models_whose_primary_key_is_assigned_by_the_database():
    class AutoKeyed(models.Model):
        secret = EncryptedTextField(data_key="data_key")

        class Meta:
            app_label = "privacy"

        def __str__(self) -> str:
            return str(self.pk)

    errors = AutoKeyed._meta.get_field("secret").check()
    assert [error.id for error in errors] == ["privacy.E001"]


# --- Canaries: the plaintext is nowhere in what the database writes -------------------


@pytest.fixture
def canary_rows(transactional_db, sealed_tables):
    """A committed row with a canary in encrypted fields and a control in plaintext."""
    canary = f"CANARY-{uuid.uuid4()}"
    control = f"CONTROL-{uuid.uuid4()}"
    record = SealedRecord.objects.create(
        data_key=data_key_create(purpose="report"),
        label=control,
        secret=canary,
        other=canary,
        details={"note": canary},
    )
    SealedNote.objects.create(record=record, secret=canary)
    yield canary, control
    # These tables are invisible to flush; leave them empty for the next test.
    SealedNote.objects.all().delete()
    SealedRecord.objects.all().delete()


def test_it_leaves_no_plaintext_in_the_sqlite_database_file(canary_rows, tmp_path: Path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite file check runs when the test database is SQLite")
    canary, control = canary_rows
    # VACUUM INTO writes the live database (in-memory in tests) to a real file.
    copy = tmp_path / "copy.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(copy)])
    images = [copy.read_bytes()]
    if not getattr(connection, "is_in_memory_db", lambda: True)():
        name = Path(str(connection.settings_dict["NAME"]))
        images += [path.read_bytes() for path in (name, Path(f"{name}-wal")) if path.exists()]
    for image in images:
        assert control.encode() in images[0]  # the search does find plaintext
        assert canary.encode() not in image


def test_it_leaves_no_plaintext_in_a_pg_dump(canary_rows):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump runs when the test database is PostgreSQL")
    pg_dump = shutil.which("pg_dump") or "/usr/bin/pg_dump"
    canary, control = canary_rows
    config = connection.settings_dict
    command = [pg_dump, "--no-owner", "--dbname", str(config["NAME"])]
    if config.get("HOST"):
        command += ["--host", str(config["HOST"])]
    if config.get("PORT"):
        command += ["--port", str(config["PORT"])]
    if config.get("USER"):
        command += ["--username", str(config["USER"])]
    env = {"PATH": "/usr/bin:/bin"}
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    dump = subprocess.run(command, capture_output=True, check=True, env=env, timeout=120).stdout  # noqa: S603
    assert control.encode() in dump  # the search does find plaintext
    assert canary.encode() not in dump
