"""The groups API: creating, joining and leaving, private groups and their requests."""

import pytest

from social.models import Group, Membership, Notification
from tests.factories import UserFactory
from tests.social.factories import GroupFactory, MembershipFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_group(user):
    return GroupFactory(owner=user, slug="inner-circle", name="Inner circle", privacy="private")


@pytest.fixture
def public_group(user):
    return GroupFactory(owner=user, slug="jazz", name="Jazz")


def test_create_a_group(auth_client, user):
    response = auth_client.post(
        "/api/groups/",
        {"name": "Night Owls", "description": "Late talk", "privacy": "private"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "night-owls" and body["privacy"] == "private"
    assert body["owner"]["username"] == "ana"
    assert body["member_count"] == 1 and body["viewer_state"] == "active"
    membership = Membership.objects.get(group__slug="night-owls")
    assert membership.user == user and membership.role == "owner"


def test_group_slugs_stay_unique(auth_client, public_group):
    response = auth_client.post("/api/groups/", {"name": "Jazz"}, format="json")
    assert response.json()["slug"] == "jazz-2"


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "n" * 81}, "name"),
        ({"name": "Ok", "privacy": "secret"}, "privacy"),
        ({"name": "Ok", "description": "d" * 501}, "description"),
    ],
)
def test_bad_groups_are_refused(auth_client, data, field):
    response = auth_client.post("/api/groups/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Group.objects.exists()


def test_creating_a_group_needs_a_sign_in(api_client):
    assert api_client.post("/api/groups/", {"name": "X"}, format="json").status_code == 401


def test_list_groups_largest_first_with_stable_pages(api_client):
    # Many groups of the same size: pages must neither repeat nor skip any of them.
    big = GroupFactory(name="Big")
    MembershipFactory(group=big)
    small = [GroupFactory(name=f"Small {n:02}") for n in range(7)]
    seen, url = [], "/api/groups/?page_size=3"
    while url:
        body = api_client.get(url).json()
        seen += [g["slug"] for g in body["results"]]
        url = body["next"]
    assert seen == [big.slug] + [g.slug for g in small]


def test_private_groups_are_listed_by_name(api_client, private_group):
    body = api_client.get("/api/groups/inner-circle/").json()
    assert body["name"] == "Inner circle" and body["viewer_state"] is None


def test_unknown_group_is_404(api_client):
    response = api_client.get("/api/groups/nope/")
    assert response.status_code == 404
    assert "There is no group" in response.json()["detail"]


# --- joining and leaving ---------------------------------------------------------------


def test_join_and_leave_a_public_group(other_client, public_group):
    response = other_client.post("/api/groups/jazz/membership/")
    assert response.status_code == 201
    assert response.json()["viewer_state"] == "active" and response.json()["member_count"] == 2
    assert other_client.post("/api/groups/jazz/membership/").status_code == 200
    left = other_client.delete("/api/groups/jazz/membership/")
    assert left.status_code == 200
    assert left.json()["viewer_state"] is None and left.json()["member_count"] == 1


def test_membership_needs_a_sign_in(api_client, public_group):
    assert api_client.post("/api/groups/jazz/membership/").status_code == 401
    assert api_client.delete("/api/groups/jazz/membership/").status_code == 401


def test_the_owner_cannot_leave(auth_client, public_group):
    response = auth_client.delete("/api/groups/jazz/membership/")
    assert response.status_code == 400
    assert "owner cannot leave" in str(response.json())


def test_asking_to_join_a_private_group(other_client, other_user, user, private_group):
    response = other_client.post("/api/groups/inner-circle/membership/")
    assert response.status_code == 201
    assert response.json()["viewer_state"] == "pending" and response.json()["member_count"] == 1
    assert Notification.objects.filter(verb="group_request", recipient=user).exists()
    # A pending request shows nothing inside.
    assert other_client.get("/api/groups/inner-circle/posts/").status_code == 403
    withdrawn = other_client.delete("/api/groups/inner-circle/membership/")
    assert withdrawn.json()["viewer_state"] is None


# --- requests --------------------------------------------------------------------------


def test_the_owner_sees_and_approves_requests(auth_client, other_client, other_user, user):
    GroupFactory(owner=user, slug="club", privacy="private")
    other_client.post("/api/groups/club/membership/")
    pending = auth_client.get("/api/groups/club/requests/").json()["results"]
    assert [r["user"]["username"] for r in pending] == ["ben"]
    response = auth_client.post("/api/groups/club/requests/ben/", {"approve": True}, format="json")
    assert response.status_code == 200
    assert response.json() == {"username": "ben", "approved": True, "member_count": 2}
    assert other_client.get("/api/groups/club/").json()["viewer_state"] == "active"
    assert other_client.get("/api/groups/club/posts/").status_code == 200
    assert Notification.objects.filter(verb="group_approved", recipient=other_user).exists()


def test_rejecting_a_request(auth_client, other_client, private_group):
    other_client.post("/api/groups/inner-circle/membership/")
    response = auth_client.post(
        "/api/groups/inner-circle/requests/ben/", {"approve": False}, format="json"
    )
    assert response.json()["approved"] is False
    assert not Membership.objects.filter(user__username="ben").exists()


@pytest.mark.parametrize("who, expected", [("anonymous", 401), ("member", 403), ("staff", 200)])
def test_who_may_decide_requests(
    who, expected, private_group, client_for, api_client, staff_user, other_client
):
    member = UserFactory(username="carla")
    MembershipFactory(group=private_group, user=member)
    other_client.post("/api/groups/inner-circle/membership/")
    client = {
        "anonymous": api_client,
        "member": client_for(member),
        "staff": client_for(staff_user),
    }[who]
    listed = client.get("/api/groups/inner-circle/requests/")
    assert listed.status_code == expected
    response = client.post(
        "/api/groups/inner-circle/requests/ben/", {"approve": True}, format="json"
    )
    assert response.status_code == expected
    state = Membership.objects.get(user__username="ben").state
    assert state == ("active" if expected == 200 else "pending")


def test_a_moderator_may_decide(private_group, client_for, other_client):
    moderator = UserFactory(username="mod")
    MembershipFactory(group=private_group, user=moderator, role="moderator")
    other_client.post("/api/groups/inner-circle/membership/")
    response = client_for(moderator).post(
        "/api/groups/inner-circle/requests/ben/", {"approve": True}, format="json"
    )
    assert response.status_code == 200


def test_deciding_without_a_request_or_a_choice(auth_client, other_client, private_group):
    missing = auth_client.post(
        "/api/groups/inner-circle/requests/ben/", {"approve": True}, format="json"
    )
    assert missing.status_code == 404 and "has not asked" in missing.json()["detail"]
    other_client.post("/api/groups/inner-circle/membership/")
    no_choice = auth_client.post("/api/groups/inner-circle/requests/ben/", {}, format="json")
    assert no_choice.status_code == 400 and "approve" in no_choice.json()
    bad_choice = auth_client.post(
        "/api/groups/inner-circle/requests/ben/", {"approve": "perhaps"}, format="json"
    )
    assert bad_choice.status_code == 400


# --- inside a group --------------------------------------------------------------------


def test_group_posts_and_members(api_client, public_group, other_user):
    MembershipFactory(group=public_group, user=other_user)
    post = PostFactory(author=other_user, group=public_group)
    PostFactory(author=other_user)  # not in the group
    posts = api_client.get("/api/groups/jazz/posts/").json()["results"]
    assert [p["id"] for p in posts] == [post.pk]
    assert posts[0]["group"] == {"slug": "jazz", "name": "Jazz"}
    members = api_client.get("/api/groups/jazz/members/").json()["results"]
    assert [(m["user"]["username"], m["role"]) for m in members] == [
        ("ben", "member"),
        ("ana", "owner"),
    ]


def test_a_private_group_shows_its_inside_to_members_only(
    api_client, auth_client, other_client, staff_client, private_group, user
):
    PostFactory(author=user, group=private_group, text="members only")
    for client in (api_client, other_client, staff_client):
        for part in ("posts", "members"):
            response = client.get(f"/api/groups/inner-circle/{part}/")
            assert response.status_code == 403
            assert "private" in response.json()["detail"]
    assert len(auth_client.get("/api/groups/inner-circle/posts/").json()["results"]) == 1
