"""Reactions record where the person acted from (social.surfaces): every card's reaction
forms carry the surface of the page the card is on, the event records it, and a card
re-rendered by a like toggle, an edit or the compose box keeps it."""

import re

import pytest
from django.urls import reverse

from events.models import Event, EventKind, Surface
from social import services
from social.models import Like, Share
from tests.social.test_pages_helpers import HTMX, group_by, html, join, write

pytestmark = pytest.mark.django_db

SURFACE_FIELD = re.compile(r'<input type="hidden" name="surface" value="([^"]*)">')


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def surfaces_on(response) -> list[str]:
    return SURFACE_FIELD.findall(html(response))


def card_of(response, post) -> str:
    """The article of one post's card in a page."""
    page = html(response)
    start = page.index(f'id="post-{post.pk}"')
    return page[start : page.index("</article>", start)]


@pytest.fixture
def world(user, other_user, chronological_home):
    """ben follows ana and is in her group; her post is tagged, so it is on every page."""
    services.follow_create(follower=other_user, followee=user)
    group = group_by(user, "Jazz club")
    join(group, other_user)
    post = write(user, "Tonight #jazz in the park", group=group)
    return {"post": post, "group": group}


def pages(world, user) -> dict[str, str]:
    return {
        Surface.HOME: reverse("home"),
        Surface.FOLLOWING: reverse("social:following_feed"),
        Surface.PROFILE: reverse("social:profile", args=[user.username]),
        Surface.EXPLORE: reverse("social:explore"),
        Surface.GROUP: reverse("social:group", args=[world["group"].slug]),
        Surface.SEARCH: reverse("social:search") + "?q=park",
        Surface.POST: reverse("social:post", args=[world["post"].pk]),
        Surface.HASHTAG: reverse("social:hashtag", args=["jazz"]),
    }


def test_every_page_marks_its_cards_and_their_reaction_forms(client, world, user, other_user):
    client.force_login(other_user)
    for surface, url in pages(world, user).items():
        response = client.get(url)
        assert response.status_code == 200, url
        card = card_of(response, world["post"])
        # The like form, the share now form: both say where the card is.
        assert SURFACE_FIELD.findall(card) == [surface, surface], url
        assert f'data-surface="{surface}"' in html(response), url
        share_link = f"{reverse('social:share', args=[world['post'].pk])}?surface={surface}"
        assert share_link in card, url


def test_the_post_page_comment_form_carries_its_surface(client, world, other_user):
    client.force_login(other_user)
    page = client.get(reverse("social:post", args=[world["post"].pk]))
    form = html(page)[html(page).index('id="comment-form"') :]
    assert SURFACE_FIELD.findall(form)[0] == Surface.POST


@pytest.mark.parametrize("surface", [s for s in Surface.values if s])
def test_a_like_records_the_surface_it_was_made_on(client, world, other_user, surface):
    client.force_login(other_user)
    like = reverse("social:like", args=[world["post"].pk])
    response = client.post(like, {"surface": surface}, **HTMX)
    assert response.status_code == 200
    event = Event.objects.get(kind=EventKind.LIKE, user=other_user)
    assert event.surface == surface and event.post_id == world["post"].pk
    # The button swapped in keeps the surface, so the unlike records it too.
    assert surfaces_on(response) == [surface]
    client.post(reverse("social:unlike", args=[world["post"].pk]), {"surface": surface}, **HTMX)
    assert Event.objects.get(kind=EventKind.UNLIKE, user=other_user).surface == surface


def test_for_you_and_following_likes_are_told_apart(client, world, other_user):
    client.force_login(other_user)
    post = world["post"]
    client.post(reverse("social:like", args=[post.pk]), {"surface": "home"})
    client.post(reverse("social:unlike", args=[post.pk]), {"surface": "following"})
    client.post(reverse("social:like", args=[post.pk]), {"surface": "following"})
    kinds = list(
        Event.objects.filter(user=other_user).order_by("id").values_list("kind", "surface")
    )
    assert kinds[-3:] == [
        (EventKind.LIKE, "home"),
        (EventKind.UNLIKE, "following"),
        (EventKind.LIKE, "following"),
    ]


def test_shares_unshares_and_comments_record_their_surface(client, world, other_user):
    client.force_login(other_user)
    post = world["post"]
    share = client.post(reverse("social:share", args=[post.pk]), {"surface": "group"}, **HTMX)
    assert share.status_code == 200 and surfaces_on(share) == ["group"]
    client.post(reverse("social:unshare", args=[post.pk]), {"surface": "profile"}, **HTMX)
    # Share with a comment: the form opened from a For you card keeps the surface.
    form = client.get(reverse("social:share", args=[post.pk]), {"surface": "home"})
    assert "home" in surfaces_on(form)
    client.post(reverse("social:share", args=[post.pk]), {"comment": "go", "surface": "home"})
    client.post(
        reverse("social:comment_create", args=[post.pk]), {"text": "yes", "surface": "post"}
    )
    recorded = dict(
        Event.objects.filter(user=other_user, post_id=post.pk)
        .exclude(kind=EventKind.SHARE, surface="group")
        .values_list("kind", "surface")
    )
    assert recorded[EventKind.UNSHARE] == "profile"
    assert recorded[EventKind.SHARE] == "home"
    assert recorded[EventKind.COMMENT] == "post"
    assert Event.objects.filter(kind=EventKind.SHARE, surface="group").count() == 1


def test_an_unknown_surface_is_a_400_that_says_so_and_changes_nothing(client, world, other_user):
    client.force_login(other_user)
    post = world["post"]
    for url, data in (
        (reverse("social:like", args=[post.pk]), {"surface": "sidebar"}),
        (reverse("social:share", args=[post.pk]), {"surface": "sidebar"}),
        (reverse("social:comment_create", args=[post.pk]), {"text": "hi", "surface": "sidebar"}),
    ):
        response = client.post(url, data, **HTMX)
        assert response.status_code == 400, url
        assert "Unknown surface “sidebar”" in html(response)
    assert client.get(reverse("social:share", args=[post.pk]), {"surface": "x"}).status_code == 400
    assert not Like.objects.exists() and not Share.objects.exists()
    assert not Event.objects.filter(kind__in=[EventKind.LIKE, EventKind.COMMENT]).exists()


def test_no_surface_is_other(client, world, other_user):
    client.force_login(other_user)
    client.post(reverse("social:like", args=[world["post"].pk]))
    assert Event.objects.get(kind=EventKind.LIKE).surface == Surface.OTHER


def test_anonymous_people_get_no_reaction_form_and_are_sent_to_log_in(client, world):
    page = client.get(reverse("social:explore"))
    assert surfaces_on(page) == [] and "Log in to like" in html(page)
    response = client.post(reverse("social:like", args=[world["post"].pk]), {"surface": "home"})
    assert response.status_code == 302 and not Like.objects.exists()


def test_a_card_made_by_compose_belongs_to_the_tab_it_was_posted_from(client, other_user, world):
    client.force_login(other_user)
    for url, surface in (("/following/", "following"), ("/", "home")):
        response = client.post(
            reverse("social:post_create"),
            {"text": f"from {surface}"},
            HTTP_HX_CURRENT_URL=f"http://testserver{url}",
            **HTMX,
        )
        assert response.status_code == 200
        assert surfaces_on(response) == [surface, surface]  # like and share of the new card


def test_a_card_keeps_its_surface_through_an_edit(client, user, world):
    client.force_login(user)
    post = world["post"]
    profile = f"http://testserver{reverse('social:profile', args=[user.username])}"
    form = client.get(
        reverse("social:post_edit", args=[post.pk]), HTTP_HX_CURRENT_URL=profile, **HTMX
    )
    assert surfaces_on(form) == ["profile"]
    saved = client.post(
        reverse("social:post_edit", args=[post.pk]),
        {"text": "Edited #jazz", "surface": "profile"},
        HTTP_HX_CURRENT_URL=profile,
        **HTMX,
    )
    assert saved.status_code == 200 and set(surfaces_on(saved)) == {"profile"}
    cancelled = client.get(
        reverse("social:post_card", args=[post.pk]),
        HTTP_HX_CURRENT_URL="http://testserver/following/",
        **HTMX,
    )
    assert set(surfaces_on(cancelled)) == {"following"}


def test_the_next_page_of_a_list_keeps_the_lists_surface(client, other_user, user):
    for n in range(25):
        write(user, f"note {n}")
    client.force_login(other_user)
    first = client.get(reverse("social:explore"))
    next_url = re.search(r'hx-get="([^"]+cursor=[^"]+)"', html(first)).group(1)
    more = client.get(
        next_url.replace("&amp;", "&"), HTTP_HX_CURRENT_URL="http://testserver/explore/", **HTMX
    )
    assert more.status_code == 200 and set(surfaces_on(more)) == {"explore"}
