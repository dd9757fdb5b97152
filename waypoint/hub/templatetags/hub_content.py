"""Template helpers for the public hub: Markdown bodies and where "Tell us what happened" goes.

No database access here, so the error pages can use them too.
"""

from __future__ import annotations

import datetime

from django import template
from django.utils.dateformat import format as format_date
from django.utils.safestring import SafeString

from waypoint.hub.markdown import render_markdown
from waypoint.hub.selectors import REPORT_PATH, TELL_US_PATH, path_if_served

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: object) -> SafeString:
    """`{{ page.body|markdown }}`: safe HTML from a managed Markdown body."""
    return render_markdown(str(value or ""))


@register.simple_tag
def date_range(starts_on: datetime.date, ends_on: datetime.date) -> str:
    """A campaign's dates, with an en dash: "22-26 April 2024", "29 April - 3 May 2024",
    "30 December 2024 - 3 January 2025" (shown here with hyphens)."""
    end = format_date(ends_on, "j F Y")
    if starts_on == ends_on:
        return end
    if (starts_on.year, starts_on.month) == (ends_on.year, ends_on.month):
        return f"{starts_on.day}\u2013{end}"
    if starts_on.year == ends_on.year:
        return f"{format_date(starts_on, 'j F')} \u2013 {end}"
    return f"{format_date(starts_on, 'j F Y')} \u2013 {end}"


@register.simple_tag
def tell_us_url() -> str:
    """The report flow at /report/ once it exists; until then, the page saying how to reach
    the team. Posters and bookmarks keep working either way."""
    return path_if_served(REPORT_PATH) or TELL_US_PATH
