"""Content management for administrators, under /staff/content/ (hub/staff_views.py)."""

from django.urls import URLPattern

app_name = "content"
urlpatterns: list[URLPattern] = []
