"""Keyed hashes of identifiers, so reports naming the same person can be matched
without storing the identifier in clear.

digest = hex(PRF_k(kind + "|" + normalise(kind, value))), 32 bytes, where k is the
primary key of the identifier keyset (settings.WAYPOINT_KEYSETS["identifier"]). The kind
is part of the input, so the same text given as an email and as a handle never match.

Normalisation rules (the same person written differently must give the same digest):

email
    Trim, lowercase, drop a leading "mailto:". Split at the last "@". In the local part,
    drop everything from the first "+" (sub-addressing: jane+x@ is jane@). For gmail.com
    and googlemail.com also drop every "." in the local part, and write the domain as
    gmail.com. " Jane.Doe+x@GoogleMail.com" -> "janedoe@gmail.com".
phone
    Keep digits only. International forms are "+CC...", "00CC..." or, for the UK,
    "44...". UK numbers (+44, 0044, 44) become national: a single leading 0, with an
    optional "(0)" trunk digit absorbed: "+44 (0)7700 900123" -> "07700900123". Other
    international numbers become "00" + country code + number. Anything else is kept as
    its digits.
student_number, staff_number
    Uppercase; remove whitespace and dashes. " ab-12 34 " -> "AB1234". (Two kinds, as
    the two registers may overlap.)
handle
    Trim, lowercase. A profile URL (with or without scheme and "www."/"m.") is reduced
    to the account name: its first path segment, skipping "add", "in", "u", "user" and
    "users" (snapchat.com/add/x, linkedin.com/in/x); query and fragment are dropped.
    Then a leading "@" is dropped. "https://instagram.com/Jane.Doe/" -> "jane.doe",
    "https://www.tiktok.com/@jane?lang=en" -> "jane".

A value that normalises to nothing raises ValueError.

Rotation: digests are not re-computable from stored data, so after
`rotate_keyset identifier` stored digests stay under the old key.
identifier_digest_candidates() returns the digest under every key in the keyset (primary
first); match with `digest__in=candidates` until old digests have been replaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from waypoint.privacy import keysets

EMAIL: Final = "email"
PHONE: Final = "phone"
STUDENT_NUMBER: Final = "student_number"
STAFF_NUMBER: Final = "staff_number"
HANDLE: Final = "handle"

DIGEST_BYTES: Final = 32
_GMAIL_DOMAINS: Final = frozenset({"gmail.com", "googlemail.com"})
_URL_PREFIX: Final = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.|m\.)?(?:[a-z0-9-]+\.)+[a-z]{2,}/", re.ASCII
)
_PATH_SKIP: Final = frozenset({"add", "in", "u", "user", "users"})
_NUMBER_JUNK: Final = re.compile(r"[\s\-]+")


def normalise_email(value: str) -> str:
    text = value.strip().lower().removeprefix("mailto:")
    local, at, domain = text.rpartition("@")
    domain = domain.strip().rstrip(".")
    local = local.strip().split("+", 1)[0]
    if not at or not local or not domain:
        raise ValueError("Not an email address.")
    if domain in _GMAIL_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    if not local:
        raise ValueError("Not an email address.")
    return f"{local}@{domain}"


def normalise_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    international = value.strip().startswith("+")
    if digits.startswith("00"):
        digits, international = digits[2:], True
    if digits.startswith("44"):
        # UK national numbers start with 0, so a leading 44 is always the country code.
        national = digits[2:].lstrip("0")
        digits = "0" + national if national else ""
    elif international and digits:
        digits = "00" + digits
    if not digits:
        raise ValueError("Not a phone number.")
    return digits


def normalise_university_number(value: str) -> str:
    text = _NUMBER_JUNK.sub("", value).upper()
    if not text:
        raise ValueError("Not a student or staff number.")
    return text


def normalise_handle(value: str) -> str:
    text = value.strip().lower()
    if _URL_PREFIX.match(text):
        path = _URL_PREFIX.sub("", text, count=1)
        path = re.split(r"[?#]", path, maxsplit=1)[0]
        segments = [segment for segment in path.split("/") if segment]
        while len(segments) > 1 and segments[0] in _PATH_SKIP:
            segments = segments[1:]
        text = segments[0] if segments else ""
    text = text.removeprefix("@").strip()
    if not text:
        raise ValueError("Not a handle.")
    return text


NORMALISERS: Final[dict[str, Callable[[str], str]]] = {
    EMAIL: normalise_email,
    PHONE: normalise_phone,
    STUDENT_NUMBER: normalise_university_number,
    STAFF_NUMBER: normalise_university_number,
    HANDLE: normalise_handle,
}


def normalise(kind: str, value: str) -> str:
    try:
        normaliser = NORMALISERS[kind]
    except KeyError:
        raise ValueError(f"Unknown identifier kind {kind!r}.") from None
    return normaliser(value)


def _prf_input(kind: str, value: str) -> bytes:
    return f"{kind}|{normalise(kind, value)}".encode()


def identifier_digest(kind: str, value: str) -> str:
    """Hex keyed hash of the normalised identifier under the primary identifier key."""
    data = _prf_input(kind, value)
    prf_set = keysets.load_keyset(keysets.IDENTIFIER).primitive
    return bytes(prf_set.primary().compute(data, DIGEST_BYTES)).hex()


def identifier_digest_candidates(kind: str, value: str) -> list[str]:
    """The digest under every key of the identifier keyset, primary key first."""
    data = _prf_input(kind, value)
    prf_set = keysets.load_keyset(keysets.IDENTIFIER).primitive
    primary_id = prf_set.primary_id()
    ordered = sorted(prf_set.all().items(), key=lambda item: item[0] != primary_id)
    return [bytes(prf.compute(data, DIGEST_BYTES)).hex() for _, prf in ordered]
