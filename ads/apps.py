from django.apps import AppConfig


class AdsConfig(AppConfig):
    """Advertisers, campaigns, targeting, the ad targeter, auction, pacing and billing."""

    name = "ads"
