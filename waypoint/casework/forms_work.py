"""Forms for the staff side of messages, and for tasks (views/work.py).

The forms check shape and lengths, and that a chosen owner was one of the choices
offered; whether the person may act (and on whom) is decided by the services, through
accounts.policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, cast

from django import forms
from django.utils import timezone

from waypoint.accounts.models import User
from waypoint.casework.models import ReplyTemplate, TaskStatus
from waypoint.casework.placeholders import placeholders_fill
from waypoint.casework.services.intake import MESSAGE_MAX_CHARS
from waypoint.casework.services.work import (
    TASK_BRIEF_MAX_CHARS,
    TASK_NOTE_MAX_CHARS,
    TASK_TITLE_MAX_CHARS,
)
from waypoint.institution.models import Department

ACTION_SEND: Final = "send"
ACTION_INSERT: Final = "insert"
_PERSON: Final = "person"
_DEPARTMENT: Final = "department"


class _TemplateSelect(forms.Select):
    """A select whose options carry the template text, placeholders already filled in (for
    the optional script, which inserts it without a round trip; without JavaScript the
    form posts instead, and the server inserts the same words)."""

    bodies: dict[str, str]

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)
        body = getattr(self, "bodies", {}).get(str(option.get("value")))
        if body:
            option["attrs"]["data-body"] = body
        return option


class StaffMessageForm(forms.Form):
    """A message to the reporter; or, with action "insert", a reply template to start from.

    `templates`: the active reply templates offered (selectors.reply_templates_active).
    `fills`: the words for the placeholders that can be filled in for the person writing
    (placeholders.placeholder_values); a template is offered with them in place.
    """

    template = forms.ChoiceField(
        label="Reply template",
        required=False,
        help_text=(
            "Adds ready-made words to the message box. Change them as you need to before sending."
        ),
        widget=_TemplateSelect,
    )
    body = forms.CharField(
        label="Message to the reporter",
        required=False,
        strip=True,
        max_length=MESSAGE_MAX_CHARS,
        help_text=(
            "They read it when they sign in with their receipt. If they asked for it, they "
            "get an email saying there is a new message, with none of its words."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(
        self,
        *args: Any,
        templates: Iterable[ReplyTemplate],
        fills: Mapping[str, str] | None = None,
        action: str = ACTION_SEND,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.action = action if action in (ACTION_SEND, ACTION_INSERT) else ACTION_SEND
        self.templates = {str(template.pk): template for template in templates}
        self.fills: Mapping[str, str] = fills or {}
        field = cast(forms.ChoiceField, self.fields["template"])
        field.choices = [("", "Choose a template")] + [
            (pk, template.title) for pk, template in self.templates.items()
        ]
        field.error_messages["invalid_choice"] = "Choose a template from the list."
        widget = cast(_TemplateSelect, field.widget)
        widget.bodies = {
            pk: self.template_text(template) for pk, template in self.templates.items()
        }
        self.fields["body"].error_messages["max_length"] = (
            f"This message is too long: the limit is {MESSAGE_MAX_CHARS:,} characters. "
            "You could send it in two or more parts."
        )

    def clean_template(self) -> ReplyTemplate | None:
        return self.templates.get(str(self.cleaned_data.get("template") or ""))

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.action == ACTION_INSERT:
            if not cleaned.get("template") and "template" not in self.errors:
                self.add_error("template", "Choose a template to insert.")
        elif not cleaned.get("body") and "body" not in self.errors:
            self.add_error("body", "Write a message before sending it.")
        return cleaned

    def template_text(self, template: ReplyTemplate) -> str:
        """A template's words as they go into the box: the placeholders that can be filled
        in are; any other is left for the adviser (sending refuses it until replaced)."""
        return placeholders_fill(template.body, self.fills)

    def with_template(self) -> str:
        """The text typed so far with the chosen template's text added after it."""
        text = self.template_text(self.cleaned_data["template"])
        typed = str(self.cleaned_data.get("body") or "")
        return f"{typed}\n\n{text}" if typed else text


def _owner_key(kind: str, pk: object) -> str:
    return f"{kind}:{pk}"


class TaskForm(forms.Form):
    """A new task for a case, owned by one person or one department."""

    title = forms.CharField(
        label="What needs doing",
        max_length=TASK_TITLE_MAX_CHARS,
        help_text="A short title, such as “Arrange a change of room”.",
    )
    owner = forms.ChoiceField(
        label="Who will do it",
        help_text="Someone who can see this case, or a partner department.",
    )
    brief = forms.CharField(
        label="Brief",
        required=False,
        max_length=TASK_BRIEF_MAX_CHARS,
        help_text=(
            "Needed for a department: they see only the title, this brief, the due date "
            "and the status, never the case. Write just what they need to act, and no "
            "names unless they must have them."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    due_on = forms.DateField(
        label="Due by (optional)",
        required=False,
        help_text="For example, 27 March 2026 is 2026-03-27.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self,
        *args: Any,
        people: Iterable[User],
        departments: Iterable[Department],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._people = {str(person.pk): person for person in people}
        self._departments = {str(department.pk): department for department in departments}
        person_choices = [
            (_owner_key(_PERSON, pk), person.display_name or person.email)
            for pk, person in self._people.items()
        ]
        department_choices = [
            (_owner_key(_DEPARTMENT, pk), department.name)
            for pk, department in self._departments.items()
        ]
        choices: list[Any] = [("", "Choose a person or a department")]
        if person_choices:
            choices.append(("People who can see this case", person_choices))
        if department_choices:
            choices.append(("Departments", department_choices))
        owner = cast(forms.ChoiceField, self.fields["owner"])
        owner.choices = choices
        owner.error_messages["required"] = "Choose who will do the task."
        owner.error_messages["invalid_choice"] = "Choose someone from the list."
        self.fields["title"].error_messages["required"] = "Give the task a short title."
        self.fields["due_on"].error_messages["invalid"] = (
            "Enter the due date as a date, such as 2026-03-27."
        )

    def clean_due_on(self) -> Any:
        due_on = self.cleaned_data.get("due_on")
        if due_on is not None and due_on < timezone.localdate():
            raise forms.ValidationError("Choose a due date from today onwards.")
        return due_on

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        kind, _, pk = str(cleaned.get("owner") or "").partition(":")
        cleaned["assignee"] = self._people.get(pk) if kind == _PERSON else None
        cleaned["department"] = self._departments.get(pk) if kind == _DEPARTMENT else None
        if (
            cleaned["department"] is not None
            and not str(cleaned.get("brief") or "").strip()
            and "brief" not in self.errors
        ):
            self.add_error("brief", "Write a brief for the department: it is all they will see.")
        return cleaned


class TaskStatusForm(forms.Form):
    """A task's new status, and an optional note for the case team."""

    status = forms.ChoiceField(label="Status", widget=forms.RadioSelect)
    note = forms.CharField(
        label="Note for the case team (optional)",
        required=False,
        max_length=TASK_NOTE_MAX_CHARS,
        help_text="What was done, or what is in the way. It is added to the task's history.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, statuses: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(TaskStatus.choices)
        status = cast(forms.ChoiceField, self.fields["status"])
        status.choices = [(value, labels[value]) for value in statuses if value in labels]
        status.error_messages["required"] = "Choose a status."
        status.error_messages["invalid_choice"] = "Choose a status from the list."
