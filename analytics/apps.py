from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Event log, beacons, rollups, experiments, flywheel and stakeholder dashboards."""

    name = "analytics"
