"""The home page's tabs. Feeds serves them, but they keep social's URL names
("social:home", "social:following_feed"): flywheel.urls mounts this module inside social's
namespace, since social, below feeds, cannot name feeds' views. The site's root "/" is also
named plain "home" (feeds.root_urls)."""

from django.urls import path

from feeds import views_home

urlpatterns = [
    path("", views_home.home, name="home"),
    path("following/", views_home.following, name="following_feed"),
]
