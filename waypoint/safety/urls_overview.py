"""The lead's overview of open measures, tasks and caseloads (staff, under /staff/).

Included by safety/urls.py under the same "safety" namespace.
"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
