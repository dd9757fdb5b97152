"""Forms for content management, and the field schema every revision's data must satisfy.

A ContentRevision's `data` is the JSON form of one of the three item forms below (page,
campaign, support service), with its nested rows as lists of the child forms' data:

    page      PageForm
    campaign  CampaignForm + "links" (CampaignLinkForm) + "events" (CampaignEventForm)
    service   ServiceForm (categories as a sorted list of slugs) + "phones" (PhoneForm)

`revision_data_validate` checks a data dict with these same ModelForms (so the model's
own rules, lengths, choices, uniqueness and constraints apply) and returns it in
canonical form: what a form would produce from it. `content_form_apply` builds the
same forms against the live row, so data that validated can always be applied.

Dates are ISO dates, date-times ISO in UTC, nested rows are kept in their order (events
sorted by start), and positions of nested rows come from that order.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, cast

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from waypoint.hub.models import (
    AwarenessPage,
    Campaign,
    CampaignEvent,
    CampaignLink,
    ContentRevision,
    SupportCategory,
    SupportPhone,
    SupportService,
)

Kind = ContentRevision.Kind
Data = dict[str, Any]

_SLUG_HELP: Final = (
    "The last part of the public address: lowercase letters, numbers and hyphens. "
    "Changing it breaks links and bookmarks to the old address."
)
_MARKDOWN_HELP: Final = (
    "Markdown: a blank line starts a new paragraph, ## starts a heading, - starts a list "
    "item, [words](https://address) makes a link. HTML is shown as plain text."
)
_PUBLISHED_HELP: Final = (
    "Ticked: visible on the public site once approved. Unticked: hidden from the public."
)


def content_json_value(value: Any) -> Any:
    """A cleaned form value as JSON: dates ISO, date-times ISO in UTC, categories slugs."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.QuerySet | list | tuple):
        return sorted(str(getattr(item, "slug", item)) for item in value)
    if isinstance(value, str):
        # Browsers send CRLF from text areas; stored text uses LF only.
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


class ContentFormMixin:
    """What every content form has: its data as JSON, and normalised line endings."""

    cleaned_data: dict[str, Any]
    fields: dict[str, forms.Field]
    # Fields of several lines, compared line by line in a diff; the rest as before/after.
    long_text: ClassVar[frozenset[str]] = frozenset()

    def to_data(self) -> Data:
        # base_fields: the form's own fields, not the ORDER and DELETE a formset adds.
        names = type(self).base_fields  # type: ignore[attr-defined]
        return {name: content_json_value(self.cleaned_data.get(name)) for name in names}

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())  # type: ignore[misc]
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = content_json_value(value)
        return cleaned


def _text(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# --- The three kinds of item ------------------------------------------------------------------


class PageForm(ContentFormMixin, forms.ModelForm[AwarenessPage]):
    long_text = frozenset({"body"})

    class Meta:
        model = AwarenessPage
        fields = ["title", "slug", "summary", "body", "position", "is_published"]
        labels = {
            "position": "Position in lists",
            "is_published": "Published",
        }
        help_texts = {
            "slug": _SLUG_HELP,
            "body": _MARKDOWN_HELP,
            "position": "Lower numbers come first.",
            "is_published": _PUBLISHED_HELP,
        }
        widgets = {"summary": _text(2), "body": _text(18)}


class CampaignForm(ContentFormMixin, forms.ModelForm[Campaign]):
    long_text = frozenset({"body"})

    class Meta:
        model = Campaign
        fields = [
            "name",
            "slug",
            "theme",
            "lead_organisation",
            "starts_on",
            "ends_on",
            "summary",
            "body",
            "is_published",
        ]
        labels = {
            "starts_on": "First day",
            "ends_on": "Last day",
            "lead_organisation": "Led by",
            "is_published": "Published",
        }
        help_texts = {
            "slug": _SLUG_HELP,
            "starts_on": "The campaign shows as a banner on the home page from this day.",
            "ends_on": "After this day it moves to the archive of past campaigns.",
            "body": _MARKDOWN_HELP,
            "is_published": _PUBLISHED_HELP,
        }
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": _text(2),
            "body": _text(14),
        }


class ServiceForm(ContentFormMixin, forms.ModelForm[SupportService]):
    long_text = frozenset({"description"})

    provider = forms.ChoiceField(
        label="Where it is", choices=SupportService.Provider.choices, widget=forms.RadioSelect
    )
    categories = forms.ModelMultipleChoiceField(
        label="Categories",
        queryset=SupportCategory.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People filter the support directory by these.",
    )

    class Meta:
        model = SupportService
        fields = [
            "name",
            "slug",
            "provider",
            "summary",
            "description",
            "audience",
            "categories",
            "hours",
            "is_24_7",
            "is_free",
            "is_confidential",
            "website_url",
            "online_reporting_url",
            "webchat_url",
            "need_words",
            "position",
            "is_published",
        ]
        labels = {
            "audience": "Who can use it",
            "hours": "Opening hours",
            "is_24_7": "Open 24 hours a day, 7 days a week",
            "is_free": "Free to use",
            "is_confidential": "Confidential",
            "website_url": "Website",
            "online_reporting_url": "Online reporting page",
            "webchat_url": "Webchat page",
            "need_words": "Search words",
            "position": "Position in the directory",
            "is_published": "Published",
        }
        help_texts = {
            "slug": _SLUG_HELP,
            "description": "Plain text: a blank line starts a new paragraph.",
            "hours": "For example: Monday to Friday, 9am to 5pm.",
            "need_words": "Everyday words people might search for, such as money or unsafe.",
            "position": "Lower numbers come first.",
            "is_published": _PUBLISHED_HELP,
        }
        widgets = {
            "audience": forms.RadioSelect,
            "summary": _text(2),
            "description": _text(10),
            "need_words": _text(2),
        }


# --- Nested rows ---------------------------------------------------------------------------


class CampaignLinkForm(ContentFormMixin, forms.ModelForm[CampaignLink]):
    class Meta:
        model = CampaignLink
        fields = ["kind", "label", "url"]
        labels = {"kind": "Type of link", "label": "Link text", "url": "Address"}
        help_texts = {"label": "What people read, e.g. “Watch the Alice Ruggles Trust film”."}


class CampaignEventForm(ContentFormMixin, forms.ModelForm[CampaignEvent]):
    long_text = frozenset({"description"})

    class Meta:
        model = CampaignEvent
        fields = ["title", "starts_at", "location", "description", "url"]
        labels = {"starts_at": "Starts", "url": "Web page"}
        help_texts = {"starts_at": "Date and time, UK time."}
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": _text(3),
        }


class PhoneForm(ContentFormMixin, forms.ModelForm[SupportPhone]):
    class Meta:
        model = SupportPhone
        fields = ["kind", "number", "note"]
        labels = {"kind": "Type of number", "number": "Number"}
        help_texts = {
            "number": "As people should dial it, e.g. 0116 252 2023.",
            "note": "Optional, e.g. “Emergency, internal”.",
        }


# --- The schema of each kind ---------------------------------------------------------------


@dataclass(frozen=True)
class ChildSpec:
    """Nested rows of an item: stored as a list under `name` in the revision's data."""

    name: str  # key in the data, and the related name on the live row
    label: str  # "Phone numbers"
    item_label: str  # "Phone number"
    form: type[forms.ModelForm[Any]]
    fk: str  # the child's foreign key to the item
    ordered: bool  # True: the list order becomes `position`
    sort_key: Callable[[Data], Any] | None = None
    max_items: int = 30


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label: str  # "Support service"
    plural: str  # "Support services"
    model: type[models.Model]
    form: type[forms.ModelForm[Any]]
    title_field: str
    children: tuple[ChildSpec, ...] = field(default=())

    def keys(self) -> frozenset[str]:
        return frozenset(self.form.base_fields) | {child.name for child in self.children}


SPECS: Final[Mapping[str, KindSpec]] = {
    Kind.PAGE: KindSpec(
        kind=Kind.PAGE,
        label="Awareness page",
        plural="Awareness pages",
        model=AwarenessPage,
        form=PageForm,
        title_field="title",
    ),
    Kind.CAMPAIGN: KindSpec(
        kind=Kind.CAMPAIGN,
        label="Campaign",
        plural="Campaigns",
        model=Campaign,
        form=CampaignForm,
        title_field="name",
        children=(
            ChildSpec("links", "Links", "Link", CampaignLinkForm, "campaign", ordered=True),
            ChildSpec(
                "events",
                "Events",
                "Event",
                CampaignEventForm,
                "campaign",
                ordered=False,
                sort_key=lambda row: str(row["starts_at"]),
            ),
        ),
    ),
    Kind.SERVICE: KindSpec(
        kind=Kind.SERVICE,
        label="Support service",
        plural="Support services",
        model=SupportService,
        form=ServiceForm,
        title_field="name",
        children=(
            ChildSpec("phones", "Phone numbers", "Phone number", PhoneForm, "service", True),
        ),
    ),
}


def content_spec(kind: str) -> KindSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise ValueError(f"Unknown content kind {kind!r}.") from None


class RevisionDataError(ValueError):
    """A revision's data does not fit its kind's schema. `errors`: field -> messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))


def _error_lists(form: forms.BaseForm, prefix: str = "") -> dict[str, list[str]]:
    return {f"{prefix}{name}": [str(m) for m in messages] for name, messages in form.errors.items()}


def _single_values(data: Mapping[str, Any], form_class: type[forms.ModelForm[Any]]) -> list[str]:
    """Fields given a list or an object where the form expects one value."""
    multiple = {
        name
        for name, f in form_class.base_fields.items()
        if isinstance(f, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
    }
    return [
        name
        for name, value in data.items()
        if name in form_class.base_fields
        and name not in multiple
        and isinstance(value, list | dict)
    ]


def _child_forms(
    child: ChildSpec, items: Any, errors: dict[str, list[str]]
) -> list[forms.ModelForm[Any]]:
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        errors[child.name] = ["must be a list of objects."]
        return []
    if len(items) > child.max_items:
        errors[child.name] = [f"at most {child.max_items} {child.label.lower()}."]
        return []
    valid = []
    for index, item in enumerate(items, start=1):
        prefix = f"{child.name}-{index}-"
        unknown = sorted(set(item) - set(child.form.base_fields))
        if unknown:
            errors[f"{prefix}__all__"] = [f"unknown fields: {', '.join(unknown)}."]
            continue
        for name in _single_values(item, child.form):
            errors[f"{prefix}{name}"] = ["must be a single value."]
        form = child.form(data=item)
        if form.is_valid():
            valid.append(form)
        else:
            errors.update(_error_lists(form, prefix))
    if child.sort_key is not None:
        sort_key = child.sort_key
        valid.sort(key=lambda form: sort_key(cast(ContentFormMixin, form).to_data()))
    return valid


@dataclass
class BoundContent:
    """An item form and its nested rows' forms, bound to revision data (content_form_bind)."""

    spec: KindSpec
    form: forms.ModelForm[Any]
    children: dict[str, list[forms.ModelForm[Any]]]  # valid forms, in their public order
    errors: dict[str, list[str]]

    def data(self) -> Data:
        result = cast(ContentFormMixin, self.form).to_data()
        for name, child_forms in self.children.items():
            result[name] = [cast(ContentFormMixin, form).to_data() for form in child_forms]
        return result


def content_form_bind(*, kind: str, data: object, instance: models.Model | None) -> BoundContent:
    """Validate `data` for `kind` against `instance` (the live row, or None for a new item)."""
    spec = content_spec(kind)
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        raise RevisionDataError({"__all__": ["The data must be an object."]})
    unknown = sorted(set(data) - spec.keys())
    if unknown:
        errors["__all__"] = [f"Unknown fields: {', '.join(unknown)}."]
    for name in _single_values(data, spec.form):
        errors[name] = ["must be a single value."]
    scalars = {k: v for k, v in data.items() if k in spec.form.base_fields}
    form = spec.form(data=scalars, instance=instance if instance is not None else spec.model())
    if not form.is_valid():
        errors.update(_error_lists(form))
    children = {
        child.name: _child_forms(child, data.get(child.name, []), errors) for child in spec.children
    }
    return BoundContent(spec=spec, form=form, children=children, errors=errors)


def revision_data_validate(*, kind: str, data: object, object_id: uuid.UUID | None) -> Data:
    """`data` in canonical form if it fits `kind`'s schema; RevisionDataError otherwise.

    Uniqueness (the slug) is checked against the live rows other than `object_id`.
    """
    spec = content_spec(kind)
    instance = None
    if object_id is not None:
        instance = spec.model._default_manager.filter(pk=object_id).first()
        if instance is None:
            raise RevisionDataError({"__all__": ["This item no longer exists."]})
    bound = content_form_bind(kind=kind, data=data, instance=instance)
    if bound.errors:
        raise RevisionDataError(bound.errors)
    return bound.data()


# --- Forms for the staff pages --------------------------------------------------------------


class ChildFormSet(forms.BaseFormSet[Any]):
    spec: ClassVar[ChildSpec]

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        item = self.spec.item_label.lower()
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = "Position"
            form.fields["ORDER"].help_text = f"Each {item} is shown in this order, lowest first."
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = f"Remove this {item}"

    def rows(self) -> list[Data]:
        """The rows that are filled in and not marked for removal, in the chosen order."""
        if self.can_order:
            forms_in_order: Iterable[forms.Form] = self.ordered_forms
        else:
            initial_count = self.initial_form_count()
            deleted = self.deleted_forms if self.can_delete else []
            forms_in_order = [
                form
                for index, form in enumerate(self.forms)
                if (index < initial_count or form.has_changed()) and form not in deleted
            ]
        rows = [cast(ContentFormMixin, f).to_data() for f in forms_in_order]
        if self.spec.sort_key is not None:
            rows.sort(key=self.spec.sort_key)
        return rows


def child_formset(child: ChildSpec) -> type[ChildFormSet]:
    formset = cast(
        type[ChildFormSet],
        forms.formset_factory(
            child.form,
            formset=ChildFormSet,
            extra=2,
            can_delete=True,
            can_order=child.ordered,
            max_num=child.max_items,
            validate_max=True,
        ),
    )
    formset.spec = child
    return formset


def _initial_value(name: str, value: Any, form_class: type[forms.ModelForm[Any]]) -> Any:
    """A JSON value as a form's initial value (date-times as local time for the widget)."""
    if isinstance(form_class.base_fields.get(name), forms.DateTimeField) and isinstance(value, str):
        parsed = parse_datetime(value)
        return timezone.localtime(parsed) if parsed and timezone.is_aware(parsed) else parsed
    return value


def _initial(data: Mapping[str, Any], form_class: type[forms.ModelForm[Any]]) -> Data:
    return {
        name: _initial_value(name, value, form_class)
        for name, value in data.items()
        if name in form_class.base_fields
    }


@dataclass
class ContentEditor:
    """The edit page's item form and one formset per kind of nested row."""

    spec: KindSpec
    form: forms.ModelForm[Any]
    summary: forms.Form
    formsets: list[ChildFormSet]

    def is_valid(self) -> bool:
        valid = self.form.is_valid() and self.summary.is_valid()
        return all([valid, *(formset.is_valid() for formset in self.formsets)])

    def data(self) -> Data:
        result = cast(ContentFormMixin, self.form).to_data()
        for formset in self.formsets:
            result[formset.spec.name] = formset.rows()
        return result

    def add_errors(self, errors: Mapping[str, list[str]]) -> None:
        """Errors from the service (a slug taken meanwhile) shown on the item form."""
        for name, messages in errors.items():
            target = name if name in self.form.fields else None
            for message in messages:
                self.form.add_error(target, message if target else f"{name}: {message}")


class RevisionSummaryForm(forms.Form):
    summary = forms.CharField(
        label="What changed and why",
        max_length=200,
        required=False,
        help_text="A short note for the administrator who reviews it.",
    )


def content_editor(
    *,
    kind: str,
    object_id: uuid.UUID | None,
    initial: Mapping[str, Any] | None = None,
    summary: str = "",
    post: Any = None,
) -> ContentEditor:
    """The forms of the edit page: bound to `post`, or filled from revision data `initial`."""
    spec = content_spec(kind)
    initial = initial or {}
    instance = spec.model() if object_id is None else spec.model(pk=object_id)
    # Uniqueness checks must leave out the live row itself.
    instance._state.adding = object_id is None
    form = spec.form(data=post, instance=instance, initial=_initial(initial, spec.form))
    formsets = [
        child_formset(child)(
            data=post,
            prefix=child.name,
            initial=[_initial(row, child.form) for row in initial.get(child.name, [])],
        )
        for child in spec.children
    ]
    # Prefixed: pages and services have a "summary" field of their own.
    summary_form = RevisionSummaryForm(data=post, initial={"summary": summary}, prefix="revision")
    return ContentEditor(spec=spec, form=form, summary=summary_form, formsets=formsets)


class ReviewNoteForm(forms.Form):
    note = forms.CharField(
        label="Note for the author",
        max_length=300,
        widget=_text(3),
        help_text="Say what needs to change. The author sees this note.",
    )


class ApproveForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        max_length=300,
        required=False,
        widget=_text(2),
    )
