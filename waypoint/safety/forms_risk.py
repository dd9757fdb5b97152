"""The risk assessment form, built from an instrument version's definition.

Each question is a fieldset: yes / no / don't know radios and an optional comment. Field
names use the question's number ("item_3", "comment_3"), not its key, so an instrument
file's keys never end up in HTML ids. The hidden "version" says which wording the person
answered; the view refuses answers given to another version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms

from waypoint.safety import instruments
from waypoint.safety.instruments import Band, Definition, Item
from waypoint.safety.services.risk import COMMENT_MAX_CHARS, REASON_MAX_CHARS

ANSWER_CHOICES = [(key, label) for key, label in instruments.ANSWER_LABELS.items()]


@dataclass(frozen=True)
class ItemRow:
    """One question of the form: its number, wording and the two bound fields."""

    number: int
    item: Item
    answer: forms.BoundField
    comment: forms.BoundField


def _band_hint(band: Band) -> str:
    return f"{band.label}: {band.review_days} days" if band.review_days else band.label


class AssessmentForm(forms.Form):
    version = forms.UUIDField(widget=forms.HiddenInput)
    band = forms.ChoiceField(
        label="Band after your professional judgement",
        required=False,
        widget=forms.RadioSelect,
    )
    judgement_reason = forms.CharField(
        label="Reason for your judgement",
        required=False,
        help_text=(
            "Needed whenever your band differs from the band the answers give. It is kept "
            "with the assessment and shown to colleagues who work on the case."
        ),
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": f"Keep the reason to {REASON_MAX_CHARS:,} characters.",
        },
    )
    next_review_on = forms.DateField(
        label="Next review (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Enter the date of the next review, for example 2026-12-04."},
    )

    def __init__(self, *args: Any, definition: Definition, version_id: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {**kwargs["initial"], "version": version_id}
        super().__init__(*args, **kwargs)
        self.definition = definition
        for number, item in enumerate(definition.items, start=1):
            self.fields[f"item_{number}"] = forms.ChoiceField(
                label=f"{number}. {item.label}",
                choices=ANSWER_CHOICES,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Question {number}: choose yes, no or don't know.",
                    "invalid_choice": f"Question {number}: choose yes, no or don't know.",
                },
            )
            self.fields[f"comment_{number}"] = forms.CharField(
                label=f"Comment on question {number} (optional)",
                required=False,
                max_length=COMMENT_MAX_CHARS,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={
                    "max_length": (
                        f"Question {number}: keep the comment to {COMMENT_MAX_CHARS:,} characters."
                    ),
                },
            )
        band = self.fields["band"]
        assert isinstance(band, forms.ChoiceField)  # noqa: S101  (narrowing for mypy)
        count_only = definition.rule == "count_only"
        band.choices = [
            ("", "No band: record the count only" if count_only else "The band the answers give"),
            *((b.key, b.label) for b in definition.bands),
        ]
        band.help_text = (
            "There is no cut-off for these questions: choose a band from your professional "
            "judgement and say why."
            if count_only
            else "Professional judgement can raise the band the answers give, never lower "
            "it. If you choose a different band, say why."
        )
        intervals = ", ".join(_band_hint(b) for b in definition.bands if b.review_days)
        self.fields["next_review_on"].help_text = (
            "Leave empty to use the band's review interval"
            + (f" ({intervals})." if intervals else ".")
            + " A date you choose may be sooner, not later."
        )
        self.order_fields(
            [
                "version",
                *(
                    name
                    for number in range(1, len(definition.items) + 1)
                    for name in (f"item_{number}", f"comment_{number}")
                ),
                "band",
                "judgement_reason",
                "next_review_on",
            ]
        )

    def item_rows(self) -> list[ItemRow]:
        return [
            ItemRow(
                number=number,
                item=item,
                answer=self[f"item_{number}"],
                comment=self[f"comment_{number}"],
            )
            for number, item in enumerate(self.definition.items, start=1)
        ]

    def answers(self) -> dict[str, dict[str, str]]:
        """The cleaned answers keyed by item key, as assessment_create takes them."""
        data = self.cleaned_data
        return {
            item.key: {
                "answer": str(data.get(f"item_{number}", "")),
                "comment": str(data.get(f"comment_{number}", "")),
            }
            for number, item in enumerate(self.definition.items, start=1)
        }

    def add_service_errors(self, errors: Mapping[str, str]) -> None:
        """Put AssessmentError's errors (by item key or field name) on the fields."""
        numbers = {item.key: n for n, item in enumerate(self.definition.items, start=1)}
        for key, message in errors.items():
            if key in numbers:
                self.add_error(f"item_{numbers[key]}", message)
            elif key in ("band", "judgement_reason", "next_review_on"):
                self.add_error(key, message)
            else:
                self.add_error(None, message)

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary: each problem links to its control."""
        links = [("", str(error)) for error in self.non_field_errors()]
        for name, field in self.fields.items():
            if name not in self.errors or field.widget.is_hidden:
                continue
            bound = self[name]
            anchor = (
                f"{bound.auto_id}_0"
                if isinstance(field.widget, forms.RadioSelect)
                else bound.auto_id
            )
            links.append((str(anchor), str(self.errors[name][0])))
        return links
