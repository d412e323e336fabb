"""The staff page of the model registry: who may see it and what its buttons do."""

import numpy as np
import pytest
from django.urls import include, path, reverse

from feeds import registry
from feeds.artifacts import save_factor_model
from feeds.evaluation import quality_gate
from feeds.gates import Rules
from feeds.models import ModelVersion
from flywheel import urls as root_urls
from tests.factories import UserFactory

# Until the project's urls include feeds.urls, mount it here the same way.
urlpatterns = list(root_urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "feeds_staff" for p in urlpatterns):
    urlpatterns.append(path("staff/models/", include("feeds.urls")))

pytestmark = pytest.mark.urls(__name__)
State = ModelVersion.State
PAGE = "feeds_staff:models"


@pytest.fixture(autouse=True)
def model_root(settings, tmp_path):
    settings.MODEL_ROOT = tmp_path / "models"


def trained(state, **fields) -> ModelVersion:
    version = ModelVersion.objects.create(state=state, **fields)
    path_ = save_factor_model(
        "feed_als",
        version.pk,
        user_factors=np.ones((1, 2)),
        item_factors=np.ones((1, 2)),
        user_ids=[1],
        post_ids=[1],
        meta={},
    )
    version.artifact_path = str(path_)
    version.save(update_fields=["artifact_path"])
    return version


REJECTED_METRICS = {
    "eval_users": 80,
    "held_out": 230,
    "holdout": {"after_event_id": 4321, "max_event_id": 5000, "people": 80, "interactions": 230},
    "model": {"recall@20": 0.15, "ndcg@20": 0.1, "coverage": 0.2},
    "baseline": {"recall@20": 0.09, "ndcg@20": 0.05, "coverage": 0.01},
    "champion": {"recall@20": 0.2, "ndcg@20": 0.12, "coverage": 0.3},
}


@pytest.fixture
def versions(db):
    old = trained(
        State.RETIRED,
        metrics={"model": {"recall@20": 0.31, "ndcg@20": 0.2, "coverage": 0.5},
                 "baseline": {"recall@20": 0.12, "ndcg@20": 0.08, "coverage": 0.01}},
        users=1234, items=5678, nonzeros=91011, train_seconds=12.5, peak_memory_mb=640,
        triggered_by="schedule",
    )  # fmt: skip
    current = trained(
        State.ACTIVE,
        triggered_by="data threshold",
        warm_from=old.pk,
        metrics={"fit": {"start": "warm", "why": f"warm from v{old.pk}", "iterations": 5}},
    )
    rejected = ModelVersion.objects.create(state=State.REJECTED)
    verdict = quality_gate(
        REJECTED_METRICS,
        rules=Rules(enabled=True, baseline_lift=1.0, champion_ratio=0.9),
        min_held_out=50,
        min_people=20,
        champion_version=current.pk,
    )
    REJECTED_METRICS["champion"]["version"] = current.pk
    rejected.metrics = {**REJECTED_METRICS, "gate": verdict.as_metrics()}
    rejected.reason = verdict.reason
    rejected.save()
    return old, current, rejected


@pytest.fixture
def staff_client(client, db):
    """Staff who run the models: the permission to change model versions (retrain, activate)."""
    from django.contrib.auth.models import Permission

    boss = UserFactory(username="boss", is_staff=True)
    boss.user_permissions.add(Permission.objects.get(codename="change_modelversion"))
    client.force_login(boss)
    return client


@pytest.fixture
def member_client(client, db):
    client.force_login(UserFactory(username="member"))
    return client


ACTIONS = [("feeds_staff:retrain", ()), ("feeds_staff:activate", (1,))]


def test_anonymous_people_are_sent_to_log_in(client, db):
    response = client.get(reverse(PAGE))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    for name, args in ACTIONS:
        response = client.post(reverse(name, args=args))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert ModelVersion.objects.count() == 0


def test_people_who_are_not_staff_are_refused(member_client, versions):
    old, current, _ = versions
    assert member_client.get(reverse(PAGE)).status_code == 403
    assert member_client.post(reverse("feeds_staff:retrain")).status_code == 403
    assert member_client.post(reverse("feeds_staff:activate", args=[old.pk])).status_code == 403
    assert registry.active_version() == current
    assert ModelVersion.objects.count() == 3


def test_staff_see_every_version_with_its_metrics_next_to_the_baseline(staff_client, versions):
    old, current, rejected = versions
    response = staff_client.get(reverse(PAGE))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Serving <strong>v{current.pk}</strong>" in html
    for version in versions:
        assert f'id="version-{version.pk}" data-state="{version.state}"' in html
    assert "0.310 / 0.120" in html and "0.200 / 0.080" in html and "0.500 / 0.010" in html
    assert "1234 people \u00d7 5678 posts" in html and "91011 interactions" in html
    assert "12.5 s" in html and "640 MB peak" in html
    assert f"warm from v{old.pk}, 5 iterations" in html  # started from the older version
    # The rejected version: why, in words, and the comparison on its own hold-out.
    assert (
        f"recall@20 0.1500 is below 0.9 x the active version v{current.pk}&#x27;s 0.2000 on the "
        "same hold-out: it would serve people worse than the version serving now." in html
    )
    assert f"0.150 / 0.090 / 0.200 <small>(v{current.pk})</small>" in html
    assert '<li data-clause="evidence" data-passed="yes">' in html
    assert '<li data-clause="champion" data-passed="no">' in html
    assert (
        f"Judged on 230 interactions of 80 people, all newer than event #4321 (what the active "
        f"version v{current.pk} never saw), events up to #5000." in html
    )
    assert reverse("feeds_staff:activate", args=[old.pk]) in html  # retired: may come back
    assert reverse("feeds_staff:activate", args=[current.pk]) not in html
    assert reverse("feeds_staff:activate", args=[rejected.pk]) not in html
    assert "csrfmiddlewaretoken" in html
    assert reverse("admin:django_celery_beat_periodictask_changelist") in html


def test_staff_retrain_now_queues_one_run(
    staff_client, versions, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as sent:
        response = staff_client.post(reverse("feeds_staff:retrain"), follow=True)
    queued = registry.running_version()
    assert queued.triggered_by == "staff:boss" and len(sent) == 1
    assert f"v{queued.pk} is queued for training." in response.content.decode()

    response = staff_client.post(reverse("feeds_staff:retrain"), follow=True)
    assert "is already queued or training" in response.content.decode()
    assert ModelVersion.objects.filter(state=State.QUEUED).count() == 1


def test_staff_activate_rolls_back(staff_client, versions):
    old, current, rejected = versions
    response = staff_client.post(reverse("feeds_staff:activate", args=[old.pk]), follow=True)
    assert f"v{old.pk} is now the active version." in response.content.decode()
    assert registry.active_version() == old
    assert ModelVersion.objects.get(pk=current.pk).state == State.RETIRED

    response = staff_client.post(reverse("feeds_staff:activate", args=[rejected.pk]), follow=True)
    assert "only a ready or retired version can be activated" in response.content.decode()
    response = staff_client.post(reverse("feeds_staff:activate", args=[99999]), follow=True)
    assert "There is no version 99999." in response.content.decode()
    assert registry.active_version() == old


def test_the_actions_need_post_and_a_csrf_token(versions, db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="boss2", is_staff=True))
    old = versions[0]
    assert client.get(reverse("feeds_staff:activate", args=[old.pk])).status_code == 405
    assert client.post(reverse("feeds_staff:activate", args=[old.pk])).status_code == 403
    assert ModelVersion.objects.get(pk=old.pk).state == State.RETIRED


def test_the_admin_compares_and_rolls_back(staff_client, versions, admin_user):
    old = versions[0]
    staff_client.force_login(admin_user)
    changelist = reverse("admin:feeds_modelversion_changelist")
    html = staff_client.get(changelist).content.decode()
    assert "0.310 / 0.120" in html
    detail = staff_client.get(reverse("admin:feeds_modelversion_change", args=[old.pk]))
    assert "popularity baseline" in detail.content.decode()
    assert "0.3100" in detail.content.decode()

    response = staff_client.post(
        changelist,
        {"action": "activate_version", "_selected_action": [old.pk], "index": 0},
        follow=True,
    )
    assert f"Activated v{old.pk}: it serves now." in response.content.decode()
    assert registry.active_version() == old

    response = staff_client.post(
        changelist, {"action": "retrain_now", "_selected_action": [old.pk], "index": 0}, follow=True
    )
    assert "Queued v" in response.content.decode()
    assert registry.running_version().triggered_by == f"staff:{admin_user.username}"


def test_the_admin_edits_arm_weights_and_checks_the_blend(staff_client, admin_user, db):
    from feeds.models import FeedArm

    staff_client.force_login(admin_user)
    arm = FeedArm.objects.get(name="personalised")
    url = reverse("admin:feeds_feedarm_change", args=[arm.pk])
    data = {"name": arm.name, "strategy": arm.strategy, "weight": 3, "blend": '{"model": 2}'}
    assert staff_client.post(url, data).status_code == 302
    arm.refresh_from_db()
    assert (arm.weight, arm.blend) == (3, {"model": 2})
    response = staff_client.post(url, {**data, "blend": '{"model": -1}'})
    assert response.status_code == 200 and "weight of 0 or more" in response.content.decode()
