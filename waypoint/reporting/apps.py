from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "waypoint.reporting"
    label = "reporting"
