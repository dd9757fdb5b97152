"""The self-check's questions: what has happened, how often, for how long, how it feels.

Every question is optional and nothing asked can identify anyone. The form only reads
the answers: it is never saved, and its values never leave the request (see
`waypoint.hub.selfcheck` for what that means in practice).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models


class Behaviour(models.TextChoices):
    """Things someone may have done. The question asks only about unwanted things."""

    CALLS_MESSAGES = "calls_messages", "Calling, texting, emailing or messaging you"
    FOLLOWING = "following", "Following you, or waiting or hanging around near you"
    MONITORING = "monitoring", "Watching what you do online, or tracking where you go"
    GIFTS = "gifts", "Sending or leaving you gifts or things you did not ask for"
    DAMAGE = "damage", "Damaging your things or your home"
    THREATS = "threats", "Threatening you, or people or pets you care about"
    CONTACTING_OTHERS = (
        "contacting_others",
        "Contacting your friends, family, classmates or colleagues",
    )
    TURNING_UP = "turning_up", "Turning up at your home, where you study or where you work"
    POSTING = "posting", "Posting about you online, or pretending to be you"
    ACCOUNTS = "accounts", "Getting into your accounts, phone or other devices"
    OTHER = "other", "Something else that worries you"


class HowOften(models.TextChoices):
    ONCE = "once", "Once"
    A_FEW_TIMES = "a_few_times", "A few times"
    MANY_TIMES = "many_times", "Lots of times"
    ALMOST_DAILY = "almost_daily", "Almost every day"
    NOT_SURE = "not_sure", "I'm not sure"


class HowLong(models.TextChoices):
    DAYS = "days", "Less than a week"
    WEEKS = "weeks", "Weeks"
    MONTHS = "months", "Months"
    YEAR_OR_MORE = "year_or_more", "A year or more"
    NOT_SURE = "not_sure", "I'm not sure"


class Feeling(models.TextChoices):
    AFRAID = "afraid", "Afraid or scared"
    ANXIOUS = "anxious", "Anxious, stressed or on edge"
    UPSET = "upset", "Upset, angry or confused"
    CHANGED_ROUTINE = (
        "changed_routine",
        "I have changed what I do, like my routes, my plans or what I post online",
    )
    DAILY_LIFE = "daily_life", "It is affecting my sleep, my studies, my work or my friendships"
    NO_IMPACT = "no_impact", "It has not really affected me yet"


class DangerNow(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SURE = "not_sure", "I'm not sure"


# Shown instead of Django's "Select a valid choice. X is not one of the available choices."
# A value outside the list only comes from an old or altered page, never from a mistake.
INVALID_CHOICE: Final = "We could not read this answer. Please choose again from the list."
NOTHING_CHOSEN: Final = (
    "You have not chosen any answers yet. That is fine: choose any that fit, "
    "then select “See what might help”."
)


def _multiple(
    choices: type[models.TextChoices], label: str, help_text: str
) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices.choices,
        required=False,
        label=label,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": INVALID_CHOICE, "invalid_list": INVALID_CHOICE},
    )


def _single(
    choices: type[models.TextChoices], label: str, help_text: str = ""
) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=choices.choices,
        required=False,
        label=label,
        help_text=help_text,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )


class SelfCheckForm(forms.Form):
    """One page of gentle questions. Each is optional; an empty form gets a gentle prompt."""

    behaviours = _multiple(
        Behaviour,
        "Has someone done any of these things when you did not want them to?",
        "Choose all that fit. If none of them fit, you can leave this blank.",
    )
    how_often = _single(HowOften, "How often has it happened?")
    how_long = _single(HowLong, "How long has it been going on?")
    feelings = _multiple(
        Feeling,
        "How is it making you feel?",
        "Choose all that fit. Any feeling is a normal reaction.",
    )
    danger_now = _single(DangerNow, "Do you feel in danger right now?")

    # Used in the "nothing chosen" prompt and in the tests: this is not an error to fix.
    NOTHING_CHOSEN_CODE: Final = "nothing_chosen"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not any(cleaned.get(name) for name in self.fields):
            raise ValidationError(NOTHING_CHOSEN, code=self.NOTHING_CHOSEN_CODE)
        return cleaned

    @property
    def nothing_chosen(self) -> bool:
        """True when the only problem is that no question was answered."""
        return self.has_error(NON_FIELD_ERRORS, self.NOTHING_CHOSEN_CODE)

    def answers(self) -> Answers:
        """The valid answers as a plain value. Call only after is_valid()."""
        data = self.cleaned_data
        return Answers(
            behaviours=frozenset(Behaviour(value) for value in data["behaviours"]),
            how_often=HowOften(data["how_often"]) if data["how_often"] else None,
            how_long=HowLong(data["how_long"]) if data["how_long"] else None,
            feelings=frozenset(Feeling(value) for value in data["feelings"]),
            danger_now=DangerNow(data["danger_now"]) if data["danger_now"] else None,
        )


@dataclass(frozen=True)
class Answers:
    """What the person chose. Lives only as long as the request that carries it."""

    behaviours: frozenset[Behaviour] = frozenset()
    how_often: HowOften | None = None
    how_long: HowLong | None = None
    feelings: frozenset[Feeling] = frozenset()
    danger_now: DangerNow | None = None
