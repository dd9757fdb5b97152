"""Typed work kept across a session time-out (sealed drafts of notes, messages, plan actions).

Included by casework/urls.py under the same "casework" namespace.
"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
