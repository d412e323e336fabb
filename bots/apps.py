from django.apps import AppConfig


class BotsConfig(AppConfig):
    """Seeded bot users with ground-truth tastes, and the driver that runs them over HTTP."""

    name = "bots"

    def ready(self):
        # The ideal arm (bots/ideal.py) plugs into the home-feed experiment from here, so the
        # site runs without the simulation and never imports it (feeds/arms.py).
        from bots.ideal import IDEAL_ARM, is_member, rank_ideal
        from feeds.arms import register_arm

        register_arm(IDEAL_ARM, ranker=rank_ideal, members=is_member)
