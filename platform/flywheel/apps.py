from django.apps import AppConfig


class FlywheelConfig(AppConfig):
    """The project package as an app: home of the operator commands and the health check."""

    name = "flywheel"
    verbose_name = "Flywheel platform"
