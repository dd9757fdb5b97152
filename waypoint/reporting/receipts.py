"""Receipts: the public reference and the secret passphrase a reporter returns with.

A report gets two things when it is submitted (ADR 0016):

reference
    "WP-" and 8 characters of Crockford base32 (no I, L, O or U), about 40 bits, from
    `secrets`. It is not a secret: it names the report so that it can be read out on the
    phone. Report.reference is unique; on the (rare) clash the caller draws again.
passphrase
    8 words drawn with `secrets.choice` from the EFF long list less the words a person in
    distress should not be handed (data/receipt_word_blocklist.txt, ADR 0026): 6,629 of
    the 7,776 words, 8 x log2(6629) = 101.56 bits, at least SecureDrop's 90 (security.md
    0.3). It is shown once and never stored, logged, emailed or put in a URL. What people
    type is never checked against either list, so receipts issued earlier (7 words, or
    words blocked since) still work.

What is stored is an Argon2id hash of a peppered passphrase:

    pepper = PRF_k(b"waypoint:v1|receipt|" + normalise_passphrase(passphrase)), 32 bytes
    Report.receipt_hash = Argon2id(pepper)   (random 16-byte salt, 32-byte output)
    Report.receipt_pepper_key_id = id of k

k is the primary key of the receipt PRF keyset (settings.WAYPOINT_KEYSETS["receipt"]),
held outside the database: a stolen database alone cannot be brute-forced, even for a
weak passphrase. The Argon2id parameters are the staff password hasher's
(accounts.hashers.WaypointArgon2PasswordHasher: 64 MiB, 3 passes, 1 lane), so one bench
figure covers both (bench/receipt_hash.py). After `rotate_keyset receipt` old hashes
still verify with the key named by their key id; needs_rehash() says when to re-hash
(on the next successful sign-in, when the passphrase is in hand).

Verification does the same work whether or not the reference exists or has a receipt:
one PRF call and one Argon2id verification, against a dummy hash made at import with
the same parameters when there is nothing real to check (security.md 3.8 item 8).

check_receipt() is the whole sign-in check a view needs, in the order that matters:
rate limits first (per reference and per network, ratelimit.py), then the lookup and
the constant-work verification, then counting the failure. A blocked bucket refuses even
the right passphrase until its window ends.
"""

from __future__ import annotations

import functools
import hmac
import math
import re
import secrets
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from waypoint.accounts.hashers import WaypointArgon2PasswordHasher
from waypoint.privacy import keysets
from waypoint.reporting import ratelimit
from waypoint.reporting.models import Report

# --- Reference -----------------------------------------------------------------------------

REFERENCE_PREFIX: Final = "WP-"
# Crockford base32: digits and letters without I, L, O and U.
REFERENCE_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH: Final = 8
REFERENCE_BITS: Final = REFERENCE_LENGTH * math.log2(len(REFERENCE_ALPHABET))  # 40.0
_REFERENCE_SEPARATORS: Final = re.compile(r"[\s\-_.\u2010-\u2015]+")
_REFERENCE_CONFUSIONS: Final = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_reference() -> str:
    """A fresh public reference such as "WP-7K3M9QXA" (uniqueness: Report.reference)."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return REFERENCE_PREFIX + body


def normalise_reference(text: str) -> str:
    """The canonical "WP-XXXXXXXX" form of a reference as someone typed or heard it.

    Accepts lower case, a missing "WP-", spaces and dashes anywhere, and the letters
    people confuse with digits (O for 0, I and L for 1). Returns "" when what is left
    cannot be a reference (look nothing up, but still spend the verification work).
    """
    compact = _REFERENCE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    if len(compact) == REFERENCE_LENGTH + 2 and compact.startswith("WP"):
        compact = compact[2:]
    body = compact.translate(_REFERENCE_CONFUSIONS)
    if len(body) != REFERENCE_LENGTH or any(char not in REFERENCE_ALPHABET for char in body):
        return ""
    return REFERENCE_PREFIX + body


# --- Passphrase ----------------------------------------------------------------------------

_DATA: Final = Path(__file__).resolve().parent / "data"
WORDLIST_PATH: Final = _DATA / "eff_large_wordlist.txt"
WORDLIST_SIZE: Final = 7776
# Reviewed words never drawn (ADR 0026). Changing the file changes the size below, on
# purpose: the loader refuses a count nobody has checked the bits for.
BLOCKLIST_PATH: Final = _DATA / "receipt_word_blocklist.txt"
DRAWABLE_WORDLIST_SIZE: Final = 6629
PASSPHRASE_WORDS: Final = 8
MIN_PASSPHRASE_BITS: Final = 90
# 8 x log2(6629) = 101.56 bits (7 words would give 88.86: under 90 without 7,420 words).
# The 4 hyphenated words (drop-down, felt-tip, t-shirt, yo-yo) read the same with a
# space; the handful of sequences that normalise alike cost far less than 0.01 bit.
PASSPHRASE_BITS: Final = PASSPHRASE_WORDS * math.log2(DRAWABLE_WORDLIST_SIZE)
_PASSPHRASE_SEPARATORS: Final = re.compile(r"[\s\-.,\u2010-\u2015]+")


@functools.cache
def wordlist() -> tuple[str, ...]:
    """The whole EFF long list, read once per process and checked (not what is drawn
    from: see drawable_words())."""
    words = tuple(line.strip() for line in WORDLIST_PATH.read_text("ascii").splitlines())
    words = tuple(word for word in words if word)
    if len(words) != WORDLIST_SIZE or len(set(words)) != WORDLIST_SIZE:
        raise RuntimeError(f"{WORDLIST_PATH} must hold {WORDLIST_SIZE} distinct words.")
    return words


@functools.cache
def blocked_words() -> frozenset[str]:
    """The reviewed blocklist. Each word must be in the EFF list, once: a typo would
    otherwise block nothing and go unnoticed."""
    lines = (line.strip() for line in BLOCKLIST_PATH.read_text("ascii").splitlines())
    words = [line for line in lines if line and not line.startswith("#")]
    known = set(wordlist())
    strays = sorted({word for word in words if word not in known})
    if strays or len(set(words)) != len(words):
        raise RuntimeError(
            f"{BLOCKLIST_PATH} must list distinct words of the EFF list (check: {strays})."
        )
    return frozenset(words)


@functools.cache
def drawable_words() -> tuple[str, ...]:
    """The words a passphrase is drawn from: the EFF list, in its order, less the blocklist."""
    blocked = blocked_words()
    words = tuple(word for word in wordlist() if word not in blocked)
    if len(words) != DRAWABLE_WORDLIST_SIZE:
        raise RuntimeError(
            f"The blocklist leaves {len(words)} words, not {DRAWABLE_WORDLIST_SIZE}: update "
            "DRAWABLE_WORDLIST_SIZE and ADR 0026, and keep at least "
            f"{MIN_PASSPHRASE_BITS} bits."
        )
    return words


def new_passphrase(words: int = PASSPHRASE_WORDS) -> str:
    """`words` drawable words joined by single spaces (8 words: 101.6 bits)."""
    if words < PASSPHRASE_WORDS:
        raise ValueError(f"A receipt passphrase needs at least {PASSPHRASE_WORDS} words.")
    choices = drawable_words()
    return " ".join(secrets.choice(choices) for _ in range(words))


def normalise_passphrase(text: str) -> str:
    """Lower case; every run of spaces, hyphens, dots or commas becomes one space; trimmed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _PASSPHRASE_SEPARATORS.sub(" ", folded).strip()


# --- Hashing -------------------------------------------------------------------------------

PEPPER_CONTEXT: Final = b"waypoint:v1|receipt|"
PEPPER_BYTES: Final = 32

# The staff hasher's parameters (argon2id, memory, passes, lanes, salt and hash length).
_HASHER: Final = PasswordHasher.from_parameters(WaypointArgon2PasswordHasher().params())
# Verified against when there is no real hash, so an unknown reference costs the same.
_DUMMY_HASH: Final = _HASHER.hash(secrets.token_bytes(PEPPER_BYTES))
_ARGON2ID_PREFIX: Final = "$argon2id$"


def _receipt_prf_set() -> Any:
    return keysets.load_keyset(keysets.RECEIPT).primitive


def _pepper(prf: Any, passphrase: str) -> bytes:
    data = PEPPER_CONTEXT + normalise_passphrase(passphrase).encode()
    return bytes(prf.compute(data, PEPPER_BYTES))


def _argon2_matches(encoded: str, secret: bytes) -> bool:
    try:
        return _HASHER.verify(encoded, secret)
    except (VerificationError, InvalidHashError):
        return False


def hash_passphrase(passphrase: str) -> tuple[str, int]:
    """(Argon2id hash of the peppered passphrase, id of the pepper key) to store."""
    if not normalise_passphrase(passphrase):
        raise ValueError("Empty passphrase.")
    prf_set = _receipt_prf_set()
    encoded = _HASHER.hash(_pepper(prf_set.primary(), passphrase))
    return encoded, int(prf_set.primary_id())


def verify_passphrase(*, encoded: str | None, key_id: int | None, passphrase: str) -> bool:
    """Does `passphrase` match the stored hash? Always one PRF call and one Argon2id run.

    encoded=None (no such report, or no receipt issued yet), an unknown key id (a retired
    pepper key) and a corrupt hash all return False after the same work as a real check.
    """
    prf_set = _receipt_prf_set()
    prf = prf_set.all().get(key_id) if key_id is not None else None
    # A value that is not an Argon2id hash would fail before any work: use the dummy.
    stored = encoded if encoded and encoded.startswith(_ARGON2ID_PREFIX) else None
    usable = stored is not None and prf is not None
    pepper = _pepper(prf if usable else prf_set.primary(), passphrase)
    matched = _argon2_matches(stored if usable and stored else _DUMMY_HASH, pepper)
    return usable and matched and bool(normalise_passphrase(passphrase))


def needs_rehash(*, encoded: str, key_id: int | None) -> bool:
    """Hashed with older Argon2 parameters or a pepper key that is no longer primary?"""
    try:
        outdated = _HASHER.check_needs_rehash(encoded)
    except (InvalidHashError, ValueError):
        outdated = True
    return outdated or key_id != int(_receipt_prf_set().primary_id())


# --- Confirming the person wrote it down ------------------------------------------------


def confirmation_positions(passphrase: str) -> tuple[int, int]:
    """Two distinct 1-based word positions to ask for, chosen at random, in order."""
    count = len(passphrase.split())
    if count < 2:
        raise ValueError("A passphrase of at least two words is needed.")
    first = secrets.randbelow(count)
    second = secrets.randbelow(count - 1)
    if second >= first:
        second += 1
    low, high = sorted((first + 1, second + 1))
    return low, high


def _same_word(typed: str, expected: str) -> bool:
    typed_form = normalise_passphrase(typed).encode()
    expected_form = normalise_passphrase(expected).encode()
    return hmac.compare_digest(typed_form, expected_form) and bool(expected_form)


def confirmation_matches(
    passphrase: str, positions: tuple[int, ...], typed: Mapping[int, str]
) -> bool:
    """Did the person type the words at `positions` (any case or spacing)?"""
    words = passphrase.split()
    if not positions:
        return False
    results = [
        1 <= position <= len(words) and _same_word(typed.get(position, ""), words[position - 1])
        for position in positions
    ]
    return all(results)


_CONFIRMATION_SALT: Final = "waypoint.reporting.receipts.confirmation.v1"


def _word_digest(position: int, word: str) -> str:
    value = f"{position}|{normalise_passphrase(word)}"
    return salted_hmac(_CONFIRMATION_SALT, value, algorithm="sha256").hexdigest()


def confirmation_digests(passphrase: str, positions: tuple[int, ...]) -> dict[str, str]:
    """Keyed digests of the words at `positions`, to keep in the session between showing
    the receipt and checking the retyped words, instead of the passphrase itself.

    JSON-safe (string keys). Two words are about 25 of the 101 bits; they live only until
    the confirmation is checked (clear them then).
    """
    words = passphrase.split()
    if not positions or any(not 1 <= position <= len(words) for position in positions):
        raise ValueError("Positions outside the passphrase.")
    return {str(position): _word_digest(position, words[position - 1]) for position in positions}


def confirmation_digests_match(digests: Mapping[str, str], typed: Mapping[int, str]) -> bool:
    """confirmation_matches() against confirmation_digests() instead of the passphrase."""
    if not digests:
        return False
    results = []
    for key, expected in digests.items():
        try:
            position = int(key)
        except ValueError:
            return False
        word = typed.get(position, "")
        results.append(
            bool(normalise_passphrase(word))
            and hmac.compare_digest(_word_digest(position, word), expected)
        )
    return all(results)


# --- Signing in with a receipt ---------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptCheck:
    """The outcome of check_receipt(). `report` is set only when the passphrase matched."""

    report: Report | None
    blocked: bool = False
    retry_after: int = 0

    @property
    def ok(self) -> bool:
        return self.report is not None


def reference_bucket_key(reference_text: str) -> str:
    """The rate-limit key for a typed reference: the same for every way of writing it.

    Use it (not the raw text) with ratelimit.RECEIPT_PER_REFERENCE, or "wp-7k3m 9qxa" and
    "WP-7K3M9QXA" would be counted apart.
    """
    normalised = normalise_reference(reference_text)
    if normalised:
        return normalised
    # Cannot name a report, but still counted (under its own text) so that malformed and
    # well-formed guesses are refused alike.
    return "invalid:" + _REFERENCE_SEPARATORS.sub("", reference_text).upper()[:64]


def check_receipt(request: HttpRequest, *, reference: str, passphrase: str) -> ReceiptCheck:
    """Check a reference and passphrase typed by a returning reporter.

    1. If the network has used up its attempts, refuse at once (no lookup, no hashing),
       even for the right passphrase, until the window ends.
    2. If the reference has used up its attempts, refuse at once too, unless this network
       has not guessed wrong at this reference in the window: then the attempt is checked,
       so someone guessing at a reference cannot lock its owner out (ADR 0035). Every
       wrong guess marks its network, so each network gets at most one such try.
    3. Look the report up and verify with constant work (verify_passphrase).
    4. A failure counts against all three buckets; a success clears the reference's count
       (only the passphrase holder can do that) but never the network's, so that someone
       holding one receipt cannot wipe the count between guesses at others.

    Signing in (reporter_session.sign_in) and any audit record are the caller's job. The
    report comes back with only its receipt fields loaded (others load on access), so a
    failed attempt never decrypts anything.
    """

    def find(normalised: str) -> Report | None:
        return (
            Report.objects.filter(reference=normalised)
            .only("id", "reference", "receipt_hash", "receipt_pepper_key_id")
            .first()
        )

    match = check_receipt_of(request, reference=reference, passphrase=passphrase, find=find)
    return ReceiptCheck(report=match.holder, blocked=match.blocked, retry_after=match.retry_after)


class ReceiptHolder(Protocol):
    """Anything a receipt opens: a report, or an incident log with its own receipt."""

    receipt_hash: str
    receipt_pepper_key_id: int | None


@dataclass(frozen=True)
class ReceiptMatch[H: ReceiptHolder]:
    holder: H | None
    blocked: bool = False
    retry_after: int = 0


def check_receipt_of[H: ReceiptHolder](
    request: HttpRequest,
    *,
    reference: str,
    passphrase: str,
    find: Callable[[str], H | None],
) -> ReceiptMatch[H]:
    """check_receipt() for whatever `find` looks up by normalised reference (an incident
    log's receipt works exactly as a report's, with the same shared rate limits)."""
    ref_key = reference_bucket_key(reference)
    if ratelimit.is_blocked(ratelimit.RECEIPT_PER_NETWORK, request=request):
        wait = ratelimit.retry_after(ratelimit.RECEIPT_PER_NETWORK)
        return ReceiptMatch(holder=None, blocked=True, retry_after=wait)
    pair_key = ratelimit.reference_network_key(ref_key, request)
    reference_blocked = ratelimit.is_blocked(ratelimit.RECEIPT_PER_REFERENCE, key=ref_key)
    if reference_blocked and ratelimit.is_blocked(
        ratelimit.RECEIPT_PER_REFERENCE_NETWORK, key=pair_key
    ):
        wait = ratelimit.retry_after(ratelimit.RECEIPT_PER_REFERENCE)
        return ReceiptMatch(holder=None, blocked=True, retry_after=wait)

    holder = None if ref_key.startswith("invalid:") else find(ref_key)
    matched = verify_passphrase(
        encoded=(holder.receipt_hash or None) if holder is not None else None,
        key_id=holder.receipt_pepper_key_id if holder is not None else None,
        passphrase=passphrase,
    )
    if matched and holder is not None:
        ratelimit.reset(ratelimit.RECEIPT_PER_REFERENCE, key=ref_key)
        return ReceiptMatch(holder=holder)
    ratelimit.record_failure(ratelimit.RECEIPT_PER_NETWORK, request=request)
    ratelimit.record_failure(ratelimit.RECEIPT_PER_REFERENCE, key=ref_key)
    ratelimit.record_failure(ratelimit.RECEIPT_PER_REFERENCE_NETWORK, key=pair_key)
    if reference_blocked:
        # A wrong try let through a block is answered as the block (nothing new learnt).
        wait = ratelimit.retry_after(ratelimit.RECEIPT_PER_REFERENCE)
        return ReceiptMatch(holder=None, blocked=True, retry_after=wait)
    return ReceiptMatch(holder=None)
