"""The development console email backend keeps reporters' addresses out of the log."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from django.core.mail import EmailMessage, mailers
from django.test import override_settings

from waypoint.privacy.mail import DigestConsoleEmailBackend, recipient_digest

ROOT = Path(__file__).resolve().parents[3]
BACKEND = "waypoint.privacy.mail.DigestConsoleEmailBackend"
# A reporter who asked for notices at their personal address, with a friend copied in.
REPORTER = "Sam Reporter <sam.reporter+waypoint@example.org>"
FRIEND = "a.friend@example.net"
SUBJECT = "There is an update on your report"
BODY = "Someone from the support team has replied. Sign in with your receipt to read it."


def send_through_dev_console(message: EmailMessage) -> str:
    stream = io.StringIO()
    mailer = {"default": {"BACKEND": BACKEND, "OPTIONS": {"stream": stream}}}
    with override_settings(MAILERS=mailer):
        connection = mailers.default
        assert isinstance(connection, DigestConsoleEmailBackend)
        assert connection.send_messages([message]) == 1
    return stream.getvalue()


def test_a_notice_to_a_reporter_prints_their_address_only_as_a_digest() -> None:
    message = EmailMessage(
        SUBJECT,
        BODY,
        "waypoint@localhost",
        to=[REPORTER],
        cc=[FRIEND],
        bcc=["someone.else@example.com"],
        reply_to=["reply.here@example.org"],
    )

    printed = send_through_dev_console(message)

    for leaked in ("sam.reporter", "Sam Reporter", "a.friend", "someone.else", "reply.here"):
        assert leaked not in printed
    assert f"To (digest): {recipient_digest('sam.reporter@example.org')}" in printed
    assert f"Cc (digest): {recipient_digest(FRIEND)}" in printed
    assert f"Bcc (digest): {recipient_digest('someone.else@example.com')}" in printed
    assert f"Reply-To (digest): {recipient_digest('reply.here@example.org')}" in printed
    assert f"Subject: {SUBJECT}" in printed
    assert BODY in printed
    assert "From: waypoint@localhost" in printed


def test_the_digest_is_the_keyed_email_digest_used_for_matching() -> None:
    # Sub-addressing and case are normalised away, as when reports are matched.
    digest = recipient_digest("Sam.Reporter+waypoint@Example.org")
    assert digest == recipient_digest("sam.reporter@example.org")
    assert len(digest) == 64
    assert int(digest, 16) >= 0


def test_development_delivers_through_the_digest_console_backend_when_no_backend_is_set() -> None:
    # Emails are queued (worker/mail.py) and the worker delivers them through "delivery".
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WAYPOINT_ENV", "EMAIL_"))}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    probe = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.MAILERS['delivery']['BACKEND']))"
    )
    result = subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, "-c", probe],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == BACKEND
