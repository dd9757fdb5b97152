"""Development email backend: Django's console backend, with recipients as keyed digests.

The console backend prints whole messages to the server log, To: included, and
Waypoint's notices go to reporters' own contact addresses; a log is copied, pasted and
kept far more freely than the database. This backend prints each recipient as its
identifier digest (identifiers.EMAIL kind) instead, which still lets a developer tell
two recipients apart or check one they know. Subjects and bodies are printed as they
are: Waypoint's notices carry nothing identifying by design.

config/settings.py selects it in development when no EMAIL_BACKEND is set; production
sends through SMTP and never uses it.
"""

from __future__ import annotations

from email.message import EmailMessage as StdlibEmailMessage
from email.utils import getaddresses
from typing import Final

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend
from django.core.mail.message import EmailMessage

from waypoint.privacy.identifiers import EMAIL, identifier_digest

# Headers that may carry someone's address. From is the site's own address.
_ADDRESS_HEADERS: Final = ("To", "Cc", "Reply-To")
NOT_AN_ADDRESS: Final = "(not an email address)"


def recipient_digest(address: str) -> str:
    """The keyed digest printed in place of `address`."""
    try:
        return identifier_digest(EMAIL, address)
    except ValueError:
        return NOT_AN_ADDRESS


def _digests(values: list[str]) -> str:
    # Display names are dropped too: they may be a person's name.
    return ", ".join(recipient_digest(address) for _, address in getaddresses(values))


class DigestConsoleEmailBackend(ConsoleEmailBackend):
    def write_message(self, message: EmailMessage) -> None:
        msg = message.message()
        lines = []
        for header in _ADDRESS_HEADERS:
            values = [str(value) for value in msg.get_all(header, [])]
            if values:
                del msg[header]
                lines.append(f"{header} (digest): {_digests(values)}")
        # Django's console backend leaves Bcc out (it is not a header); its digest helps
        # when checking who was sent what.
        if message.bcc:
            lines.append(f"Bcc (digest): {_digests([str(b) for b in message.bcc])}")
        lines.extend(f"{name}: {value}" for name, value in msg.items())
        lines.extend(_readable_parts(msg))
        self.stream.write("\n".join(lines) + "\n")
        self.stream.write("-" * 79)
        self.stream.write("\n")


def _readable_parts(msg: StdlibEmailMessage) -> list[str]:
    # Text decoded (the wire form wraps long lines in quoted-printable); anything else
    # is only named, so an attachment's bytes or file name never reach the log.
    multipart = msg.is_multipart()
    lines: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        lines.append(f"\n[{kind}]" if multipart else "")
        if part.get_content_maintype() == "text" and not part.is_attachment():
            lines.append(str(part.get_content()).rstrip("\n"))
        else:
            lines.append("(not shown)")
    return lines
