"""The case list: search across cases, bulk actions, claim previews.

Included by casework/urls.py under the same "casework" namespace.
"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
