"""The case's sections (sub navigation, identity bar): one page per section.

Included by casework/urls.py under the same "casework" namespace.
"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
