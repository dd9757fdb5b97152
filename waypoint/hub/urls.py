from django.urls import path

from waypoint.hub import selfcheck, views

app_name = "hub"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("check/", selfcheck.check_view, name="check"),
]
