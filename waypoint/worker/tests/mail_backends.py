"""A stand-in for a mail server that fails, for the worker's tests (in process and in a
worker process of its own, tests/worker_process).

It refuses each email (told apart by its Message-ID, which the outbox keeps the same on
every attempt) `failures` times with the
error smtplib raises for a refused recipient, whose message quotes the address, then
accepts it: it appends one JSON line per delivery to `<directory>/delivered.jsonl`, with
the process id that delivered it. Its state lives in files so that it holds across
processes. Settings: OPTIONS {"directory": ..., "failures": N}, or the environment
variables WAYPOINT_TEST_MAIL_DIR and WAYPOINT_TEST_MAIL_FAILURES (a worker process's
EMAIL_BACKEND has no OPTIONS).
"""

from __future__ import annotations

import hashlib
import json
import os
import smtplib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class FlakyEmailBackend(BaseEmailBackend):
    def __init__(
        self, *args: Any, directory: str | None = None, failures: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.directory = Path(directory or os.environ["WAYPOINT_TEST_MAIL_DIR"])
        self.failures = (
            failures if failures is not None else int(os.environ["WAYPOINT_TEST_MAIL_FAILURES"])
        )

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            recipients = sorted(message.recipients())
            message_id = str(message.extra_headers.get("Message-ID", ""))
            key = hashlib.sha256(message_id.encode()).hexdigest()[:16]
            tries = self.directory / f"tries-{key}"
            attempt = int(tries.read_text()) + 1 if tries.exists() else 1
            tries.write_text(str(attempt))
            if attempt <= self.failures:
                raise smtplib.SMTPRecipientsRefused(
                    dict.fromkeys(recipients, (450, b"mailbox busy"))
                )
            line = {
                "subject": str(message.subject),
                "to": recipients,
                "body": str(message.body),
                "attempt": attempt,
                "message_id": message_id,
                "pid": os.getpid(),
            }
            with (self.directory / "delivered.jsonl").open("a") as log:
                log.write(json.dumps(line) + "\n")
            sent += 1
        return sent


def delivered(directory: Path) -> list[dict[str, Any]]:
    """What the stand-in mail server accepted, in order."""
    path = directory / "delivered.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]
