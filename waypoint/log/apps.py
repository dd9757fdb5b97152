from django.apps import AppConfig


class LogConfig(AppConfig):
    name = "waypoint.log"
    label = "log"
    verbose_name = "Incident logs"
