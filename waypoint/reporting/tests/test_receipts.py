"""Receipts: references, passphrases, the peppered Argon2id hash and its constant work."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import argon2
import pytest
from argon2.exceptions import VerifyMismatchError
from tink import prf

from waypoint.accounts.hashers import WaypointArgon2PasswordHasher
from waypoint.privacy import keysets
from waypoint.reporting import receipts
from waypoint.reporting.models import Report, Route


@pytest.fixture(autouse=True)
def receipt_keyset(tmp_path: Path, settings, monkeypatch) -> Iterator[Path]:
    """A fresh receipt keyset of this test's own, so rotation never touches var/keys."""
    # privacy/keysets.py must map RECEIPT to prf.PrfSet in _PRIMITIVES; until it does,
    # load_keyset(RECEIPT) raises KeyError. This no-op once fixed.
    if keysets.RECEIPT not in keysets._PRIMITIVES:
        monkeypatch.setitem(keysets._PRIMITIVES, keysets.RECEIPT, prf.PrfSet)
    path = tmp_path / "receipt.json"
    keysets.write_private_file(path, keysets.new_keyset_json(keysets.RECEIPT), exclusive=True)
    settings.WAYPOINT_KEYSETS = {**settings.WAYPOINT_KEYSETS, keysets.RECEIPT: path}
    keysets.reset_keyset_cache()
    yield path
    keysets.reset_keyset_cache()


def rotate(path: Path) -> None:
    text = keysets.rotated_keyset_json(path, keysets.RECEIPT)
    keysets.write_private_file(path, text, exclusive=False)
    keysets.reset_keyset_cache()


def primary_key_id() -> int:
    return keysets.load_keyset(keysets.RECEIPT).primary_key_id


@pytest.fixture
def argon2_runs(monkeypatch) -> list[int]:
    """Counts every Argon2 verification that reaches the C library."""
    runs: list[int] = []
    real = argon2.low_level.verify_secret

    def counting(*args, **kwargs):
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(argon2._password_hasher, "verify_secret", counting)
    return runs


@pytest.fixture
def pepper_runs(monkeypatch) -> list[int]:
    runs: list[int] = []
    real = receipts._pepper

    def counting(key, passphrase):
        runs.append(1)
        return real(key, passphrase)

    monkeypatch.setattr(receipts, "_pepper", counting)
    return runs


# --- References ------------------------------------------------------------------------------


def test_a_reference_is_wp_and_eight_characters_nobody_confuses() -> None:
    references = {receipts.new_reference() for _ in range(200)}
    assert len(references) == 200
    for reference in references:
        assert reference.startswith("WP-")
        body = reference.removeprefix("WP-")
        assert len(body) == 8
        assert set(body) <= set(receipts.REFERENCE_ALPHABET)
        assert not set(body) & set("ILOU")
        assert len(reference) <= (Report._meta.get_field("reference").max_length or 0)
    assert receipts.REFERENCE_BITS == 40


@pytest.mark.parametrize(
    "typed",
    [
        "WP-7K3M9QXA",
        "wp-7k3m9qxa",
        "7K3M9QXA",
        " wp 7k3m 9qxa ",
        "WP 7K3M-9QXA",
        "wp\u20137k3m\u20139qxa",  # en dashes from a phone's keyboard
    ],
)
def test_a_reference_typed_loosely_is_the_same_reference(typed: str) -> None:
    assert receipts.normalise_reference(typed) == "WP-7K3M9QXA"


def test_letters_people_mistake_for_digits_are_read_as_the_digits() -> None:
    assert receipts.normalise_reference("wp-o1il-oooo") == "WP-01110000"
    assert receipts.normalise_reference("WPOIL23456") == "WP-01123456"


@pytest.mark.parametrize(
    "typed", ["", "WP-", "WP-1234567", "WP-123456789", "WP-1234567U", "x" * 40]
)
def test_text_that_cannot_be_a_reference_normalises_to_nothing(typed: str) -> None:
    assert receipts.normalise_reference(typed) == ""


# --- Passphrases -----------------------------------------------------------------------------


def test_the_word_list_is_the_eff_long_list_of_7776_distinct_words() -> None:
    words = receipts.wordlist()
    assert len(words) == len(set(words)) == 7776
    assert words[0] == "abacus"
    assert receipts.wordlist() is words  # read once


def test_a_passphrase_is_eight_words_from_the_list_worth_over_90_bits() -> None:
    # The list less the blocklist (ADR 0026; test_receipt_words.py).
    passphrase = receipts.new_passphrase()
    words = passphrase.split(" ")
    assert len(words) == 8
    assert all(word in receipts.drawable_words() for word in words)
    assert passphrase == " ".join(words)  # single spaces, no padding
    assert math.isclose(receipts.PASSPHRASE_BITS, 8 * math.log2(6629))
    assert 101.5 < receipts.PASSPHRASE_BITS < 101.6
    assert "101.56 bits" in receipts.__doc__


def test_passphrases_are_drawn_afresh_from_the_whole_list() -> None:
    passphrases = [receipts.new_passphrase() for _ in range(300)]
    assert len(set(passphrases)) == 300
    seen = Counter(word for passphrase in passphrases for word in passphrase.split(" "))
    assert len(seen) > 1500  # 2,400 draws from 6,629 words spread widely
    assert len(receipts.new_passphrase(9).split(" ")) == 9


def test_fewer_than_eight_words_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 8"):
        receipts.new_passphrase(7)


def test_passphrase_normalisation_ignores_case_spacing_and_punctuation() -> None:
    assert (
        receipts.normalise_passphrase("  Abacus,  ABDOMEN-abdominal.\tAbide\n\u00a0t-shirt ")
        == "abacus abdomen abdominal abide t shirt"
    )


# --- Hashing -----------------------------------------------------------------------------------


def test_the_stored_hash_is_argon2id_with_the_staff_parameters_and_holds_no_word() -> None:
    passphrase = receipts.new_passphrase()
    encoded, key_id = receipts.hash_passphrase(passphrase)
    staff = WaypointArgon2PasswordHasher
    assert encoded.startswith(
        f"$argon2id$v=19$m={staff.memory_cost},t={staff.time_cost},p={staff.parallelism}$"
    )
    assert len(encoded) <= (Report._meta.get_field("receipt_hash").max_length or 0)
    for word in passphrase.split(" "):
        assert word not in encoded
    assert key_id == primary_key_id()
    # Salted: the same passphrase never hashes the same twice.
    assert receipts.hash_passphrase(passphrase)[0] != encoded


def test_the_hash_is_of_the_pepper_so_the_database_alone_cannot_check_a_guess() -> None:
    passphrase = receipts.new_passphrase()
    encoded, _ = receipts.hash_passphrase(passphrase)
    plain = argon2.PasswordHasher()
    for guess in (passphrase, receipts.normalise_passphrase(passphrase)):
        with pytest.raises(VerifyMismatchError):
            plain.verify(encoded, guess)


def test_verify_accepts_the_passphrase_with_other_spacing_and_case() -> None:
    passphrase = receipts.new_passphrase()
    encoded, key_id = receipts.hash_passphrase(passphrase)
    retyped = "  " + "\n".join(word.upper() for word in passphrase.split(" ")) + "."
    assert receipts.verify_passphrase(encoded=encoded, key_id=key_id, passphrase=passphrase)
    assert receipts.verify_passphrase(encoded=encoded, key_id=key_id, passphrase=retyped)
    hyphenated = passphrase.replace(" ", "-")
    assert receipts.verify_passphrase(encoded=encoded, key_id=key_id, passphrase=hyphenated)


def test_verify_refuses_the_passphrase_with_one_word_changed() -> None:
    passphrase = receipts.new_passphrase()
    encoded, key_id = receipts.hash_passphrase(passphrase)
    words = passphrase.split(" ")
    words[3] = "zoom" if words[3] != "zoom" else "zone"
    changed = " ".join(words)
    assert not receipts.verify_passphrase(encoded=encoded, key_id=key_id, passphrase=changed)
    assert not receipts.verify_passphrase(encoded=encoded, key_id=key_id, passphrase="")
    missing_word = " ".join(passphrase.split(" ")[:6])
    assert not receipts.verify_passphrase(encoded=encoded, key_id=key_id, passphrase=missing_word)


def test_a_hash_made_before_rotating_the_receipt_keyset_still_verifies(
    receipt_keyset: Path,
) -> None:
    passphrase = receipts.new_passphrase()
    encoded, old_key_id = receipts.hash_passphrase(passphrase)
    assert not receipts.needs_rehash(encoded=encoded, key_id=old_key_id)

    rotate(receipt_keyset)
    assert len(json.loads(receipt_keyset.read_text())["key"]) == 2
    assert primary_key_id() != old_key_id

    assert receipts.verify_passphrase(encoded=encoded, key_id=old_key_id, passphrase=passphrase)
    assert receipts.needs_rehash(encoded=encoded, key_id=old_key_id)
    new_encoded, new_key_id = receipts.hash_passphrase(passphrase)
    assert new_key_id == primary_key_id()
    assert receipts.verify_passphrase(encoded=new_encoded, key_id=new_key_id, passphrase=passphrase)
    # The key id matters: the same hash under the other key does not verify.
    assert not receipts.verify_passphrase(encoded=encoded, key_id=new_key_id, passphrase=passphrase)


def test_a_hash_whose_pepper_key_is_unknown_does_not_verify(argon2_runs) -> None:
    passphrase = receipts.new_passphrase()
    encoded, _ = receipts.hash_passphrase(passphrase)
    unknown = max(keysets.load_keyset(keysets.RECEIPT).primitive.all()) + 1
    assert not receipts.verify_passphrase(encoded=encoded, key_id=unknown, passphrase=passphrase)
    assert not receipts.verify_passphrase(encoded=encoded, key_id=None, passphrase=passphrase)
    assert len(argon2_runs) == 2


def test_an_unknown_report_costs_the_same_prf_and_argon2_work(argon2_runs, pepper_runs) -> None:
    passphrase = receipts.new_passphrase()
    encoded, key_id = receipts.hash_passphrase(passphrase)
    unknown_key = max(keysets.load_keyset(keysets.RECEIPT).primitive.all()) + 1
    cases: dict[str, dict[str, Any]] = {
        "right": {"encoded": encoded, "key_id": key_id, "passphrase": passphrase},
        "wrong": {"encoded": encoded, "key_id": key_id, "passphrase": "not it at all"},
        "no such report": {"encoded": None, "key_id": None, "passphrase": passphrase},
        "no receipt yet": {"encoded": "", "key_id": None, "passphrase": passphrase},
        "retired pepper key": {"encoded": encoded, "key_id": unknown_key, "passphrase": passphrase},
        "corrupt hash": {"encoded": "garbage", "key_id": key_id, "passphrase": passphrase},
        "empty passphrase": {"encoded": encoded, "key_id": key_id, "passphrase": "  "},
    }
    for name, arguments in cases.items():
        argon2_runs.clear()
        pepper_runs.clear()
        result = receipts.verify_passphrase(**arguments)
        assert result is (name == "right"), name
        assert (len(pepper_runs), len(argon2_runs)) == (1, 1), name


def test_the_dummy_hash_uses_the_same_parameters_as_real_hashes() -> None:
    encoded, _ = receipts.hash_passphrase(receipts.new_passphrase())
    real = argon2.extract_parameters(encoded)
    assert argon2.extract_parameters(receipts._DUMMY_HASH) == real


# --- Confirming the person wrote it down --------------------------------------------------------


def test_confirmation_asks_for_two_different_words_anywhere_in_the_passphrase() -> None:
    passphrase = receipts.new_passphrase()
    seen: set[tuple[int, int]] = set()
    for _ in range(400):
        first, second = receipts.confirmation_positions(passphrase)
        assert 1 <= first < second <= 8
        seen.add((first, second))
    assert len(seen) > 20  # of the 28 possible pairs


def test_confirmation_accepts_any_case_or_spacing_but_not_a_wrong_or_missing_word() -> None:
    passphrase = "abacus t-shirt abdominal abide abiding ability ablaze"
    assert receipts.confirmation_matches(passphrase, (2, 5), {2: " T shirt ", 5: "ABIDING"})
    assert receipts.confirmation_matches(passphrase, (1, 7), {1: "abacus", 7: "Ablaze."})
    assert not receipts.confirmation_matches(passphrase, (2, 5), {2: "t-shirt", 5: "abide"})
    assert not receipts.confirmation_matches(passphrase, (2, 5), {2: "t-shirt"})
    assert not receipts.confirmation_matches(passphrase, (2, 5), {2: "t-shirt", 5: ""})
    assert not receipts.confirmation_matches(passphrase, (0, 8), {0: "x", 8: "y"})
    assert not receipts.confirmation_matches(passphrase, (), {})


def test_confirmation_digests_keep_no_word_and_check_like_the_passphrase() -> None:
    passphrase = "abacus t-shirt abdominal abide abiding ability ablaze"
    digests = receipts.confirmation_digests(passphrase, (2, 5))
    assert set(digests) == {"2", "5"}
    stored = json.dumps(digests)
    assert not any(word in stored for word in ("shirt", "abiding"))
    assert receipts.confirmation_digests_match(digests, {2: "T SHIRT", 5: " abiding "})
    assert not receipts.confirmation_digests_match(digests, {2: "t-shirt", 5: "ability"})
    assert not receipts.confirmation_digests_match(digests, {5: "abiding"})
    # A word is bound to its position.
    assert not receipts.confirmation_digests_match(digests, {2: "abiding", 5: "t-shirt"})
    with pytest.raises(ValueError):
        receipts.confirmation_digests(passphrase, (0, 9))


# --- Signing in with a receipt (rate limits: test_ratelimit.py) ---------------------------------


@pytest.mark.django_db
def test_check_receipt_finds_the_report_for_its_reference_and_passphrase(rf) -> None:
    passphrase = receipts.new_passphrase()
    encoded, key_id = receipts.hash_passphrase(passphrase)
    report = Report.objects.create(
        reference=receipts.new_reference(),
        route=Route.ANONYMOUS,
        receipt_hash=encoded,
        receipt_pepper_key_id=key_id,
    )
    request = rf.post("/my-report/", REMOTE_ADDR="198.51.100.20")
    typed_reference = report.reference.lower().replace("-", " ")
    found = receipts.check_receipt(request, reference=typed_reference, passphrase=passphrase)
    assert found.ok
    assert found.report is not None and found.report.pk == report.pk
    assert not found.blocked

    wrong = receipts.check_receipt(request, reference=report.reference, passphrase="no")
    unknown = receipts.check_receipt(request, reference="WP-00000000", passphrase=passphrase)
    malformed = receipts.check_receipt(request, reference="hello", passphrase=passphrase)
    # The same answer whether the reference exists, is unknown or cannot be one.
    assert wrong == unknown == malformed == receipts.ReceiptCheck(report=None)


@pytest.mark.django_db
def test_a_report_without_a_receipt_cannot_be_signed_into(rf, argon2_runs) -> None:
    report = Report.objects.create(reference=receipts.new_reference(), route=Route.SUPPORT)
    request = rf.post("/my-report/", REMOTE_ADDR="198.51.100.20")
    result = receipts.check_receipt(request, reference=report.reference, passphrase="")
    assert not result.ok
    assert len(argon2_runs) == 1
