from __future__ import annotations

from django import forms

from waypoint.notifications.models import EmailChoice


class EmailChoiceForm(forms.Form):
    email = forms.ChoiceField(
        label="How should we email you about new notifications?",
        choices=EmailChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you would like to be emailed."},
    )
