"""Staff pages of the analytics app, included under /staff/."""

from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("flywheel/", views.flywheel_page, name="flywheel"),
    path("analytics/", views.index_page, name="index"),
    *[
        path(f"analytics/{name}/", views.report_page, {"name": name}, name=name)
        for name in views.PAGES
    ],
]
