from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "waypoint.casework"
    label = "casework"
