"""The ads API under /api/ads/ (included by flywheel.urls' api_urlpatterns)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from ads import api

router = SimpleRouter()
router.register("ads/campaigns", api.CampaignViewSet, basename="api-ads-campaign")
router.register("ads/creatives", api.CreativeViewSet, basename="api-ads-creative")

urlpatterns = [
    path("ads/advertiser/", api.AdvertiserView.as_view(), name="api-ads-advertiser"),
    path(
        "ads/advertisers/<int:advertiser_id>/hide/",
        api.HideAdvertiserView.as_view(),
        name="api-ads-hide",
    ),
    *router.urls,
]
