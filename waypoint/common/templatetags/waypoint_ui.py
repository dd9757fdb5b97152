"""Small template helpers for the public layout: safe CSS colours, tel: links, quick exit.

Nothing here touches the database, so the 500 page (rendered with an empty context) can
use them too.
"""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()

# Used before the institution is set up and on the 500 page. It must match the default of
# Institution.quick_exit_url (a test holds them together): an ordinary, neutral page.
NEUTRAL_EXIT_URL = "https://www.bbc.co.uk/weather"
DEFAULT_BRAND_COLOUR = "#1f4e79"

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_DIALLABLE = re.compile(r"[^0-9+]")


@register.filter
def css_hex(value: object) -> str:
    """The value if it is a #rrggbb colour, else the default: it is written into CSS."""
    text = str(value or "")
    return text if _HEX_COLOUR.match(text) else DEFAULT_BRAND_COLOUR


@register.filter
def tel_uri(value: object) -> str:
    """'0116 252 2888' -> 'tel:01162522888'. Keeps digits and a leading plus only."""
    text = str(value or "").strip()
    digits = _DIALLABLE.sub("", text)
    if digits.startswith("+"):
        digits = "+" + digits[1:].replace("+", "")
    else:
        digits = digits.replace("+", "")
    return f"tel:{digits}"


@register.simple_tag
def quick_exit_url() -> str:
    """Our own exit address: it forgets the visit on the server, then leaves (ADR 0025)."""
    try:
        return reverse("reporting:quick_exit")
    except NoReverseMatch:  # the error pages must render whatever the URLconf
        return "/exit/"


@register.simple_tag(takes_context=True)
def quick_exit_destination(context: template.Context) -> str:
    """Where the quick exit lands: the institution's page, or a neutral one before set-up."""
    institution: Any = context.get("institution")
    url = getattr(institution, "quick_exit_url", "") if institution else ""
    return str(url) if url else NEUTRAL_EXIT_URL


def label_then(label: object, text: object) -> str:
    """'Are you in danger right now?' + 'Choose yes or no' reads without a stray colon.

    A label that already ends in punctuation (a question) is followed by a space; any other
    label by a colon, as in "Email: Enter an email address".
    """
    head = str(label).strip()
    tail = str(text).strip()
    if not head:
        return tail
    if not tail:
        return head
    return f"{head} {tail}" if head[-1] in "?!.:" else f"{head}: {tail}"


@register.filter(name="label_then")
def label_then_filter(label: object, text: object) -> str:
    return label_then(label, text)
