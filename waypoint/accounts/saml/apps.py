from django.apps import AppConfig


class SAMLConfig(AppConfig):
    """allauth's SAML provider, installed in its place (provider.py says why)."""

    name = "waypoint.accounts.saml"
    label = "waypoint_saml"
    verbose_name = "SAML sign-in"
