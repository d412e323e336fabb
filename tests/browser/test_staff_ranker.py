"""The learned ranker's staff page in a real browser: staff switch to the ranker, see the
version serving with its figures beside the hand blend's, and queue a run. The screenshot
goes to test-results/screenshots/ranker.png."""

import re

import numpy as np
import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from feeds.models import ModelKind, ModelVersion
from tests.factories import UserFactory
from tests.feeds.test_ranker_training import (  # noqa: F401 - _small_gate is autouse
    _small_gate,
    retrain,
    served_world,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_read_the_ranker_beside_the_blend_and_queue_a_run(page, sign_in, request):
    served_world(1500, rng=np.random.default_rng(7))
    version, _ = retrain()
    assert version.state == ModelVersion.State.ACTIVE
    boss = UserFactory(username="boss", is_staff=True)
    boss.user_permissions.add(Permission.objects.get(codename="change_modelversion"))
    sign_in(boss)

    page.goto("/staff/models/")
    page.get_by_role("link", name=re.compile("ranker", re.IGNORECASE)).click()
    expect(page.get_by_text(f"Serving v{version.pk}")).to_be_visible()
    headers = page.locator("#versions thead th")
    for label in ["AUC", "log-loss", "AUC within a person"]:
        expect(headers.filter(has_text=label).first).to_be_visible()
    expect(page.locator("body")).to_contain_text("hand blend")
    expect(page.locator("body")).to_contain_text(f"{version.metrics['model']['auc']:.3f}")
    expect(page.locator("body")).to_contain_text("posts served and seen by 20 people")
    shots = request.config.rootpath / "test-results" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "ranker.png"), full_page=True)

    page.get_by_role("button", name="Retrain now").click()
    queued = ModelVersion.objects.filter(kind=ModelKind.FEED_RANKER).first()
    assert queued.pk != version.pk and queued.triggered_by == "staff:boss"
    expect(page.locator("body")).to_contain_text(f"v{queued.pk}")
