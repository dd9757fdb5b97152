from django.apps import AppConfig


class InstitutionConfig(AppConfig):
    name = "waypoint.institution"
    label = "institution"
