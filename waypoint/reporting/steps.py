"""The steps of the report form, in order, and which routes see which.

One topic per page. The danger question comes first: someone in danger should see the
emergency numbers before anything else (ADR 0014). Each step's answers are stored under
its slug in the draft; slugs appear in URLs, answers never do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from django import forms

from waypoint.reporting import forms as step_forms
from waypoint.reporting.models import Route

EVIDENCE: Final = "evidence"
REVIEW: Final = "review"


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type[forms.Form] | None
    routes: frozenset[str] = field(default_factory=lambda: frozenset(Route.values))
    # For ContactForm: whether an email or phone is required on this route.
    contact_required: bool = False
    lead: str = ""

    def make_form(
        self, *, data: Any = None, initial: dict[str, Any] | None = None, free_text: bool
    ) -> forms.Form:
        if self.form_class is None:
            raise ValueError(f"The {self.slug} step has no form.")
        kwargs: dict[str, Any] = {"data": data, "initial": initial}
        if issubclass(self.form_class, step_forms.StepForm):
            kwargs["free_text"] = free_text
        if self.form_class is step_forms.ContactForm:
            kwargs["required"] = self.contact_required
        return self.form_class(**kwargs)


STEPS: Final[tuple[Step, ...]] = (
    Step("danger", "Your safety", step_forms.DangerForm),
    Step(
        "contact",
        "How we can reach you safely",
        step_forms.ContactForm,
        routes=frozenset({Route.SUPPORT}),
        contact_required=True,
        lead="Only the team that handles reports sees these details.",
    ),
    Step(
        "your-part",
        "About you",
        step_forms.YourPartForm,
        routes=frozenset({Route.THIRD_PARTY}),
    ),
    Step(
        "contact-optional",
        "How we can reach you (optional)",
        step_forms.ContactForm,
        routes=frozenset({Route.THIRD_PARTY}),
        lead="Leave this empty if you would rather not be contacted.",
    ),
    Step(
        "replies",
        "Getting replies",
        step_forms.MessagesForm,
        routes=frozenset({Route.ANONYMOUS}),
        lead="You will not give us your name or contact details.",
    ),
    Step("what", "What happened", step_forms.WhatForm),
    Step("when", "When it happened", step_forms.WhenForm),
    Step("where", "Where it happened", step_forms.WhereForm),
    Step(
        "who",
        "Who is doing this",
        step_forms.WhoForm,
        lead="Tell us what you know. It is fine to leave things out.",
    ),
    Step("impact", "How it is affecting you", step_forms.ImpactForm),
    Step("police", "The police", step_forms.PoliceForm),
    Step("support", "What would help", step_forms.SupportForm),
    Step(EVIDENCE, "Evidence (optional)", None),
    Step(REVIEW, "Check your answers", None),
)

_BY_SLUG: Final = {step.slug: step for step in STEPS}


def steps_for(route: str) -> list[Step]:
    return [step for step in STEPS if route in step.routes]


def get_step(route: str, slug: str) -> Step | None:
    step = _BY_SLUG.get(slug)
    return step if step is not None and route in step.routes else None


def neighbours(route: str, slug: str) -> tuple[Step | None, Step | None]:
    """The steps before and after `slug` on this route."""
    ordered = steps_for(route)
    index = next(i for i, step in enumerate(ordered) if step.slug == slug)
    before = ordered[index - 1] if index > 0 else None
    after = ordered[index + 1] if index + 1 < len(ordered) else None
    return before, after


def position(route: str, slug: str) -> tuple[int, int]:
    ordered = steps_for(route)
    index = next(i for i, step in enumerate(ordered) if step.slug == slug)
    return index + 1, len(ordered)
