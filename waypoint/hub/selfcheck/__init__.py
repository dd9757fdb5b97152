"""The "Is this stalking?" self-check at /check/. It stores nothing.

- `questions`: the questions and the form (every question optional, nothing identifying);
- `interpretation`: the rules that read the answers (the FOUR pattern, signs of danger);
- `views`: GET shows the questions; POST answers with the result in the same response.

The answers are never saved, put in a session, cached, logged or sent anywhere; the
view hides them from error reports. See docs/decisions/0012-self-check-stores-nothing.md.
"""

from waypoint.hub.selfcheck.views import check_view

__all__ = ["check_view"]
