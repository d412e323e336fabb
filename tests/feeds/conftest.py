"""Fixtures the feed tests share."""

import pytest

from feeds.serving import forget_loaded_models


@pytest.fixture
def served_models(settings, tmp_path):
    """Models under a fresh MODEL_ROOT, and nothing loaded by this process before or after."""
    settings.MODEL_ROOT = tmp_path / "models"
    forget_loaded_models()
    yield
    forget_loaded_models()
