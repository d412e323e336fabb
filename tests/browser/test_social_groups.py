"""Joining groups and posting in them; a private group's owner deciding a request."""

from playwright.sync_api import expect

from social.models import Group, Membership, Post
from tests.social.factories import GroupFactory, PostFactory


def test_join_a_public_group_and_post_in_it(page, sign_in, user, other_user, base_url):
    group = GroupFactory(name="Sourdough Club", slug="sourdough", owner=other_user)
    PostFactory(author=other_user, group=group, text="Feed your starter twice a day")
    sign_in(user)
    page.goto("/groups/")
    page.get_by_role("link", name="Sourdough Club").click()

    expect(page).to_have_url(f"{base_url}/groups/sourdough/")
    expect(page.get_by_role("heading", name="Sourdough Club")).to_be_visible()
    expect(page.get_by_text("Feed your starter twice a day")).to_be_visible()
    header = page.locator(".group-header")
    expect(header.locator(".group-join__count")).to_have_text("1 member")
    expect(page.get_by_label("Post in Sourdough Club")).to_have_count(0)

    header.get_by_role("button", name="Join").click()
    expect(header.get_by_role("button", name="Member")).to_have_attribute("aria-pressed", "true")
    expect(header.locator(".group-join__count")).to_have_text("2 members")
    expect(page.locator("#group-member-total")).to_have_text("2")
    assert Membership.objects.get(group=group, user=user).state == Membership.State.ACTIVE

    # Now a member, Ana can write in the group straight away.
    page.get_by_label("Post in Sourdough Club").fill("My first loaf came out flat")
    page.get_by_role("button", name="Post in group").click()
    posts = page.get_by_role("region", name="Posts in Sourdough Club").locator("article.post")
    expect(posts.first).to_contain_text("My first loaf came out flat")
    expect(posts.first.locator(".post__group")).to_have_text("Sourdough Club")
    expect(posts).to_have_count(2)
    assert Post.objects.get(text="My first loaf came out flat").group == group

    # Her home lists the group and its posts.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page.get_by_role("complementary", name="You and your groups")).to_contain_text(
        "Sourdough Club"
    )
    expect(page.get_by_text("Feed your starter twice a day")).to_be_visible()


def test_a_private_group_lets_a_member_in_after_the_owner_approves(
    page, sign_in, page_as, user, other_user
):
    group = GroupFactory(
        name="Night Shift", slug="night-shift", owner=user, privacy=Group.Privacy.PRIVATE
    )
    PostFactory(author=user, group=group, text="Members only: the rota for May")

    ben = page_as(other_user)
    ben.goto("/groups/night-shift/")
    expect(ben.get_by_text("This group is private.")).to_be_visible()
    expect(ben.get_by_text("Members only: the rota for May")).to_have_count(0)
    ben.get_by_role("button", name="Ask to join").click()
    expect(ben.get_by_role("button", name="Requested")).to_be_visible()
    assert Membership.objects.get(group=group, user=other_user).state == "pending"
    ben.reload()
    expect(ben.get_by_text("Your request to join is waiting for a moderator.")).to_be_visible()
    expect(ben.get_by_text("Members only: the rota for May")).to_have_count(0)

    # Ana, the owner, sees the request on the group page and approves it.
    sign_in(user)
    page.goto("/groups/night-shift/")
    requests = page.locator("#requests")
    expect(requests.locator(".request")).to_have_count(1)
    expect(requests).to_contain_text("@ben")
    expect(requests.get_by_text("No one is waiting.")).to_be_hidden()
    requests.get_by_role("button", name="Approve @ben").click()
    expect(requests.locator(".request")).to_have_count(0)
    expect(requests.get_by_text("No one is waiting.")).to_be_visible()
    assert Membership.objects.get(group=group, user=other_user).state == "active"

    ben.reload()
    expect(ben.get_by_text("Members only: the rota for May")).to_be_visible()
    expect(ben.get_by_role("button", name="Member")).to_be_visible()
    expect(ben.get_by_label("Post in Night Shift")).to_be_visible()
    ben.goto("/notifications/")
    expect(ben.locator(".notification").first).to_contain_text("Night Shift")


def test_join_from_the_list_then_leave_from_the_group_page(page, sign_in, user, other_user):
    group = GroupFactory(name="Chess Corner", slug="chess", owner=other_user)
    sign_in(user)
    page.goto("/groups/")
    card = page.locator(".group-card", has_text="Chess Corner")
    expect(card).to_contain_text("1 member")
    card.get_by_role("button", name="Join").click()
    expect(card.get_by_role("button", name="Member")).to_be_visible()
    expect(card.locator(".group-join__count")).to_have_count(0)  # the card stays compact

    card.get_by_role("link", name="Chess Corner").click()
    expect(page.get_by_label("Post in Chess Corner")).to_be_visible()
    empty = page.get_by_role("region", name="Posts in Chess Corner").locator(".empty")
    expect(empty).to_contain_text("Start the conversation with the box above.")
    page.locator(".group-header").get_by_role("button", name="Member").click()
    expect(page.locator(".group-header").get_by_role("button", name="Join")).to_be_visible()
    expect(page.get_by_label("Post in Chess Corner")).to_have_count(0)
    expect(empty).to_contain_text("Join the group to write the first post.")
    expect(page.locator("#group-member-total")).to_have_text("1")
    assert not Membership.objects.filter(group=group, user=user).exists()


def test_leaving_a_private_group_hides_its_posts_at_once(page, sign_in, user, other_user):
    group = GroupFactory(
        name="Inner Circle", slug="inner", owner=other_user, privacy=Group.Privacy.PRIVATE
    )
    Membership.objects.create(group=group, user=user, state=Membership.State.ACTIVE)
    PostFactory(author=other_user, group=group, text="Only for the circle")
    sign_in(user)
    page.goto("/groups/inner/")
    expect(page.get_by_text("Only for the circle")).to_be_visible()

    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(".group-header").get_by_role("button", name="Member").click()
    expect(page.get_by_text("This group is private.")).to_be_visible()
    expect(page.get_by_text("Only for the circle")).to_have_count(0)
    expect(page.locator(".group-header").get_by_role("button", name="Ask to join")).to_be_visible()
