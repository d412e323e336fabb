"""Staff pages of the feeds app, included under /staff/models/."""

from django.urls import path

from feeds import staff_views

app_name = "feeds_staff"

urlpatterns = [
    path("", staff_views.models_page, name="models"),
    path("retrain/", staff_views.retrain_now, name="retrain"),
    path("<int:version_id>/activate/", staff_views.activate, name="activate"),
]
