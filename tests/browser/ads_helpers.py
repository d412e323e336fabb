"""Builders shared by the ads browser tests. No tests live here."""

from ads import services
from ads.models import Campaign
from tests.ads.helpers import campaign_values
from tests.factories import UserFactory


def coffee_campaign(advertiser_name: str, **overrides) -> Campaign:
    """A draft #coffee campaign of Nora's advertiser, made through the services as the console
    makes it; `overrides` change the campaign's settings (see campaign_values)."""
    owner = UserFactory(username="nora")
    advertiser = services.advertiser_create(
        user=owner, name=advertiser_name, billing_email="n@example.com"
    )
    values = campaign_values(topics=["coffee"], **overrides)
    return services.campaign_create(advertiser=advertiser, **values)
