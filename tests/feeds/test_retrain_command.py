"""`manage.py retrain`: one run in the foreground, a report, and an honest exit status."""

import io
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from feeds import registry
from feeds.models import ModelVersion
from tests.feeds.test_training import add_likes, make_taste_world
from tests.worker import REPO

State = ModelVersion.State


@pytest.fixture
def model_root(settings, tmp_path):
    settings.MODEL_ROOT = tmp_path / "models"


def retrain(*args) -> str:
    out = io.StringIO()
    call_command("retrain", *args, stdout=out)
    return out.getvalue()


def test_retrain_feeds_trains_reports_and_activates(db, model_root):
    make_taste_world()
    output = retrain("feeds", "--iterations", "10")

    version = ModelVersion.objects.get()
    assert version.state == State.ACTIVE and version.triggered_by == "command"
    assert version.params["iterations"] == 10
    assert f"Training Feed recommender (ALS) v{version.pk}" in output
    for stage in ("matrix", "split", "fit", "evaluate", "artifact", "activate"):
        assert f"%  {stage} " in output
    assert "[##############################] 100%  done     active" in output
    assert "50 people x 120 posts, 1,000 interactions" in output
    model, baseline = version.metrics["model"], version.metrics["baseline"]
    assert "metric           model      popularity   no active version" in output
    assert (
        f"recall@20       {model['recall@20']:.4f}          {baseline['recall@20']:.4f}"
        "                   -" in output
    )
    assert f"ndcg@20         {model['ndcg@20']:.4f}" in output
    assert "coverage" in output and "peak memory" in output
    assert f"v{version.pk} is now the active version." in output


def test_a_rejected_run_says_why_and_still_exits_zero(db, model_root):
    world = make_taste_world()
    retrain("feeds", "--no-progress")
    first = registry.active_version()
    add_likes(world)
    output = retrain("feeds", "--no-progress", "--factors", "1", "--iterations", "1")
    second = ModelVersion.objects.latest("id")
    assert second.state == State.REJECTED
    assert f"v{second.pk} was rejected: recall@20" in output
    assert f"the active version v{first.pk}'s" in output
    champion = second.metrics["champion"]["recall@20"]
    assert f"active v{first.pk}" in output and f"{champion:.4f}" in output
    assert f"The active version is still v{first.pk}." in output
    assert "[#" not in output  # --no-progress


def test_a_failed_run_exits_non_zero(db, model_root):
    with pytest.raises(CommandError, match="failed: NotEnoughData") as failed:
        retrain("feeds", "--no-progress")
    assert failed.value.returncode == 1
    assert ModelVersion.objects.get().state == State.FAILED


def test_a_run_already_in_progress_is_not_doubled(db, model_root):
    running = registry.version_queue(kind="feed_als", triggered_by="schedule", params={})
    with pytest.raises(CommandError, match=f"v{running.pk} is already queued or training") as e:
        retrain("feeds")
    assert e.value.returncode == 1
    assert ModelVersion.objects.count() == 1


def test_an_unknown_model_is_refused_before_anything_runs():
    """The exit status reaches the shell; argparse refuses before any database is touched."""
    done = subprocess.run(
        [sys.executable, "manage.py", "retrain", "everything"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "invalid choice: 'everything' (choose from" in done.stderr
