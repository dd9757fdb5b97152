"""Signed-in staff sessions for the bench, made directly (no password, no TOTP typed).

Run by bench/run.py under the bench's environment:
    python bench/sessions.py lead@bench.waypoint.test [more emails...]
Prints {"email": "<session cookie value>", ...}. Each session holds what a real sign-in
leaves (waypoint/accounts/sessions.py): Django's auth keys, the staff session clocks, and
allauth's authentication records for the password and the TOTP step, so every check the
middleware makes on a real session runs on these too.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY  # noqa: E402
from allauth.mfa.models import Authenticator  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from waypoint.accounts import sessions  # noqa: E402
from waypoint.accounts.models import User  # noqa: E402

AUTH_USER_KEY = "account_authentication_methods_user"


def session_for(user: User) -> str:
    totp = Authenticator.objects.get(user_id=user.pk, type=Authenticator.Type.TOTP)
    now = time.time()
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[sessions.STARTED_AT] = int(now)
    store[sessions.SEEN_AT] = int(now)
    store[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now - 5, "email": user.email},
        {"method": "mfa", "at": now, "id": totp.pk, "type": "totp"},
    ]
    store[AUTH_USER_KEY] = str(user.pk)
    store.create()
    return str(store.session_key)


def main() -> None:
    cookies = {email: session_for(User.objects.get(email=email)) for email in sys.argv[1:]}
    print(json.dumps(cookies))


if __name__ == "__main__":
    main()
