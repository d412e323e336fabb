from django.apps import AppConfig


class AdsConfig(AppConfig):
    """Advertisers, campaigns, targeting, the ad targeter, auction, pacing and billing."""

    name = "ads"

    def ready(self):
        from ads.selectors import creative_image_visible_to
        from flywheel.media import MediaKind, register

        register(MediaKind("ads", may_see=creative_image_visible_to))
