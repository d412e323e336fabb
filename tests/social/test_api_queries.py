"""No N+1 queries: every list costs the same number of queries for 5 rows as for 25.

The world is made varied on purpose (many authors, groups, mentions, hashtags, likes, shares,
comments, notifications of every kind), so a lazy relation anywhere in a row would show up
as queries growing with the page size.
"""

import pytest

from accounts.models import User
from social import services
from social.models import Follow, Membership, Post
from tests.social.factories import GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db

ROWS = 30


def people(prefix: str, count: int) -> list[User]:
    """Many people quickly (no password hashing)."""
    users = [
        User(username=f"{prefix}{n}", display_name=f"{prefix.title()} {n}") for n in range(count)
    ]
    for person in users:
        person.set_unusable_password()
    return User.objects.bulk_create(users)


@pytest.fixture
def world(user, other_user):
    """Ana follows everyone and is in every group; everyone posts, mentions, tags, likes,
    shares and comments."""
    authors = people("writer", ROWS)
    Follow.objects.bulk_create([Follow(follower=user, followee=a) for a in authors])
    Follow.objects.create(follower=user, followee=other_user)
    groups = [GroupFactory(owner=authors[n], name=f"Jazz circle {n}") for n in range(ROWS)]
    for group in groups[:5]:
        MembershipFactory(group=group, user=user)
        MembershipFactory(group=group, user=other_user)
    posts = []
    for n, author in enumerate(authors):
        group = groups[n % 5] if n % 3 == 0 else None
        if group is not None and author != group.owner:
            Membership.objects.get_or_create(group=group, user=author)
        text = f"jazz night {n} with @ana and @ben #jazz #night{n % 4} https://example.com/{n}"
        posts.append(services.post_create(author=author, text=text, group=group))
    for n, post in enumerate(posts):
        if n % 2:
            services.like_create(user=user, post=post)
        services.like_create(user=other_user, post=post)
        if post.group_id is None:
            services.share_create(user=other_user, post=post, comment=f"see {n}")
        services.comment_create(author=other_user, post=post, text=f"comment {n}")
    for author in authors:
        services.follow_create(follower=author, followee=user)
    for n in range(ROWS):
        Post.objects.create(author=other_user, text=f"ben's jazz post {n} #jazz")
    return posts


def count_queries(client, url, page_size, django_assert_max_num_queries, *, most):
    joiner = "&" if "?" in url else "?"
    with django_assert_max_num_queries(most) as captured:
        response = client.get(f"{url}{joiner}page_size={page_size}&limit={page_size}")
    assert response.status_code == 200, response.content
    body = response.json()
    rows = body["results"] if "results" in body else body["posts"]
    assert len(rows) == page_size, f"{url}: expected {page_size} rows, got {len(rows)}"
    return len(captured)


@pytest.mark.usefixtures("chronological_home")
@pytest.mark.parametrize(
    "url, most",
    [
        ("/api/posts/", 8),
        ("/api/timeline/home/", 8),
        ("/api/users/ben/posts/", 10),
        ("/api/groups/", 5),
        ("/api/notifications/", 8),
        ("/api/search/?q=jazz", 14),
        ("/api/search/posts/?q=jazz", 8),
        ("/api/search/people/?q=writer", 6),
        ("/api/search/groups/?q=jazz", 5),
        ("/api/users/ana/followers/", 8),
        ("/api/users/ana/following/", 8),
    ],
)
def test_lists_cost_the_same_for_5_and_25_rows(
    auth_client, world, url, most, django_assert_max_num_queries
):
    small = count_queries(auth_client, url, 5, django_assert_max_num_queries, most=most)
    large = count_queries(auth_client, url, 25, django_assert_max_num_queries, most=most)
    assert small == large, f"{url}: {small} queries for 5 rows, {large} for 25"


def test_comments_and_members_lists_are_bounded(
    auth_client, world, other_user, django_assert_max_num_queries
):
    post = world[1]
    for n in range(ROWS):
        services.comment_create(author=other_user, post=post, text=f"more {n}")
    group = GroupFactory(name="Big band")
    for person in people("player", ROWS):
        MembershipFactory(group=group, user=person)
    for url in (f"/api/posts/{post.pk}/comments/", f"/api/groups/{group.slug}/members/"):
        small = count_queries(auth_client, url, 5, django_assert_max_num_queries, most=10)
        large = count_queries(auth_client, url, 25, django_assert_max_num_queries, most=10)
        assert small == large, url


def test_anonymous_lists_are_bounded_too(api_client, world, django_assert_max_num_queries):
    for url in ("/api/posts/", "/api/users/ben/posts/", "/api/search/?q=jazz", "/api/groups/"):
        small = count_queries(api_client, url, 5, django_assert_max_num_queries, most=10)
        large = count_queries(api_client, url, 25, django_assert_max_num_queries, most=10)
        assert small == large, url
