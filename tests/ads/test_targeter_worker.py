"""The ad targeter trains through a real Celery worker, on the training queue, like the feed
model: queued by a trigger, sent after commit, active when its gate passes."""

import pytest

from ads import training
from feeds.models import ModelKind, ModelVersion
from feeds.serving import forget_loaded_models
from tests.ads.targeter_world import make_click_world
from tests.feeds.test_training_worker import wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def world(transactional_db, celery_worker_process):
    forget_loaded_models()
    yield make_click_world()
    forget_loaded_models()


def test_the_worker_trains_the_targeter(world):
    version = training.training_request(triggered_by="test")
    done = wait_for(version.pk)
    assert done.kind == ModelKind.AD_TARGETER
    assert done.state == ModelVersion.State.ACTIVE, done.reason
    assert done.metrics["model"]["auc"] > done.metrics["baseline"]["auc"]
