"""Fixtures of the ads tests: a clean per-process index and model cache, and advertisers."""

import pytest

from ads import index
from feeds.serving import forget_loaded_models
from tests.factories import AdvertiserFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Ads tests make many people; a fast hasher keeps them quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_ads_state(settings, tmp_path):
    settings.MODEL_ROOT = tmp_path / "models"
    settings.ADS_SERVING_REFRESH_SECONDS = 0  # every auction reads budgets and models afresh
    index.forget()
    forget_loaded_models()
    yield
    index.forget()
    forget_loaded_models()


@pytest.fixture
def brand(db):
    """An advertiser: Northwind, run by @nora."""
    return AdvertiserFactory(user=UserFactory(username="nora"), name="Northwind")


@pytest.fixture
def rival(db):
    return AdvertiserFactory(user=UserFactory(username="rico"), name="Rival Goods")
