"""The site's root "/", the home page, under the plain name "home" (LOGIN_REDIRECT_URL, the
navigation); feeds.home_urls has it again as "social:home"."""

from django.urls import path

from feeds import views_home

urlpatterns = [path("", views_home.home, name="home")]
