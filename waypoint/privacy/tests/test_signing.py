"""The signing keyset: exports signed today still verify after the key is rotated."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from tink import signature

from waypoint.privacy import keysets, signing

pytestmark = pytest.mark.django_db

EXPORT = b"%PDF-1.7 Jordan's incident log, as it was exported on 3 December 2026"


def rotate_signing_key() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_keyset", "signing", stdout=out, stderr=err)
    return out.getvalue()


def test_a_signature_verifies_and_names_the_primary_key(keyset_copies):
    made = signing.sign(EXPORT)
    assert signing.verify(EXPORT, made)
    assert signing.key_id_of(made) == signing.primary_key_id()


def test_one_changed_byte_in_the_data_fails_verification(keyset_copies):
    made = signing.sign(EXPORT)
    changed = bytearray(EXPORT)
    changed[10] ^= 0x01
    assert not signing.verify(bytes(changed), made)


def test_one_changed_byte_in_the_signature_fails_verification(keyset_copies):
    made = bytearray(signing.sign(EXPORT))
    made[-1] ^= 0x80
    assert not signing.verify(EXPORT, bytes(made))


def test_a_signature_from_another_keyset_is_not_accepted(keyset_copies, tmp_path: Path):
    other = tmp_path / "someone-else.json"
    keysets.write_private_file(other, keysets.new_keyset_json("signing"), exclusive=True)
    forged = keysets.read_keyset(other).primitive(signature.PublicKeySign).sign(EXPORT)
    assert not signing.verify(EXPORT, forged)


def test_rotation_keeps_old_signatures_verifiable_and_signs_with_the_new_key(keyset_copies):
    before = signing.sign(EXPORT)
    old_key = signing.primary_key_id()
    output = rotate_signing_key()
    assert "exports signed before verify with the old one" in output
    after = signing.sign(EXPORT)
    assert signing.key_id_of(after) != old_key
    assert signing.key_id_of(after) == signing.primary_key_id()
    assert signing.verify(EXPORT, before)
    assert signing.verify(EXPORT, after)


def test_the_published_keyset_holds_every_public_key_and_no_private_one(keyset_copies):
    rotate_signing_key()
    published = json.loads(signing.public_keyset_json())
    assert len(published["key"]) == 2
    for key in published["key"]:
        assert key["keyData"]["keyMaterialType"] == "ASYMMETRIC_PUBLIC"
        assert key["keyData"]["typeUrl"].endswith("Ed25519PublicKey")
    private = json.loads(keyset_copies["signing"].read_text())
    private_values = {key["keyData"]["value"] for key in private["key"]}
    assert not private_values & {key["keyData"]["value"] for key in published["key"]}


def test_the_development_secrets_include_a_signing_keyset(tmp_path: Path):
    made = keysets.ensure_dev_secrets(tmp_path)
    handle = keysets.read_keyset(made.signing_file)
    assert handle.keyset_info().key_info[0].type_url.endswith("Ed25519PrivateKey")
