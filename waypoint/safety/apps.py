from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "waypoint.safety"
    label = "safety"
