"""The email backend every part of Waypoint sends through: it queues, the worker delivers.

settings.MAILERS["default"] is this backend, so `send_mail`, allauth's emails and every
notice are stored encrypted (services.email_queue) and handed to a background task; the
task sends through MAILERS["delivery"] (SMTP in production, the digest console backend in
development) and retries with backoff when the mail server fails (ADR 0039).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class QueuedEmailBackend(BaseEmailBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from waypoint.worker.services import email_queue  # noqa: PLC0415 (models load late)

        return email_queue(messages=list(email_messages))
