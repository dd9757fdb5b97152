from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "waypoint.hub"
    label = "hub"
