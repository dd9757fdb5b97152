"""Public addresses. Posters and bookmarks rely on /, /support/ and /check/: keep them."""

from django.urls import path

from waypoint.hub import selfcheck, views

app_name = "hub"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("check/", selfcheck.check_view, name="check"),
    path("tell-us/", views.tell_us_view, name="tell_us"),
    path("about/", views.awareness_index_view, name="about"),
    path("about/<slug:slug>/", views.awareness_page_view, name="awareness_page"),
    path("campaigns/", views.campaign_index_view, name="campaigns"),
    path("campaigns/<slug:slug>/", views.campaign_view, name="campaign"),
    path("support/", views.support_directory_view, name="support"),
    path("support/<slug:slug>/", views.support_service_view, name="service"),
]
