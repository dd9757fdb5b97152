from django.urls import path

from waypoint.accounts import views, views_session

app_name = "staff"
urlpatterns = [
    path("", views.staff_home_view, name="home"),
    # POST only, from the "Stay signed in" button (issue 12, item 11).
    path("session/keep-alive/", views_session.session_keep_alive_view, name="session_keep_alive"),
]
