"""Small template helpers for the public layout: safe CSS colours, tel: links, quick exit.

Nothing here touches the database, so the 500 page (rendered with an empty context) can
use them too.
"""

from __future__ import annotations

import re
from typing import Any

from django import template

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


@register.simple_tag(takes_context=True)
def quick_exit_url(context: template.Context) -> str:
    """Where the quick exit goes: the institution's page, or a neutral one before set-up."""
    institution: Any = context.get("institution")
    url = getattr(institution, "quick_exit_url", "") if institution else ""
    return str(url) if url else NEUTRAL_EXIT_URL
