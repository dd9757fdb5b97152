"""The triage inbox's filters: a GET form whose values are all fixed choices.

The address of a filtered inbox can be bookmarked and shared within the team, so the
form takes only choice values (a status, a route, "mine"...), never words, names or ids.
A value nobody could have chosen (an edited or outdated address) falls back to its
default instead of failing the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from django import forms

from waypoint.casework.models import CaseStatus
from waypoint.casework.selectors.inbox import (
    ASSIGNMENT_ALL,
    ASSIGNMENT_MINE,
    ASSIGNMENT_UNASSIGNED,
    ROUTE_LABELS,
    SORT_DUE,
    SORT_DUE_LAST,
    SORT_NEWEST,
    SORT_OLDEST,
    SORT_REFERENCE,
    SORT_REFERENCE_DESC,
    STATUS_ALL,
    STATUS_OPEN,
    InboxFilters,
)

STATUS_CHOICES: Final = [
    (STATUS_OPEN, "Open (not closed)"),
    *CaseStatus.choices,
    (STATUS_ALL, "All, closed too"),
]
ROUTE_CHOICES: Final = [("", "Any route"), *ROUTE_LABELS.items()]
ASSIGNMENT_CHOICES: Final = [
    (ASSIGNMENT_ALL, "Anyone"),
    (ASSIGNMENT_MINE, "Assigned to me"),
    (ASSIGNMENT_UNASSIGNED, "Unassigned"),
]
SORT_CHOICES: Final = [
    (SORT_DUE, "Urgent, then due"),
    (SORT_NEWEST, "Newest first"),
    (SORT_OLDEST, "Oldest first"),
    (SORT_DUE_LAST, "Due last"),
    (SORT_REFERENCE, "Reference, A to Z"),
    (SORT_REFERENCE_DESC, "Reference, Z to A"),
]
# The sortable columns: (column, label, ascending key, descending key). The first key a
# column link offers is its ascending one, then it toggles (the MoJ sortable table).
SORT_COLUMNS: Final = (
    ("reference", "Reference", SORT_REFERENCE, SORT_REFERENCE_DESC),
    ("age", "Age", SORT_NEWEST, SORT_OLDEST),  # youngest first is ascending age
    ("clock", "First contact", SORT_DUE, SORT_DUE_LAST),
)
# How a selected filter reads on its "Remove filter" tag.
_TAG_PREFIX: Final = {"status": "Status", "route": "Route"}


@dataclass(frozen=True)
class FilterTag:
    label: str  # "Urgent only", "Route: Anonymous"
    remove_query: str  # the address's query without this filter


@dataclass(frozen=True)
class SortLink:
    label: str
    query: str  # the address's query sorted by this column (the other way if it already is)
    aria_sort: str  # "ascending", "descending" or "none"


DEFAULTS: Final[dict[str, Any]] = {
    "status": STATUS_OPEN,
    "urgent": False,
    "route": "",
    "assignment": ASSIGNMENT_ALL,
    "overdue": False,
    "sort": SORT_DUE,
}


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    route = forms.ChoiceField(label="Route", choices=ROUTE_CHOICES, required=False)
    assignment = forms.ChoiceField(label="Assigned to", choices=ASSIGNMENT_CHOICES, required=False)
    sort = forms.ChoiceField(label="Order", choices=SORT_CHOICES, required=False)
    urgent = forms.BooleanField(label="Urgent only", required=False)
    overdue = forms.BooleanField(label="Overdue for first contact only", required=False)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data if data is not None else {}, auto_id="inbox-%s")

    def values(self) -> dict[str, Any]:
        """Each filter's value: the one given if it is a valid choice, else its default."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        values = dict(DEFAULTS)
        for name in DEFAULTS:
            if name in self.errors or name not in cleaned:
                continue
            if cleaned[name] not in ("", None):  # "" is an empty select: its default
                values[name] = cleaned[name]
        return values

    def was_reset(self) -> bool:
        """Did the address carry a value that is not one of the choices?"""
        self.is_valid()
        return bool(self.errors)

    def filters(self) -> InboxFilters:
        values = self.values()
        return InboxFilters(
            status=values["status"],
            urgent_only=bool(values["urgent"]),
            route=values["route"],
            assignment=values["assignment"],
            overdue_only=bool(values["overdue"]),
            sort=values["sort"],
        )

    def is_filtered(self) -> bool:
        """Does anything differ from the default view (for "Clear filters")?"""
        return self.values() != DEFAULTS

    def query(self, **changes: Any) -> dict[str, str]:
        """The non-default values, for page links: short, canonical addresses.

        `changes` replace values first (a default value drops the key), for the links that
        sort by a column or remove one filter.
        """
        values = {**self.values(), **changes}
        query: dict[str, str] = {}
        for name, value in values.items():
            if value == DEFAULTS[name]:
                continue
            query[name] = "1" if value is True else str(value)
        return query

    def tags(self) -> list[FilterTag]:
        """One removable tag per filter that differs from the usual view (not the order)."""
        values = self.values()
        tags: list[FilterTag] = []
        for name in ("status", "route", "assignment", "urgent", "overdue"):
            if values[name] == DEFAULTS[name]:
                continue
            field = self.fields[name]
            if isinstance(field, forms.ChoiceField):
                label = str(dict(field.choices).get(values[name], values[name]))  # type: ignore[arg-type]
                prefix = _TAG_PREFIX.get(name)
                label = f"{prefix}: {label}" if prefix else label
            else:
                label = str(field.label)
            tags.append(FilterTag(label, urlencode(self.query(**{name: DEFAULTS[name]}))))
        return tags

    def sort_links(self) -> dict[str, SortLink]:
        """The sortable columns' links by column, and which way the table is sorted now."""
        current = self.values()["sort"]
        links: dict[str, SortLink] = {}
        for column, label, ascending, descending in SORT_COLUMNS:
            if current == ascending:
                aria, target = "ascending", descending
            elif current == descending:
                aria, target = "descending", ascending
            else:
                aria, target = "none", ascending
            links[column] = SortLink(label, urlencode(self.query(sort=target)), aria)
        return links
