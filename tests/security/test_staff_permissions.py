"""Finding 9: admin actions needed nothing beyond access to the change list; a view-only
staff member approved an ad. Every action now names the permission it needs."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from ads.models import Creative
from analytics.models import HourlyTotals
from feeds.models import ModelVersion
from tests.factories import CampaignFactory, UserFactory

VIEW_ONLY = [
    "ads.view_creative",
    "ads.view_campaign",
    "feeds.view_modelversion",
    "analytics.view_hourlytotals",
]


def _staff_with(*perms):
    person = UserFactory(is_staff=True)
    for perm in perms:
        app, codename = perm.split(".")
        person.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    return person


def _act(client, model: str, action: str, ids) -> None:
    client.post(
        reverse(f"admin:{model}_changelist"),
        {"action": action, "_selected_action": [str(pk) for pk in ids]},
    )


@pytest.fixture
def pending_ad(db):
    campaign = CampaignFactory(state="review", creative=False)
    return Creative.objects.create(
        campaign=campaign, headline="New", text="Ad", link="https://example.com/"
    )


@pytest.mark.parametrize(
    "perms, approved",
    [
        (VIEW_ONLY, False),
        ([*VIEW_ONLY, "ads.change_creative"], True),
    ],
)
def test_approving_an_ad_needs_the_change_permission(client, pending_ad, perms, approved):
    client.force_login(_staff_with(*perms))
    page = client.get(reverse("admin:ads_creative_changelist"))
    assert page.status_code == 200
    assert ('value="approve"' in page.text) is approved
    _act(client, "ads_creative", "approve", [pending_ad.pk])
    pending_ad.refresh_from_db()
    assert (pending_ad.review_state == Creative.Review.APPROVED) is approved


def test_a_view_only_staff_member_cannot_pause_reject_or_recompute(client, pending_ad):
    campaign = CampaignFactory(state="active")
    client.force_login(_staff_with(*VIEW_ONLY))
    _act(client, "ads_campaign", "pause_campaigns", [campaign.pk])
    campaign.refresh_from_db()
    assert campaign.state == "active"
    client.post(
        reverse("admin:ads_creative_changelist"),
        {"action": "reject", "_selected_action": [pending_ad.pk], "apply": "1", "reason": "no"},
    )
    pending_ad.refresh_from_db()
    assert pending_ad.review_state == Creative.Review.PENDING
    page = client.get(reverse("admin:analytics_hourlytotals_changelist"))
    assert page.status_code == 200
    assert 'value="recompute"' not in page.text
    assert not HourlyTotals.objects.exists()


@pytest.mark.parametrize("path", ["retrain", "activate"])
def test_model_actions_need_the_permission_to_change_model_versions(client, db, path):
    version = ModelVersion.objects.create(kind="feed_als", state=ModelVersion.State.READY)
    url = (
        reverse("feeds_staff:retrain")
        if path == "retrain"
        else reverse("feeds_staff:activate", args=[version.pk])
    )
    client.force_login(_staff_with(*VIEW_ONLY))
    page = client.get(reverse("feeds_staff:models"))
    assert page.status_code == 200
    assert "Retrain now" not in page.text
    assert client.post(url, {"kind": "feed_als"}).status_code == 403
    changelist = client.get(reverse("admin:feeds_modelversion_changelist"))
    assert 'value="activate_version"' not in changelist.text
    assert 'value="retrain_now"' not in changelist.text
    _act(client, "feeds_modelversion", "activate_version", [version.pk])
    version.refresh_from_db()
    assert version.state == ModelVersion.State.READY
    assert ModelVersion.objects.count() == 1

    client.force_login(_staff_with(*VIEW_ONLY, "feeds.change_modelversion"))
    assert "Retrain now" in client.get(reverse("feeds_staff:models")).text
    assert client.post(url, {"kind": "feed_als"}).status_code == 302
