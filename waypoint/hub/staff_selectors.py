"""Reads for content management (/staff/content/): the item list, the review queue, history,
revision pages, field-by-field differences and previews.

Every function makes a fixed number of queries, whatever the number of items or revisions.
Access is checked by the views (policy "content.edit" / "content.review"); revisions are
not secret between administrators, so these functions do not filter by person.
"""

from __future__ import annotations

import difflib
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from django import forms
from django.db import models
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime

from waypoint.accounts.models import User
from waypoint.hub.forms import SPECS, ChildSpec, Data, KindSpec, content_spec
from waypoint.hub.models import (
    CampaignEvent,
    CampaignLink,
    ContentRevision,
    SupportCategory,
    SupportPhone,
)
from waypoint.hub.services import (
    OPEN_STATUSES,
    content_live_get,
    content_snapshot,
    revision_live_get,
)

Status = ContentRevision.Status

# --- Addresses --------------------------------------------------------------------------------


def item_url(kind: str, object_id: uuid.UUID, page: Literal["edit", "history"]) -> str:
    return reverse(f"content:{kind}_{page}", kwargs={"object_id": object_id})


def create_url(kind: str) -> str:
    return reverse(f"content:{kind}_create")


def revision_title(revision: ContentRevision) -> str:
    """The item's name as this revision would have it."""
    spec = content_spec(revision.kind)
    data = revision.data if isinstance(revision.data, dict) else {}
    return str(data.get(spec.title_field) or "(untitled)")


# --- The list of items ------------------------------------------------------------------------


@dataclass
class ItemRow:
    kind: str
    object_id: uuid.UUID
    title: str
    slug: str
    is_published: bool
    drafts: int = 0
    waiting: int = 0
    my_draft: ContentRevision | None = None

    @property
    def edit_url(self) -> str:
        return item_url(self.kind, self.object_id, "edit")

    @property
    def history_url(self) -> str:
        return item_url(self.kind, self.object_id, "history")


@dataclass
class ItemSection:
    spec: KindSpec
    rows: list[ItemRow]

    @property
    def create_url(self) -> str:
        return create_url(self.spec.kind)


@dataclass
class ContentOverview:
    sections: list[ItemSection]
    new_items: list[ContentRevision]  # open revisions that would create an item
    waiting_for_review: int  # submitted by someone else: this person may review them


def content_overview_for_admin(*, user: User) -> ContentOverview:
    """Every page, campaign and service with what is in progress for it. Four queries.

    Open revisions are few (drafts and submissions waiting), so they come whole: a new
    item's title is in its data.
    """
    open_revisions = list(
        ContentRevision.objects.filter(status__in=OPEN_STATUSES)
        .select_related("author")
        .order_by("created_at")
    )
    by_item: dict[tuple[str, uuid.UUID], list[ContentRevision]] = defaultdict(list)
    new_items: list[ContentRevision] = []
    for revision in open_revisions:
        revision.display_title = revision_title(revision)  # type: ignore[attr-defined]
        if revision.object_id is None:
            new_items.append(revision)
        else:
            by_item[(revision.kind, revision.object_id)].append(revision)

    sections = []
    for spec in SPECS.values():
        rows = []
        live_rows = spec.model._default_manager.only(spec.title_field, "slug", "is_published")
        for obj in live_rows:
            row = ItemRow(
                kind=spec.kind,
                object_id=obj.pk,
                title=str(getattr(obj, spec.title_field)),
                slug=str(getattr(obj, "slug", "")),
                is_published=bool(getattr(obj, "is_published", False)),
            )
            for revision in by_item.get((spec.kind, obj.pk), []):
                if revision.status == Status.SUBMITTED:
                    row.waiting += 1
                else:
                    row.drafts += 1
                    if revision.author_id == user.pk:
                        row.my_draft = revision
            rows.append(row)
        sections.append(ItemSection(spec=spec, rows=rows))
    waiting = sum(
        1 for r in open_revisions if r.status == Status.SUBMITTED and r.author_id != user.pk
    )
    return ContentOverview(sections=sections, new_items=new_items, waiting_for_review=waiting)


# --- Revisions ----------------------------------------------------------------------------------


def _with_people(queryset: models.QuerySet[ContentRevision]) -> models.QuerySet[ContentRevision]:
    return queryset.select_related("author", "reviewed_by")


def revision_get_for_admin(*, revision_id: uuid.UUID) -> ContentRevision:
    try:
        return _with_people(ContentRevision.objects.all()).get(pk=revision_id)
    except ContentRevision.DoesNotExist:
        raise Http404("No such revision.") from None


def _live_revision_ids() -> Subquery:
    return Subquery(
        ContentRevision.objects.filter(
            kind=OuterRef("kind"), object_id=OuterRef("object_id"), status=Status.APPROVED
        )
        .order_by("-reviewed_at", "-created_at")
        .values("pk")[:1]
    )


def revision_out_of_date(revision: ContentRevision) -> bool:
    """Out of date, from the `live_revision_id` annotation the queue and history add."""
    if revision.object_id is None or revision.status not in OPEN_STATUSES:
        return False
    live_id = getattr(revision, "live_revision_id", None)
    return live_id is not None and live_id != revision.based_on_id


@dataclass
class ReviewQueue:
    to_review: list[ContentRevision]  # submitted by others, oldest first
    mine: list[ContentRevision]  # this person's, waiting for someone else


def revision_queue_for_reviewer(*, user: User) -> ReviewQueue:
    submitted = list(
        _with_people(ContentRevision.objects.filter(status=Status.SUBMITTED))
        .annotate(live_revision_id=_live_revision_ids())
        .order_by("submitted_at", "created_at")
    )
    for revision in submitted:
        revision.out_of_date = revision_out_of_date(revision)  # type: ignore[attr-defined]
        revision.display_title = revision_title(revision)  # type: ignore[attr-defined]
    return ReviewQueue(
        to_review=[r for r in submitted if r.author_id != user.pk],
        mine=[r for r in submitted if r.author_id == user.pk],
    )


@dataclass
class ItemHistory:
    spec: KindSpec
    object_id: uuid.UUID
    live: models.Model
    title: str
    revisions: Sequence[ContentRevision]


def item_history(*, kind: str, object_id: uuid.UUID) -> ItemHistory:
    """Every revision of one live item, newest first. 404 if there is no such item."""
    spec = content_spec(kind)
    live = spec.model._default_manager.filter(pk=object_id).first()
    if live is None:
        raise Http404("No such item.")
    revisions = list(
        _with_people(ContentRevision.objects.filter(kind=kind, object_id=object_id))
        .annotate(live_revision_id=_live_revision_ids())
        .order_by("-created_at")
    )
    for revision in revisions:
        revision.out_of_date = revision_out_of_date(revision)  # type: ignore[attr-defined]
        revision.is_live = revision.pk == getattr(  # type: ignore[attr-defined]
            revision, "live_revision_id", None
        )
    return ItemHistory(
        spec=spec,
        object_id=object_id,
        live=live,
        title=str(getattr(live, spec.title_field)),
        revisions=revisions,
    )


def revisions_open_for_item(*, kind: str, object_id: uuid.UUID) -> list[ContentRevision]:
    return list(
        _with_people(
            ContentRevision.objects.filter(kind=kind, object_id=object_id, status__in=OPEN_STATUSES)
        ).order_by("created_at")
    )


def revision_draft_of(*, kind: str, object_id: uuid.UUID, author: User) -> ContentRevision | None:
    """`author`'s open draft of the item, if they have one (the newest)."""
    return (
        ContentRevision.objects.filter(
            kind=kind, object_id=object_id, author=author, status=Status.DRAFT
        )
        .order_by("-created_at")
        .first()
    )


# --- Differences --------------------------------------------------------------------------------

_EQUAL_CONTEXT: Final = 2  # unchanged lines kept around a change in long text


@dataclass(frozen=True)
class DiffLine:
    op: Literal["same", "added", "removed", "skipped"]
    text: str


@dataclass
class FieldChange:
    name: str
    label: str
    before: str
    after: str
    lines: list[DiffLine] = field(default_factory=list)  # long text and nested rows

    @property
    def is_multiline(self) -> bool:
        return bool(self.lines)


@dataclass
class ContentDiff:
    changes: list[FieldChange]
    unchanged: int
    is_new: bool  # nothing is live yet: every field is new

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)


def _local_datetime(value: str) -> str:
    parsed = parse_datetime(value)
    if parsed is None:
        return value
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return formats.date_format(parsed, "j F Y, H:i")


def _display(form_field: forms.Field | None, value: Any, categories: dict[str, str]) -> str:
    if value is None or value in ("", []):
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = str(value)
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        text = ", ".join(categories.get(slug, slug) for slug in value)
    elif isinstance(form_field, forms.DateTimeField):
        text = _local_datetime(text)
    elif isinstance(form_field, forms.DateField):
        parsed = parse_date(text)
        text = formats.date_format(parsed, "j F Y") if parsed else text
    elif isinstance(form_field, forms.ChoiceField):
        text = str(dict(form_field.choices).get(value, value))  # type: ignore[arg-type]
    return text


def _choice_label(choices: type[models.TextChoices], value: Any) -> str:
    return str(choices(value).label) if value in choices.values else str(value)


def _row_line(child: ChildSpec, row: Data) -> str:
    """One nested row as one readable line."""
    model = child.form._meta.model
    if model is SupportPhone:
        note = f" ({row['note']})" if row.get("note") else ""
        return f"{_choice_label(SupportPhone.Kind, row.get('kind'))}: {row.get('number')}{note}"
    if model is CampaignLink:
        kind = _choice_label(CampaignLink.Kind, row.get("kind"))
        return f"{kind}: {row.get('label')} ({row.get('url')})"
    if model is CampaignEvent:
        parts = [_local_datetime(str(row.get("starts_at", ""))), str(row.get("title", ""))]
        parts += [str(row[k]) for k in ("location", "url", "description") if row.get(k)]
        return ", ".join(parts)
    return ", ".join(f"{k}: {v}" for k, v in row.items())


def _line_diff(before: Sequence[str], after: Sequence[str]) -> list[DiffLine]:
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            same = before[a1:a2]
            if len(same) > 2 * _EQUAL_CONTEXT + 1:
                head = same[:_EQUAL_CONTEXT] if a1 else []
                tail = same[-_EQUAL_CONTEXT:] if a2 < len(before) else []
                lines += [DiffLine("same", text) for text in head]
                skipped = len(same) - len(head) - len(tail)
                lines.append(DiffLine("skipped", f"{skipped} unchanged lines"))
                lines += [DiffLine("same", text) for text in tail]
            else:
                lines += [DiffLine("same", text) for text in same]
            continue
        lines += [DiffLine("removed", text) for text in before[a1:a2]]
        lines += [DiffLine("added", text) for text in after[b1:b2]]
    return lines


def _text_lines(value: Any) -> list[str]:
    """The lines of a long text that say something (blank lines only separate paragraphs)."""
    return [line for line in str(value or "").splitlines() if line.strip()]


def _category_names(*datas: Data | None) -> dict[str, str]:
    slugs = {slug for data in datas if data for slug in data.get("categories", []) or []}
    if not slugs:
        return {}
    return dict(SupportCategory.objects.filter(slug__in=slugs).values_list("slug", "name"))


def content_diff(kind: str, before: Data | None, after: Data) -> ContentDiff:
    """Field by field, what changes when `after` replaces `before` (None: a new item)."""
    spec = content_spec(kind)
    old = before or {}
    categories = _category_names(before, after)
    long_text: frozenset[str] = getattr(spec.form, "long_text", frozenset())
    changes: list[FieldChange] = []
    unchanged = 0
    for name, form_field in spec.form.base_fields.items():
        old_value, new_value = old.get(name), after.get(name)
        if before is not None and old_value == new_value:
            unchanged += 1
            continue
        change = FieldChange(
            name=name,
            label=str(form_field.label or name.replace("_", " ").capitalize()),
            before=_display(form_field, old_value, categories) if before is not None else "",
            after=_display(form_field, new_value, categories),
        )
        if name in long_text:
            change.lines = _line_diff(_text_lines(old_value), _text_lines(new_value))
        changes.append(change)
    for child in spec.children:
        old_rows = [_row_line(child, row) for row in old.get(child.name, [])]
        new_rows = [_row_line(child, row) for row in after.get(child.name, [])]
        if before is not None and old_rows == new_rows:
            unchanged += 1
            continue
        changes.append(
            FieldChange(
                name=child.name,
                label=child.label,
                before="\n".join(old_rows) or "(none)",
                after="\n".join(new_rows) or "(none)",
                lines=_line_diff(old_rows, new_rows) or [DiffLine("same", "(none)")],
            )
        )
    return ContentDiff(changes=changes, unchanged=unchanged, is_new=before is None)


@dataclass
class RevisionComparison:
    """A revision against what is live now."""

    live: models.Model | None
    live_data: Data | None
    diff: ContentDiff
    out_of_date: bool
    live_revision: ContentRevision | None


def revision_compare_with_live(revision: ContentRevision) -> RevisionComparison:
    live = content_live_get(revision.kind, revision.object_id)
    live_data = content_snapshot(revision.kind, live) if live is not None else None
    live_revision = revision_live_get(kind=revision.kind, object_id=revision.object_id)
    out_of_date = (
        revision.object_id is not None
        and revision.status in OPEN_STATUSES
        and live_revision is not None
        and live_revision.pk != revision.based_on_id
    )
    data = revision.data if isinstance(revision.data, dict) else {}
    return RevisionComparison(
        live=live,
        live_data=live_data,
        diff=content_diff(revision.kind, live_data, data),
        out_of_date=out_of_date,
        live_revision=live_revision,
    )


# --- Previews -------------------------------------------------------------------------------


class _Rows(list[Any]):
    """A list that answers `.all` like a related manager, for the public templates."""

    def all(self) -> _Rows:
        return self


class PreviewItem:
    """An unsaved item built from revision data, shaped like the live row for the public
    templates: `service.phones.all`, `campaign.links.all` and `service.categories.all`
    give the revision's rows, everything else comes from an unsaved model instance."""

    def __init__(self, instance: models.Model, related: dict[str, list[Any]]) -> None:
        self._instance = instance
        self._related = {name: _Rows(rows) for name, rows in related.items()}

    def __getattr__(self, name: str) -> Any:
        related = self.__dict__.get("_related", {})
        if name in related:
            return related[name]
        return getattr(self.__dict__["_instance"], name)


_PREVIEW_TEMPLATES: Final[dict[str, tuple[str, str]]] = {
    ContentRevision.Kind.PAGE: ("hub/staff/preview_page.html", "page"),
    ContentRevision.Kind.CAMPAIGN: ("hub/staff/preview_campaign.html", "campaign"),
    ContentRevision.Kind.SERVICE: ("hub/staff/preview_service.html", "service"),
}


def _instance(model: type[models.Model], form_class: type[forms.ModelForm[Any]], data: Data) -> Any:
    values: dict[str, Any] = {}
    for name, form_field in form_class.base_fields.items():
        if isinstance(form_field, forms.ModelMultipleChoiceField) or name not in data:
            continue
        value = data[name]
        if isinstance(form_field, forms.DateTimeField) and isinstance(value, str):
            value = parse_datetime(value)
        elif isinstance(form_field, forms.DateField) and isinstance(value, str):
            value = parse_date(value)
        values[name] = value
    return model(**values)


def revision_preview(revision: ContentRevision) -> tuple[str, dict[str, Any]]:
    """The template and context that show `revision` as its public page would."""
    spec = content_spec(revision.kind)
    data = revision.data if isinstance(revision.data, dict) else {}
    instance = _instance(spec.model, spec.form, data)
    if hasattr(instance, "updated_at"):
        instance.updated_at = timezone.now()  # what the page will say once approved
    related: dict[str, list[Any]] = {
        child.name: [
            _instance(child.form._meta.model, child.form, row) for row in data.get(child.name, [])
        ]
        for child in spec.children
    }
    if "categories" in spec.form.base_fields:
        slugs = data.get("categories") or []
        related["categories"] = (
            list(SupportCategory.objects.filter(slug__in=slugs)) if slugs else []
        )
    template, name = _PREVIEW_TEMPLATES[revision.kind]
    context: dict[str, Any] = {name: PreviewItem(instance, related)}
    if revision.kind == ContentRevision.Kind.CAMPAIGN:
        today = timezone.localdate()
        starts_on, ends_on = instance.starts_on, instance.ends_on
        context["status"] = (
            "past" if ends_on < today else "upcoming" if starts_on > today else "live"
        )
    return template, context
