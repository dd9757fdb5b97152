from django.urls import path

from waypoint.hub import views

app_name = "hub"
urlpatterns = [
    path("", views.home_view, name="home"),
]
