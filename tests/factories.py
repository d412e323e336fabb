"""Factories for the test suite: real rows through the ORM, with sensible defaults."""

import factory

from accounts.models import User

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    display_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


# --- ads -------------------------------------------------------------------------------
# Rows made directly, for tests that need many campaigns fast; tests of the rules make theirs
# through ads.services. A campaign is active with one approved ad unless told otherwise.


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _in_a_month():
    from datetime import timedelta

    return _today() + timedelta(days=30)


class AdvertiserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ads.Advertiser"

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Brand {n}")
    billing_email = factory.LazyAttribute(lambda a: f"billing+{a.user.username}@example.com")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ads.Campaign"
        skip_postgeneration_save = True

    advertiser = factory.SubFactory(AdvertiserFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    objective = "traffic"
    bid_type = "cpc"
    bid_micros = 500_000
    daily_budget_micros = 50_000_000
    total_budget_micros = 500_000_000
    starts_on = factory.LazyFunction(_today)
    ends_on = factory.LazyFunction(_in_a_month)
    state = "active"

    @factory.post_generation
    def topics(campaign, create, extracted, **kwargs):
        """CampaignFactory(topics=["jazz", "vinyl"]) targets those hashtags."""
        if create and extracted:
            from social.models import Hashtag

            tags = [Hashtag.objects.get_or_create(name=name)[0] for name in extracted]
            campaign.topics.set(tags)

    @factory.post_generation
    def creative(campaign, create, extracted, **kwargs):
        """One approved ad, unless creative=False."""
        if create and extracted is not False:
            CreativeFactory(campaign=campaign, **kwargs)


class CreativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ads.Creative"

    campaign = factory.SubFactory(CampaignFactory, creative=False)
    headline = factory.Sequence(lambda n: f"Great offer {n}")
    text = "Something you will like, at a fair price."
    link = "https://example.com/shop"
    review_state = "approved"


def api_token(user) -> str:
    """A new API token for the person, as POST /api/auth/token/ would issue it."""
    from accounts.tokens import token_issue

    return token_issue(user=user).raw


def sign_in_api(client, user):
    """Make an API client send the person's token (Authorization: Bearer)."""
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(user)}")
    return client
