"""The public page that checks an exported record: mounted at /verify/ (config/urls.py)."""

from django.urls import path

from waypoint.log import views_verify

app_name = "verify"

urlpatterns = [
    path("", views_verify.verify_view, name="verify"),
]
