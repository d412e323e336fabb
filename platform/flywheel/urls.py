from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from flywheel import api, media, views
from mastodon_api import urls as mastodon
from social import urls as social_urls

# Django tries routes in order, each regex in turn: the busiest endpoints (the home timeline,
# the beacons) come first, so the most frequent requests do not walk every other route.
api_urlpatterns = [
    path("", include("feeds.api_urls")),
    path("", include("events.api_urls")),
    path("", include("accounts.api_urls")),
    path("", include("social.api_urls")),
    path("", include("analytics.api_urls")),
    path("", include("ads.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^.*$", api.no_such_endpoint),  # last: everything else under /api/
]

# Social's namespace holds its own pages and the home page's tabs, which feeds serves (it
# ranks the home; social, below it, cannot name its views): "social:home" stays "social:home".
social_pages = [path("", include("feeds.home_urls")), *social_urls.urlpatterns]

urlpatterns = [
    path("", include("feeds.root_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's): the logo.
    path("favicon.ico", views.favicon, name="favicon"),
    # The APIs before the pages: a page's routes (all under "") would otherwise be tried,
    # one regex each, on every API request. Mastodon's client API (docs/mastodon.md) comes
    # before the native API's catch-all.
    path("api/v1/", include(mastodon.api_v1)),
    path("api/v2/", include(mastodon.api_v2)),
    path("api/", include(api_urlpatterns)),
    path("oauth/", include(mastodon.oauth)),
    path(".well-known/", include(mastodon.well_known)),
    path("accounts/", include("accounts.urls")),
    path("", include((social_pages, social_urls.app_name))),
    path("admin/", admin.site.urls),
    path("staff/models/", include("feeds.urls")),
    path("ads/", include("ads.urls")),
    path("staff/", include("analytics.urls")),
    # Uploaded media, with access control (flywheel/media.py); read through the storage API.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media.serve, name="media"),
]

admin.site.site_header = "Flywheel staff console"
admin.site.site_title = "Flywheel staff"
admin.site.index_title = "Run the flywheel"
