from django.urls import path

from waypoint.accounts import views

app_name = "staff"
urlpatterns = [
    path("", views.staff_home_view, name="home"),
]
