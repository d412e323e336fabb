from django.apps import AppConfig


class EventsConfig(AppConfig):
    """The event log: what happened, recorded by the site and by beacons; what the models
    train on and the observatory rolls up."""

    name = "events"
