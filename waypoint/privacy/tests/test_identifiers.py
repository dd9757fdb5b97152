from __future__ import annotations

import pytest

from waypoint.privacy.identifiers import (
    identifier_digest,
    identifier_digest_candidates,
    normalise,
)


@pytest.mark.parametrize(
    ("kind", "written", "normalised"),
    [
        ("email", " Jane.Doe+x@GoogleMail.com", "janedoe@gmail.com"),
        ("email", "JANEDOE@gmail.com ", "janedoe@gmail.com"),
        ("email", "mailto:j.smith+work@Example.ac.uk", "j.smith@example.ac.uk"),
        ("phone", "+44 7700 900123", "07700900123"),
        ("phone", "0044 7700 900123", "07700900123"),
        ("phone", "447700900123", "07700900123"),
        ("phone", "+44 (0)7700 900123", "07700900123"),
        ("phone", "07700-900-123", "07700900123"),
        ("phone", "+1 (202) 555-0100", "0012025550100"),
        ("phone", "001 202 555 0100", "0012025550100"),
        ("student_number", " ab-12 34 ", "AB1234"),
        ("staff_number", "s-00123", "S00123"),
        ("handle", "@Jane_Doe", "jane_doe"),
        ("handle", "https://instagram.com/Jane.Doe/", "jane.doe"),
        ("handle", "www.instagram.com/jane.doe?igsh=abc", "jane.doe"),
        ("handle", "https://www.tiktok.com/@jane?lang=en", "jane"),
        ("handle", "https://www.snapchat.com/add/jane", "jane"),
        ("handle", "jane.doe", "jane.doe"),
    ],
)
def test_it_normalises_identifiers(kind, written, normalised):
    assert normalise(kind, written) == normalised


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("email", "no-at-sign"),
        ("email", "+tag@example.com"),
        ("phone", "call me"),
        ("phone", "+44"),
        ("student_number", " - "),
        ("handle", "@"),
        ("handle", "https://instagram.com/"),
        ("postcode", "AB1 2CD"),
    ],
)
def test_it_rejects_values_that_normalise_to_nothing(kind, value):
    with pytest.raises(ValueError):
        normalise(kind, value)


def test_it_gives_equal_digests_for_the_same_email_written_differently():
    assert identifier_digest("email", " Jane.Doe+x@GoogleMail.com") == identifier_digest(
        "email", "janedoe@gmail.com"
    )


def test_it_gives_equal_digests_for_the_same_phone_written_differently():
    assert identifier_digest("phone", "+44 7700 900123") == identifier_digest(
        "phone", "07700900123"
    )


def test_it_keeps_kinds_apart():
    assert identifier_digest("handle", "janedoe") != identifier_digest("student_number", "janedoe")
    assert identifier_digest("student_number", "A1") != identifier_digest("staff_number", "A1")


def test_it_is_a_keyed_hash_not_a_plain_one():
    digest = identifier_digest("email", "janedoe@gmail.com")
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert "janedoe" not in digest


def test_it_offers_the_primary_digest_first_among_candidates():
    candidates = identifier_digest_candidates("email", "janedoe@gmail.com")
    assert candidates[0] == identifier_digest("email", "janedoe@gmail.com")
