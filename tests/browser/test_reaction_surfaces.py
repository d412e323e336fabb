"""In Chromium: a like on the For you tab and one on the Following tab are recorded with the
tab they were made on (the arms are compared on For you alone), and the button swapped in
by the like keeps its tab, so the unlike is recorded there too."""

import pytest
from playwright.sync_api import expect

from events.models import Event, EventKind
from social import services
from tests.social.factories import PostFactory


@pytest.fixture
def followed_posts(user, other_user):
    """ana follows ben, so his posts are on both of her tabs; everyone is chronological, so
    For you is sure to hold them."""
    from feeds.models import FeedArm

    FeedArm.objects.exclude(strategy=FeedArm.Strategy.CHRONOLOGICAL).update(weight=0)
    services.follow_create(follower=user, followee=other_user)
    return [PostFactory(author=other_user, text=f"ben's note {n}") for n in range(2)]


def reactions(user) -> list[tuple[int, str, int]]:
    rows = Event.objects.filter(user=user, kind__in=[EventKind.LIKE, EventKind.UNLIKE])
    return list(rows.order_by("id").values_list("kind", "surface", "post_id"))


def test_for_you_and_following_like_buttons_record_their_tab(page, sign_in, user, followed_posts):
    first, second = followed_posts
    sign_in(user)

    page.goto("/")
    tabs = page.get_by_role("navigation", name="Home feeds")
    expect(tabs.get_by_role("link", name="For you")).to_have_attribute("aria-current", "page")
    card = page.locator(f"#post-{first.pk}")
    card.get_by_role("button", name="Like: 0").click()
    liked = card.get_by_role("button", name="Liked: 1")
    expect(liked).to_be_visible()
    liked.click()  # the swapped-in button kept its tab
    expect(card.get_by_role("button", name="Like: 0")).to_be_visible()

    tabs.get_by_role("link", name="Following").click()
    expect(tabs.get_by_role("link", name="Following")).to_have_attribute("aria-current", "page")
    card = page.locator(f"#post-{second.pk}")
    card.get_by_role("button", name="Like: 0").click()
    expect(card.get_by_role("button", name="Liked: 1")).to_be_visible()

    assert reactions(user) == [
        (EventKind.LIKE, "home", first.pk),
        (EventKind.UNLIKE, "home", first.pk),
        (EventKind.LIKE, "following", second.pk),
    ]
