"""The advertiser console and ad clicks, included under /ads/ (namespace "ads")."""

from django.urls import path

from ads import views

app_name = "ads"

urlpatterns = [
    path("", views.console, name="console"),
    path("advertiser/", views.advertiser_edit, name="advertiser_edit"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    *(
        path(f"campaigns/<int:pk>/{action}/", views.campaign_state, {"action": action}, name=action)
        for action in views.STATE_ACTIONS
    ),
    path("campaigns/<int:pk>/ads/new/", views.creative_create, name="creative_create"),
    path("creatives/<int:pk>/edit/", views.creative_edit, name="creative_edit"),
    path("click/<str:token>/", views.click, name="click"),
    path("hide/<int:advertiser_id>/", views.hide, name="hide"),
    path("unhide/<int:advertiser_id>/", views.unhide, name="unhide"),
    path("hidden/", views.hidden, name="hidden"),
]
