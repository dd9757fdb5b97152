"""The walk-in disclosure form: the online report's questions on one page, for an adviser.

The questions are the report flow's own (reporting.steps.STEPS and their forms), each
step's form with its slug as prefix ("what-behaviours"), so the answers are stored
exactly as an online report stores them. Steps that do not apply to the chosen route are
shown but not checked or kept; the page hides them with CSS where the browser can.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from django import forms

from waypoint.common.templatetags.waypoint_ui import label_then
from waypoint.reporting.forms import ROLE_LABELS
from waypoint.reporting.models import ReporterRole, Route
from waypoint.reporting.steps import STEPS, Step

ROUTE_LABELS: Final[dict[str, str]] = {
    Route.SUPPORT: "Named: they want support and give their contact details",
    Route.ANONYMOUS: "Anonymous: they would rather not give their name",
    Route.THIRD_PARTY: "About someone else: they are telling us for a friend, or saw something",
}
# "Asked only in ..." under the title of a step that some routes skip.
ROUTE_NOUNS: Final[dict[str, str]] = {
    Route.SUPPORT: "named reports",
    Route.ANONYMOUS: "anonymous reports",
    Route.THIRD_PARTY: "reports about someone else",
}


class WalkInForm(forms.Form):
    route = forms.ChoiceField(
        label="How do they want to report?",
        choices=[(route, ROUTE_LABELS[route]) for route in Route.values],
        widget=forms.RadioSelect,
    )
    reporter_role = forms.ChoiceField(
        label="Who is reporting?",
        choices=[(role, ROLE_LABELS[ReporterRole(role)]) for role in ReporterRole.values],
        widget=forms.RadioSelect,
    )
    issue_receipt = forms.BooleanField(
        label="Issue a receipt so the student can use the return page",
        required=False,
        help_text=(
            "They get a reference and a passphrase, shown once on the next page, to read "
            "replies and add information online. A receipt cannot be issued later."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["route"].error_messages["required"] = "Choose how they want to report."
        self.fields["reporter_role"].error_messages["required"] = (
            "Choose who is reporting: a student, a member of staff or someone else."
        )


@dataclass(frozen=True)
class StepSection:
    """One step of the report form on the walk-in page."""

    step: Step
    form: forms.Form
    applies: bool  # to the chosen route (True while no route is chosen)

    @property
    def slug(self) -> str:
        return self.step.slug

    @property
    def routes(self) -> str:
        """The routes that ask this step, space-separated (for the page's CSS)."""
        return " ".join(route for route in Route.values if route in self.step.routes)

    @property
    def only_for(self) -> str:
        """ "named reports" for a step only some routes ask; "" for every route."""
        if self.step.routes >= frozenset(Route.values):
            return ""
        nouns = [ROUTE_NOUNS[route] for route in Route.values if route in self.step.routes]
        return " and ".join(nouns)


def _for_staff(form: forms.Form, step: Step) -> forms.Form:
    # make_form takes no prefix; nothing in the step forms' __init__ reads it, and every
    # name and id is built from it when the form is read, so setting it here is enough.
    form.prefix = step.slug
    for field in form.fields.values():
        # The adviser's browser must not offer the adviser's own name, email or phone.
        if "autocomplete" in field.widget.attrs:
            field.widget.attrs["autocomplete"] = "off"
    return form


def _step_form(step: Step, data: Any) -> forms.Form:
    return _for_staff(step.make_form(data=data, free_text=True), step)


def _unbound_copy(step: Step, bound: forms.Form) -> forms.Form:
    """The same step with what was typed as initial values and no errors (not checked)."""
    initial = {name: bound[name].data for name in bound.fields}
    return _for_staff(step.make_form(initial=initial, free_text=True), step)


def walk_in_step_sections(*, data: Any = None, route: str | None = None) -> list[StepSection]:
    """Every step with questions (not evidence or review), each with its prefixed form.

    With `data` and a chosen `route`, the steps of that route are bound (to be checked);
    the others keep what was typed but are not checked. With `data` and no valid route,
    nothing is checked yet.
    """
    sections = []
    for step in STEPS:
        if step.form_class is None:
            continue
        applies = route is None or route in step.routes
        form = _step_form(step, data)
        if data is not None and (route is None or not applies):
            form = _unbound_copy(step, form)
        sections.append(StepSection(step=step, form=form, applies=applies))
    return sections


@dataclass(frozen=True)
class ErrorLink:
    text: str
    anchor: str


def _anchor(field: forms.BoundField) -> str:
    if field.widget_type in ("radioselect", "checkboxselectmultiple"):
        return f"{field.auto_id}_0"
    return str(field.id_for_label)


def error_links(form: forms.Form, sections: list[StepSection]) -> list[ErrorLink]:
    """The error summary: every problem on the page, each linking to its question."""
    links = [ErrorLink(str(error), "walk-in-start") for error in form.non_field_errors()]
    links += [
        ErrorLink(label_then(form[name].label, form[name].errors[0]), _anchor(form[name]))
        for name in form.fields
        if form.is_bound and form[name].errors
    ]
    for section in sections:
        step_form = section.form
        if not (section.applies and step_form.is_bound):
            continue
        links += [
            ErrorLink(label_then(section.step.title, error), f"step-{section.slug}")
            for error in step_form.non_field_errors()
        ]
        links += [
            ErrorLink(
                label_then(step_form[name].label, step_form[name].errors[0]),
                _anchor(step_form[name]),
            )
            for name in step_form.fields
            if step_form[name].errors
        ]
    return links


def walk_in_answers(sections: list[StepSection]) -> dict[str, dict[str, Any]]:
    """Each applicable step's cleaned answers by slug (call after every form is valid)."""
    return {
        section.slug: dict(section.form.cleaned_data)
        for section in sections
        if section.applies and section.form.is_bound
    }
