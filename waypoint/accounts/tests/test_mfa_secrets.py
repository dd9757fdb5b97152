from __future__ import annotations

import json

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.db import connection

from waypoint.accounts.adapters import MFAAdapter
from waypoint.accounts.models import User
from waypoint.accounts.tests.factories import PERSONA_TOTP_SECRETS
from waypoint.privacy.crypto import DecryptionError

pytestmark = pytest.mark.django_db


def raw_authenticator_data(user: User) -> list[str]:
    table = Authenticator._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT data FROM {table} WHERE user_id = %s", [user.pk.hex])  # noqa: S608
        rows = cursor.fetchall()
        if not rows:  # PostgreSQL stores the uuid with dashes
            cursor.execute(f"SELECT data FROM {table} WHERE user_id = %s", [str(user.pk)])  # noqa: S608
            rows = cursor.fetchall()
    return [row[0] if isinstance(row[0], str) else json.dumps(row[0]) for row in rows]


def test_the_totp_secret_is_not_stored_in_plaintext(adviser: User) -> None:
    secret = PERSONA_TOTP_SECRETS["adviser"]
    stored = raw_authenticator_data(adviser)
    assert len(stored) == 2  # TOTP and recovery codes
    for data in stored:
        assert secret not in data
        assert secret.lower() not in data
    totp = Authenticator.objects.get(user=adviser, type=Authenticator.Type.TOTP)
    assert totp.data["secret"].startswith("kek1:")


def test_the_recovery_code_seed_is_encrypted(adviser: User) -> None:
    codes = Authenticator.objects.get(user=adviser, type=Authenticator.Type.RECOVERY_CODES)
    assert codes.data["seed"].startswith("kek1:")
    unused = RecoveryCodes(codes).get_unused_codes()
    assert len(unused) == 10
    for data in raw_authenticator_data(adviser):
        assert unused[0] not in data


def test_the_same_secret_encrypts_differently_each_time() -> None:
    adapter = MFAAdapter()
    first, second = adapter.encrypt("JBSWY3DPEHPK3PXP"), adapter.encrypt("JBSWY3DPEHPK3PXP")
    assert first != second
    assert adapter.decrypt(first) == adapter.decrypt(second) == "JBSWY3DPEHPK3PXP"


def test_a_plaintext_or_tampered_secret_is_refused() -> None:
    adapter = MFAAdapter()
    with pytest.raises(DecryptionError):
        adapter.decrypt("JBSWY3DPEHPK3PXP")
    with pytest.raises(DecryptionError):
        adapter.decrypt("kek1:not base64!")
    token = adapter.encrypt("JBSWY3DPEHPK3PXP")
    tampered = token[:-6] + ("AAAA" if token[-6:-2] != "AAAA" else "BBBB") + token[-2:]
    with pytest.raises(DecryptionError):
        adapter.decrypt(tampered)
