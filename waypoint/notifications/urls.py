"""A person's own notifications, under /staff/notifications/ (every view asks
accounts.policy "notifications.mine"; someone else's notification answers 404)."""

from django.urls import path

from waypoint.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list_view, name="list"),
    path("<uuid:notification_id>/read/", views.mark_read_view, name="mark_read"),
    path("read-all/", views.mark_all_read_view, name="mark_all_read"),
    path("email/", views.email_choice_view, name="email_choice"),
]
