"""What the self-check's answers suggest: the FOUR pattern, and signs of danger.

Rules, in plain words (`interpret` is where they live in code):

- **Unwanted**: the behaviour question only asks about things the person did not want,
  so any behaviour chosen counts as unwanted.
- **Repeated**: it has happened a few times, lots of times or almost every day.
- **Fixated and obsessive** cannot be seen from outside someone's head. Specialist services
  read them from the shape of the behaviour: attention that keeps coming back, either in
  more than one way (two or more behaviours) or over time (weeks or longer).
- The **FOUR pattern** (fixated, obsessive, unwanted, repeated) is named when the answers
  show all of that: unwanted and repeated, and either several behaviours or over time.
- **Danger**: threats, turning up at home/study/work, damage to property, or feeling in
  danger now, or not being sure of being safe now. Any of these puts emergency contacts
  first in the result. "Not sure" counts because being wrong the other way costs more.

The result never gives a verdict ("you are being stalked"): it describes how the answers
match what the law and specialist services describe, and always says the person does not
need to be sure to get help.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.views.decorators.debug import sensitive_variables

from waypoint.hub.selfcheck.questions import (
    Answers,
    Behaviour,
    DangerNow,
    Feeling,
    HowLong,
    HowOften,
)

REPEATED: Final = frozenset({HowOften.A_FEW_TIMES, HowOften.MANY_TIMES, HowOften.ALMOST_DAILY})
OVER_TIME: Final = frozenset({HowLong.WEEKS, HowLong.MONTHS, HowLong.YEAR_OR_MORE})
SEVERAL_BEHAVIOURS: Final = 2

# Why emergency contacts come first, in the words the result uses ("You told us that ...").
DANGER_BEHAVIOURS: Final = {
    Behaviour.THREATS: "someone has threatened you, or people or pets you care about",
    Behaviour.TURNING_UP: "someone has turned up at your home, where you study or where you work",
    Behaviour.DAMAGE: "someone has damaged your things or your home",
}
DANGER_NOW: Final = {
    DangerNow.YES: "you feel in danger right now",
    DangerNow.NOT_SURE: "you are not sure that you are safe right now",
}

# Behaviours that suggest someone can see the person's phone, accounts or online life.
ONLINE: Final = frozenset({Behaviour.MONITORING, Behaviour.ACCOUNTS, Behaviour.POSTING})

_HOW_OFTEN_WORDS: Final = {
    HowOften.A_FEW_TIMES: "It has happened a few times.",
    HowOften.MANY_TIMES: "It has happened lots of times.",
    HowOften.ALMOST_DAILY: "It has happened almost every day.",
}
_HOW_LONG_WORDS: Final = {
    HowLong.WEEKS: "It has been going on for weeks.",
    HowLong.MONTHS: "It has been going on for months.",
    HowLong.YEAR_OR_MORE: "It has been going on for a year or more.",
}


@dataclass(frozen=True)
class Interpretation:
    answers: Answers
    unwanted: bool
    repeated: bool
    several_behaviours: bool
    over_time: bool
    danger_reasons: tuple[str, ...]

    @property
    def shows_four_pattern(self) -> bool:
        """The FOUR pattern: fixated, obsessive, unwanted, repeated.

        unwanted AND repeated AND (several behaviours OR over time). Fixation and obsession
        are read from the last part: attention that keeps coming back in more than one
        way, or for weeks or longer.
        """
        return self.unwanted and self.repeated and (self.several_behaviours or self.over_time)

    @property
    def danger(self) -> bool:
        return bool(self.danger_reasons)

    @property
    def pattern_evidence(self) -> list[str]:
        """The answers that make up the pattern, as short sentences ("It has happened ...")."""
        evidence = ["You did not want it."] if self.unwanted else []
        if self.answers.how_often in _HOW_OFTEN_WORDS:
            evidence.append(_HOW_OFTEN_WORDS[self.answers.how_often])
        if self.several_behaviours:
            count = len(self.answers.behaviours)
            evidence.append(f"It has happened in {count} different ways.")
        if self.answers.how_long in _HOW_LONG_WORDS:
            evidence.append(_HOW_LONG_WORDS[self.answers.how_long])
        return evidence

    @property
    def feelings_shared(self) -> bool:
        """Whether the person said it is affecting them (anything but "not really yet")."""
        return bool(self.answers.feelings - {Feeling.NO_IMPACT})

    @property
    def afraid(self) -> bool:
        return Feeling.AFRAID in self.answers.feelings

    @property
    def unsure_how_often(self) -> bool:
        return self.answers.how_often == HowOften.NOT_SURE

    @property
    def online(self) -> bool:
        return bool(self.answers.behaviours & ONLINE)


@sensitive_variables()
def interpret(answers: Answers) -> Interpretation:
    """Apply the rules in this module's docstring to one set of answers."""
    behaviours = answers.behaviours
    danger_reasons = [reason for b, reason in DANGER_BEHAVIOURS.items() if b in behaviours]
    if answers.danger_now in DANGER_NOW:
        # Feeling in danger now is the most pressing reason: it is said first.
        danger_reasons.insert(0, DANGER_NOW[answers.danger_now])
    return Interpretation(
        answers=answers,
        unwanted=bool(behaviours),
        repeated=answers.how_often in REPEATED,
        several_behaviours=len(behaviours) >= SEVERAL_BEHAVIOURS,
        over_time=answers.how_long in OVER_TIME,
        danger_reasons=tuple(danger_reasons),
    )
