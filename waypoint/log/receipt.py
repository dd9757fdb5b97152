"""A log's own receipt: checking it, re-issuing a lost one, and carrying it to the page.

The receipt itself is the report's (reporting/receipts.py: the reference, the 8-word
passphrase, Argon2id with the pepper, the shared rate limits); this module only points
that code at IncidentLog; re-issuing and re-hashing a receipt are services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.debug import sensitive_variables

from waypoint.log import services
from waypoint.log.models import IncidentLog
from waypoint.reporting import receipt_cookie, receipts


@dataclass(frozen=True)
class SignIn:
    log: IncidentLog | None  # set only when the passphrase matched
    blocked: bool = False


def _find(reference: str) -> receipts.ReceiptHolder | None:
    # Receipt fields only: a failed attempt never loads (or decrypts) anything else.
    return (
        IncidentLog.objects.filter(reference=reference)
        .only("id", "reference", "receipt_hash", "receipt_pepper_key_id")
        .first()
    )


@sensitive_variables("passphrase")
def check(request: HttpRequest, *, reference: str, passphrase: str) -> SignIn:
    """The report's sign-in check (rate limits shared with /my-report/), for a log."""
    match = receipts.check_receipt_of(
        request, reference=reference, passphrase=passphrase, find=_find
    )
    log = cast(IncidentLog | None, match.holder)
    if log is not None:
        services.log_receipt_rehash_if_needed(log=log, passphrase=passphrase)
    return SignIn(log=log, blocked=match.blocked)


# --- The sealed cookie that carries the passphrase to the receipt page -------------------
# The report's (reporting/receipt_cookie.py): one cookie name, so the quick exit clears a
# log's receipt too; bound to this log.


def _binding(log: IncidentLog) -> str:
    return f"log-receipt-cookie|{log.pk}"


@sensitive_variables("passphrase")
def set_cookie(response: HttpResponseBase, log: IncidentLog, passphrase: str) -> None:
    receipt_cookie.set_receipt_cookie(response, binding=_binding(log), passphrase=passphrase)


def read_cookie(request: HttpRequest, log: IncidentLog) -> str | None:
    return receipt_cookie.read_receipt_cookie(request, binding=_binding(log))


clear_cookie = receipt_cookie.clear_receipt_cookie
cookie_name = receipt_cookie.cookie_name
