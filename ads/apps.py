from django.apps import AppConfig


class AdsConfig(AppConfig):
    """Advertisers, campaigns, targeting, the ad targeter, auction, pacing and billing."""

    name = "ads"

    def ready(self):
        from ads.selectors import creative_image_visible_to
        from ads.serializers import SponsoredSerializer, sponsored_data
        from ads.sponsored import serve_sponsored
        from feeds import registry, slots
        from feeds.models import ModelKind
        from flywheel.media import MediaKind, register

        register(MediaKind("ads", may_see=creative_image_visible_to))
        # The ad targeter is trained, gated and activated by feeds' registry.
        registry.register_kind(
            ModelKind.AD_TARGETER,
            training="ads.training",
            evaluation="ads.evaluation",
            baseline="targeting-only",
        )
        # The home feed's sponsored slots are filled by the ad auction (feeds, below ads,
        # only keeps the slots).
        slots.register(
            slots.SponsoredFiller(
                serve=serve_sponsored, as_data=sponsored_data, serializer=SponsoredSerializer
            )
        )
