"""People to follow and groups to join: every source, a true reason for each, the social
rules (self, followed, muted, blocked either way, suspended, private groups), and a fixed
number of queries whatever the size of the graph."""

import numpy as np
import pytest
from django.utils import timezone

from events.models import Event, EventKind
from feeds import suggestions
from feeds.artifacts import save_factor_model
from feeds.models import ModelKind, ModelVersion
from feeds.serving import forget_loaded_models
from social import services
from social.models import Follow, Like, Membership
from tests.social.helpers import add_member, group_of, person, post_by

pytestmark = pytest.mark.django_db

FACTORS = 4


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_model_left_loaded():
    forget_loaded_models()
    yield
    forget_loaded_models()


def activate_model(settings, tmp_path, vectors: dict[int, list[float]], items=None):
    """An active feed model whose user factors are `vectors` (user id -> vector), and item
    factors `items` (post id -> vector)."""
    items = items or {999_999: [1.0] * FACTORS}
    settings.MODEL_ROOT = tmp_path
    version = ModelVersion.objects.create(
        kind=ModelKind.FEED_ALS, state=ModelVersion.State.ACTIVE, activated_at=timezone.now()
    )
    path = save_factor_model(
        ModelKind.FEED_ALS,
        version.pk,
        user_factors=np.array(list(vectors.values()), dtype=np.float32),
        item_factors=np.array(list(items.values()), dtype=np.float32),
        user_ids=np.array(list(vectors), dtype=np.int64),
        post_ids=np.array(list(items), dtype=np.int64),
        meta={"params": {"regularization": 0.1, "alpha": 1.0}},
    )
    ModelVersion.objects.filter(pk=version.pk).update(artifact_path=str(path))
    return version


def by_username(found) -> dict:
    return {s.person.username: s for s in found}


def by_slug(found) -> dict:
    return {s.group.slug: s for s in found}


# --- people ----------------------------------------------------------------------------


def test_authors_you_engage_with_are_suggested_with_the_count(user):
    carl = person("carl")
    posts = [post_by(carl) for _ in range(4)]
    for post in posts[:3]:
        services.like_create(user=user, post=post)

    found = by_username(suggestions.people_to_follow(user))

    assert found["carl"].reason == "you liked 3 of their posts"
    assert found["carl"].source == "engaged"
    assert Like.objects.filter(user=user, post__author=carl).count() == 3


def test_an_unlike_takes_the_like_back(user):
    carl = person("carl")
    posts = [post_by(carl) for _ in range(3)]
    for post in posts:
        services.like_create(user=user, post=post)
    services.like_delete(user=user, post=posts[0])

    assert by_username(suggestions.people_to_follow(user))["carl"].reason == (
        "you liked 2 of their posts"
    )


def test_the_strongest_kind_of_engagement_is_the_reason(user):
    carl = person("carl")
    posts = [post_by(carl) for _ in range(3)]
    services.like_create(user=user, post=posts[0])
    for post in posts:
        services.comment_create(author=user, post=post, text="nice")
    now = timezone.now()
    Event.objects.create(
        kind=EventKind.DWELL, user=user, post_id=posts[0].pk, dwell_ms=1000, created_at=now
    )

    assert by_username(suggestions.people_to_follow(user))["carl"].reason == (
        "you commented on 3 of their posts"
    )


def test_friends_of_friends_name_one_of_the_people_you_follow(user):
    ben, dan, erin, fay = (person(n) for n in ("ben", "dan", "erin", "fay"))
    for followee in (ben, dan):
        services.follow_create(follower=user, followee=followee)
    services.follow_create(follower=ben, followee=erin)
    services.follow_create(follower=dan, followee=erin)
    services.follow_create(follower=dan, followee=fay)

    found = by_username(suggestions.people_to_follow(user))

    assert found["erin"].reason == "followed by @ben and 1 other you follow"
    assert found["fay"].reason == "followed by @dan, whom you follow"
    assert found["erin"].source == "friends"
    assert next(iter(found)) == "erin"  # two followers you follow count more than one
    assert {f.follower.username for f in Follow.objects.filter(followee=erin)} == {"ben", "dan"}
    assert {f.follower.username for f in Follow.objects.filter(followee=fay)} == {"dan"}


def test_people_similar_in_the_model_are_suggested(user, settings, tmp_path):
    gus, hal = person("gus"), person("hal")
    person("ivy")
    activate_model(
        settings,
        tmp_path,
        {
            user.pk: [1.0, 0.2, 0.0, 0.0],
            gus.pk: [0.9, 0.3, 0.0, 0.1],  # close to ana
            hal.pk: [0.0, 0.0, 1.0, 0.0],  # orthogonal
        },
    )

    found = by_username(suggestions.people_to_follow(user))

    assert found["gus"].reason == "similar taste to yours"
    assert found["gus"].source == "similar"
    assert "hal" not in found  # not similar
    assert "ivy" not in found  # not in the model: never "similar"


def test_similarity_uses_what_you_did_since_the_model_was_trained(user, settings, tmp_path):
    gus, hal = person("gus"), person("hal")
    activate_model(
        settings,
        tmp_path,
        {user.pk: [1, 0, 0, 0], gus.pk: [1, 0, 0, 0], hal.pk: [0, 0, 1, 0]},
        items={9001: [0, 0, 1, 0], 9002: [1, 0, 0, 0]},
    )
    assert "gus" in by_username(suggestions.people_to_follow(user))

    for _ in range(3):  # fresh likes of posts the model places with hal's taste
        Event.objects.create(
            kind=EventKind.LIKE, user=user, post_id=9001, created_at=timezone.now()
        )

    found = by_username(suggestions.people_to_follow(user))
    assert found["hal"].reason == "similar taste to yours"
    assert "gus" not in found


def test_several_sources_add_up_and_every_reason_is_kept(user, settings, tmp_path):
    ben, gus, kim = person("ben"), person("gus"), person("kim")
    services.follow_create(follower=user, followee=ben)
    services.follow_create(follower=ben, followee=gus)
    services.follow_create(follower=ben, followee=kim)
    services.like_create(user=user, post=post_by(gus))
    activate_model(settings, tmp_path, {user.pk: [1, 0, 0, 0], gus.pk: [1, 0.1, 0, 0]})

    found = suggestions.people_to_follow(user)

    assert found[0].person.username == "gus"
    assert found[0].reason == "you liked 1 of their posts"
    assert found[0].reasons == [
        "you liked 1 of their posts",
        "followed by @ben, whom you follow",
        "similar taste to yours",
    ]


def test_nobody_excluded_is_suggested(user, settings, tmp_path):
    ben = person("ben")
    services.follow_create(follower=user, followee=ben)
    followed, muted, blocked, blocker, suspended = (
        person(n) for n in ("followed", "muted", "blocked", "blocker", "suspended")
    )
    bot = person("robot", is_bot=True)
    services.follow_create(follower=user, followee=followed)
    services.mute_create(muter=user, muted=muted)
    services.block_create(blocker=user, blocked=blocked)
    services.block_create(blocker=blocker, blocked=user)
    everyone = [user, followed, muted, blocked, blocker, suspended, bot]
    for someone in everyone:
        if someone != user:
            Follow.objects.get_or_create(follower=ben, followee=someone)
            Event.objects.create(
                kind=EventKind.LIKE,
                user=user,
                post_id=post_by(someone).pk,
                created_at=timezone.now(),
            )
    suspended.is_active = False
    suspended.save()
    activate_model(settings, tmp_path, {p.pk: [1.0, 0, 0, 0] for p in everyone})

    found = by_username(suggestions.people_to_follow(user, limit=20))

    assert set(found) == {"robot"}  # bots are people here too
    assert user.username not in found


def test_a_newcomer_gets_popular_people(user):
    star = person("star")
    for n in range(3):
        services.follow_create(follower=person(f"fan{n}"), followee=star)

    found = suggestions.people_to_follow(user)

    assert found[0].person.username == "star"
    assert found[0].reason == "popular on Flywheel"


def test_anonymous_people_get_no_suggestions():
    from django.contrib.auth.models import AnonymousUser

    assert suggestions.people_to_follow(AnonymousUser()) == []
    assert suggestions.groups_to_join(None) == []


# --- groups ----------------------------------------------------------------------------


def test_groups_of_posts_you_engage_with(user):
    owner = person("owner")
    band = group_of(owner, "Band practice")
    for _ in range(2):
        services.like_create(user=user, post=post_by(owner, group=band))
    services.like_create(user=user, post=post_by(owner))  # not in a group

    found = by_slug(suggestions.groups_to_join(user))

    assert found[band.slug].reason == "you liked 2 of its posts"
    assert found[band.slug].source == "engaged"


def test_public_groups_of_people_you_follow(user):
    ben, dan = person("ben"), person("dan")
    for followee in (ben, dan):
        services.follow_create(follower=user, followee=followee)
    choir = group_of(person("owner1"), "Choir")
    chess = group_of(person("owner2"), "Chess")
    secret = group_of(person("owner3"), "Secret society", private=True)
    add_member(choir, ben)
    add_member(choir, dan)
    add_member(chess, dan)
    add_member(secret, ben)
    add_member(secret, dan)

    found = by_slug(suggestions.groups_to_join(user, limit=10))

    assert found[choir.slug].reason == "@ben and 1 other you follow are members"
    assert found[chess.slug].reason == "@dan, whom you follow, is a member"
    # A private group's members are for its members to know: only its size, which the
    # groups list shows to everyone, may be a reason.
    assert found[secret.slug].reason == "popular: 3 members"
    assert all("follow" not in reason for reason in found[secret.slug].reasons)


def test_groups_popular_in_your_favourite_hashtag(user):
    owner = person("owner")
    jazz_club = group_of(owner, "Jazz club")
    for n in range(3):
        post_by(owner, f"session {n} #jazz", group=jazz_club)
    elsewhere = person("elsewhere")
    for n in range(2):
        services.like_create(user=user, post=post_by(elsewhere, f"loving #jazz {n}"))

    found = by_slug(suggestions.groups_to_join(user))

    assert found[jazz_club.slug].reason == "popular in #jazz"
    assert found[jazz_club.slug].source == "topic"


def test_declared_interests_stand_in_for_a_newcomer(user):
    user.interests = ["cooking"]
    user.save()
    owner = person("owner")
    kitchen = group_of(owner, "Kitchen")
    post_by(owner, "bread today #cooking", group=kitchen)

    found = by_slug(suggestions.groups_to_join(user))
    assert found[kitchen.slug].reason == "popular in #cooking"


def test_groups_you_are_in_or_asked_to_join_are_not_suggested(user):
    owner = person("owner")
    mine = group_of(owner, "Mine")
    asked = group_of(owner, "Asked", private=True)
    other = group_of(owner, "Other")
    add_member(other, person("someone"))
    services.group_join(user=user, group=mine)
    services.group_join(user=user, group=asked)
    assert Membership.objects.get(user=user, group=asked).state == Membership.State.PENDING

    found = by_slug(suggestions.groups_to_join(user, limit=10))

    assert set(found) == {other.slug}
    assert found[other.slug].reason == "popular: 2 members"
    assert found[other.slug].group.viewer_state is None


# --- bounded queries -------------------------------------------------------------------


def grow_world(viewer, start: int, stop: int):
    """Followees who follow others, authors the viewer likes, groups of every kind."""
    for n in range(start, stop):
        friend = person(f"friend{n}")
        services.follow_create(follower=viewer, followee=friend)
        services.follow_create(follower=friend, followee=person(f"fof{n}"))
        author = person(f"author{n}")
        group = group_of(author, f"Group {n}", private=n % 3 == 0)
        if n % 2:
            add_member(group, friend)
        services.like_create(user=viewer, post=post_by(author, f"tune {n} #jazz"))
        if not group.is_private:
            services.like_create(user=viewer, post=post_by(author, f"#jazz {n}", group=group))


def test_suggestions_cost_a_fixed_number_of_queries(
    user, settings, tmp_path, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    activate_model(settings, tmp_path, {user.pk: [1, 0, 0, 0]})

    def cost():
        with CaptureQueriesContext(connection) as people:
            suggestions.people_to_follow(user, limit=10)
        with CaptureQueriesContext(connection) as groups:
            suggestions.groups_to_join(user, limit=10)
        return len(people), len(groups)

    grow_world(user, 0, 3)
    few = cost()
    grow_world(user, 3, 25)
    many = cost()
    assert many[0] <= few[0] and many[1] <= few[1], (few, many)
    with django_assert_max_num_queries(11):
        assert len(suggestions.people_to_follow(user, limit=10)) == 10
    with django_assert_max_num_queries(12):
        assert len(suggestions.groups_to_join(user, limit=10)) == 10
