"""The `personalised-learned` arm: the personalised arm's candidates, ordered by the active
ranker's predicted engagement, with the same true reasons and the same soft caps; the hand
blend's order while no ranker can serve."""

import joblib
import numpy as np
import pytest

from accounts.models import User
from feeds import registry
from feeds.artifacts import save_artifact
from feeds.learned import MODEL_FILE, forget_loaded_rankers
from feeds.models import FeedArm, ModelKind, ModelVersion
from feeds.ranker_features import FEATURES
from feeds.ranker_training import RankerConfig, fit_ranker
from social import services
from social.models import Like
from tests.feeds.home_helpers import api_home, assert_reason_is_true, person, put_everyone_in
from tests.feeds.home_helpers import write as write_post
from tests.feeds.test_home_feed import api_for

pytestmark = pytest.mark.django_db
SOCIAL = FEATURES.index("followee_likes")


@pytest.fixture(autouse=True)
def _models(served_models):
    forget_loaded_rankers()
    yield
    forget_loaded_rankers()


def install_ranker() -> ModelVersion:
    """A ranker that learnt one thing: people engage with what the people they follow like."""
    rng = np.random.default_rng(0)
    features = rng.random((3000, len(FEATURES))).astype(np.float32)
    liked_by_followees = rng.integers(0, 4, 3000)
    features[:, SOCIAL] = np.log1p(liked_by_followees)  # as feeds.ranker_features has it
    engaged = rng.random(3000) < 0.05 + 0.25 * liked_by_followees
    model = fit_ranker(features, engaged, RankerConfig.from_settings())
    version = ModelVersion.objects.create(kind=ModelKind.FEED_RANKER, state="training")
    path = save_artifact(
        ModelKind.FEED_RANKER,
        version.pk,
        meta={"features": list(FEATURES)},
        write=lambda folder: joblib.dump(model, folder / MODEL_FILE),
    )
    registry.version_ready(version, artifact_path=str(path))
    return registry.version_activate(version.pk)


def world(viewer):
    """Twelve strangers' posts that 0 to 3 of the people the viewer follows like."""
    friends = [person(f"friend{n}") for n in range(3)]
    for friend in friends:
        services.follow_create(follower=viewer, followee=friend)
    posts = [write_post(person(f"stranger{n}"), f"note {n}") for n in range(12)]
    for n, post in enumerate(posts):
        for friend in friends[: n % 4]:
            services.like_create(user=friend, post=post)
    return posts


def liked_by_friends(post_id: int) -> int:
    return Like.objects.filter(post_id=post_id, user__username__startswith="friend").count()


def feed_of(viewer, **params) -> list[dict]:
    return api_home(api_for(viewer), page_size=50, **params)["results"]


def test_the_learned_arm_orders_by_predicted_engagement_with_true_reasons():
    put_everyone_in(FeedArm.Strategy.LEARNED)
    install_ranker()
    ana = person("ana")
    world(ana)
    items = feed_of(ana)
    assert {item["arm"] for item in items} == {"personalised-learned"}
    counts = [liked_by_friends(item["id"]) for item in items]
    assert counts == sorted(counts, reverse=True) and counts[0] == 3
    for item in items:
        assert_reason_is_true(ana, item["id"], item["reason"])


def test_its_reasons_are_the_personalised_arms_and_its_caps_hold():
    put_everyone_in(FeedArm.Strategy.PERSONALISED)
    ana, bea = person("ana"), person("bea")
    world(ana)
    prolific = person("prolific")
    for viewer in (ana, bea):
        services.follow_create(follower=viewer, followee=prolific)
    for n in range(8):
        post = write_post(prolific, f"again {n}")
        services.like_create(user=person(f"friendly{n}"), post=post)
    personalised = {item["id"]: item["reason"] for item in feed_of(ana)}
    put_everyone_in(FeedArm.Strategy.LEARNED)
    install_ranker()
    learned = feed_of(bea)
    shared = [item for item in learned if item["id"] in personalised]
    assert shared and all(item["reason"] == personalised[item["id"]] for item in shared)
    authors = [item["author"]["username"] for item in learned[:10]]
    assert authors.count("prolific") <= 3  # the personalised arm's soft cap


def test_without_a_servable_ranker_the_arm_keeps_the_hand_blends_order(tmp_path):
    put_everyone_in(FeedArm.Strategy.PERSONALISED)
    ana = person("ana")
    world(ana)
    blended = [item["id"] for item in feed_of(ana)]
    put_everyone_in(FeedArm.Strategy.LEARNED)
    bea = person("bea")
    for friend in ("friend0", "friend1", "friend2"):
        services.follow_create(follower=bea, followee=person_named(friend))
    learned = [item["id"] for item in feed_of(bea) if item["id"] in blended]
    assert learned == [pk for pk in blended if pk in learned]

    version = install_ranker()
    version.artifact_path = str(tmp_path / "gone")
    version.save(update_fields=["artifact_path"])
    forget_loaded_rankers()
    cal = person("cal")
    for friend in ("friend0", "friend1", "friend2"):
        services.follow_create(follower=cal, followee=person_named(friend))
    again = [item["id"] for item in feed_of(cal) if item["id"] in blended]
    assert again == [pk for pk in blended if pk in again]


def person_named(username: str):
    return User.objects.get(username=username)
