"""The words a receipt passphrase is drawn from (ADR 0026).

Someone who has just reported stalking or harassment reads their receipt, perhaps out
loud. A reviewed blocklist keeps words such as "muppet", "saucy" or "armless" out of
new passphrases, the passphrase keeps at least 90 bits, and receipts already handed out
(7 words, some of them now blocked) still sign in: the blocklist changes what is drawn,
never what is accepted.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from waypoint.institution.models import Institution
from waypoint.privacy import keysets
from waypoint.reporting import receipts, reporter_session
from waypoint.reporting.models import Report, Route
from waypoint.reporting.tests import flow


@pytest.fixture(autouse=True)
def receipt_keyset(tmp_path: Path, settings) -> Iterator[Path]:
    """A receipt keyset of this test's own, so nothing touches var/keys."""
    path = tmp_path / "receipt.json"
    keysets.write_private_file(path, keysets.new_keyset_json(keysets.RECEIPT), exclusive=True)
    settings.WAYPOINT_KEYSETS = {**settings.WAYPOINT_KEYSETS, keysets.RECEIPT: path}
    keysets.reset_keyset_cache()
    yield path
    keysets.reset_keyset_cache()


@pytest.fixture
def fresh_word_lists() -> Iterator[None]:
    """Forget the cached lists before and after a test that points at another file."""
    receipts.blocked_words.cache_clear()
    receipts.drawable_words.cache_clear()
    yield
    receipts.blocked_words.cache_clear()
    receipts.drawable_words.cache_clear()


def blocklist_lines() -> list[str]:
    """The blocklist's words exactly as written, duplicates and all."""
    lines = receipts.BLOCKLIST_PATH.read_text("ascii").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


# --- The blocklist file ----------------------------------------------------------------------


def test_every_blocklisted_word_is_an_eff_word_written_once_in_lower_case() -> None:
    written = blocklist_lines()
    duplicates = [word for word, count in Counter(written).items() if count > 1]
    assert duplicates == []
    assert [word for word in written if word not in set(receipts.wordlist())] == []
    assert all(word == word.lower() for word in written)
    assert receipts.blocked_words() == frozenset(written)


@pytest.mark.parametrize(
    "word",
    [
        # From the issue.
        "muppet",
        "saucy",
        "armless",
        # One of each kind a reviewer looked for.
        "grope",
        "wound",
        "clumsy",
        "unwanted",
        "frail",
        "follow",
        "lurk",
        "casket",
        "chemo",
        "deranged",
        "handgun",
        "prison",
        "hangover",
        "caucasian",
        "latrine",
    ],
)
def test_a_word_someone_in_distress_should_not_be_handed_is_blocked(word: str) -> None:
    assert word in receipts.wordlist()
    assert word in receipts.blocked_words()
    assert word not in receipts.drawable_words()


def test_the_vendored_eff_list_itself_is_left_untouched() -> None:
    # The licence note in data/README.md names this file and its checksum.
    words = receipts.wordlist()
    assert len(words) == 7776
    assert {"muppet", "saucy", "armless"} <= set(words)


# --- What passphrases are drawn from ---------------------------------------------------------


def test_passphrases_are_drawn_from_the_eff_list_less_exactly_the_blocklist() -> None:
    drawable = receipts.drawable_words()
    blocked = receipts.blocked_words()
    assert not set(drawable) & blocked
    assert list(drawable) == [word for word in receipts.wordlist() if word not in blocked]
    assert len(drawable) == receipts.DRAWABLE_WORDLIST_SIZE == 7776 - len(blocked)


def test_thousands_of_new_passphrases_never_hold_a_blocked_word() -> None:
    # 40,000 words: if blocked words (about 1 in 7) could be drawn, hundreds would appear.
    passphrases = [receipts.new_passphrase() for _ in range(5000)]
    drawn = Counter(word for passphrase in passphrases for word in passphrase.split(" "))
    assert sum(drawn.values()) == 5000 * receipts.PASSPHRASE_WORDS
    assert not set(drawn) & receipts.blocked_words()
    assert set(drawn) <= set(receipts.drawable_words())
    # Still spread over the whole drawable list, not a corner of it.
    assert len(drawn) > 0.95 * receipts.DRAWABLE_WORDLIST_SIZE


def test_the_passphrase_keeps_at_least_90_bits_with_its_word_count() -> None:
    size = len(receipts.drawable_words())
    bits = receipts.PASSPHRASE_WORDS * math.log2(size)
    assert math.isclose(receipts.PASSPHRASE_BITS, bits)
    assert bits >= receipts.MIN_PASSPHRASE_BITS == 90
    # The fewest words that reach 90 bits from this list: one word fewer would not.
    assert (receipts.PASSPHRASE_WORDS - 1) * math.log2(size) < 90
    assert receipts.PASSPHRASE_WORDS == 8
    assert "101.56 bits" in (receipts.__doc__ or "")
    assert len(receipts.new_passphrase().split(" ")) == receipts.PASSPHRASE_WORDS


def test_a_blocklist_with_a_misspelt_word_is_refused_rather_than_blocking_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_word_lists: None
) -> None:
    edited = tmp_path / "blocklist.txt"
    edited.write_text("# reviewed\nmuppet\nmupet\n", "ascii")
    monkeypatch.setattr(receipts, "BLOCKLIST_PATH", edited)
    with pytest.raises(RuntimeError, match="mupet"):
        receipts.blocked_words()


def test_a_blocklist_that_changes_the_count_must_be_reviewed_before_it_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_word_lists: None
) -> None:
    shorter = tmp_path / "blocklist.txt"
    shorter.write_text("\n".join(blocklist_lines()[1:]) + "\n", "ascii")
    monkeypatch.setattr(receipts, "BLOCKLIST_PATH", shorter)
    with pytest.raises(RuntimeError, match="DRAWABLE_WORDLIST_SIZE"):
        receipts.drawable_words()
    with pytest.raises(RuntimeError):
        receipts.new_passphrase()


# --- Receipts already handed out -------------------------------------------------------------

# Issued before the blocklist: 7 words, four of them now blocked.
OLD_RECEIPT = "muppet abacus saucy wound armless t-shirt grope"


def test_a_passphrase_with_now_blocked_words_still_verifies_however_it_is_typed() -> None:
    assert len(OLD_RECEIPT.split()) == 7
    assert {"muppet", "saucy", "wound", "armless", "grope"} <= receipts.blocked_words()
    encoded, key_id = receipts.hash_passphrase(OLD_RECEIPT)
    for typed in (OLD_RECEIPT, "  Muppet ABACUS saucy, wound armless t shirt GROPE "):
        assert receipts.verify_passphrase(encoded=encoded, key_id=key_id, passphrase=typed)
    assert not receipts.verify_passphrase(
        encoded=encoded, key_id=key_id, passphrase=OLD_RECEIPT.replace("muppet", "abacus")
    )


@pytest.mark.django_db
def test_sam_signs_in_with_a_receipt_issued_before_the_blocklist(
    institution: Institution,
) -> None:
    """Sam's 7-word receipt holds words no longer drawn; the sign-in page still takes it."""
    encoded, key_id = receipts.hash_passphrase(OLD_RECEIPT)
    report = Report.objects.create(
        reference=receipts.new_reference(),
        route=Route.ANONYMOUS,
        receipt_hash=encoded,
        receipt_pepper_key_id=key_id,
    )
    sam = Client(REMOTE_ADDR="198.51.100.31")
    response = flow.sign_in(sam, report.reference, OLD_RECEIPT.upper())
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:return")
    assert sam.session.get(reporter_session.REPORT_ID) == str(report.pk)


@pytest.mark.django_db
def test_alex_reports_and_is_handed_eight_drawable_words_that_sign_in(
    institution: Institution,
) -> None:
    alex = flow.reporter_client()
    made = flow.make_report(alex, "anonymous")
    words = made.passphrase.split(" ")
    assert len(words) == 8
    assert set(words) <= set(receipts.drawable_words())
    returning = Client(REMOTE_ADDR="198.51.100.32")
    response = flow.sign_in(returning, made.reference, made.passphrase)
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:return")
