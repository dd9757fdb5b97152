"""Background work for casework: the emails sent after a case opens or a message is sent.

Tasks take ids only. A database-backed task queue stores its arguments in clear, so an
address or any content passed here would sit in the queue table unencrypted: each task
reads what it needs (decrypting the reporter's contact details) when it runs. Both are
enqueued from transaction.on_commit, so nothing is sent for a write that rolled back.
"""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.tasks import task

from waypoint.casework import notices
from waypoint.casework.models import Case, Message, MessageDirection
from waypoint.institution.selectors import institution_get_current
from waypoint.privacy.crypto import DecryptionError

logger = logging.getLogger(__name__)


@task()
def triage_notice_send(*, case_id: str) -> int:
    """Tell the triage inbox that a new report arrived. Returns the number of emails sent."""
    case = Case.objects.filter(pk=case_id).only("id", "is_urgent").first()
    institution = institution_get_current()
    if case is None or institution is None or not institution.triage_email:
        return 0
    notice = notices.triage_notice(is_urgent=case.is_urgent)
    return send_mail(notice.subject, notice.body, None, [institution.triage_email])


@task()
def message_nudge_send(*, message_id: str) -> int:
    """Nudge the reporter about a new message from the team, if they asked for that.

    Returns the number of emails sent (0: not wanted, already read, or gone).
    """
    message = (
        Message.objects.select_related("case__report__data_key")
        .filter(pk=message_id, direction=MessageDirection.FROM_STAFF, read_at__isnull=True)
        .first()
    )
    if message is None:
        return 0
    try:
        address = notices.reporter_nudge_address(message.case.report)
    except DecryptionError:
        # The report's key was shredded (erased): there is nobody to tell.
        logger.info("Message nudge skipped: the report can no longer be read.")
        return 0
    if address is None:
        return 0
    notice = notices.message_nudge()
    return send_mail(notice.subject, notice.body, None, [address])
