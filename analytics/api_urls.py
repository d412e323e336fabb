from django.urls import path

from analytics import api_dashboards

urlpatterns = [
    path(
        "analytics/flywheel/",
        api_dashboards.FlywheelAPIView.as_view(),
        name="api-analytics-flywheel",
    ),
    *[
        path(f"analytics/{name}/", view.as_view(), name=f"api-analytics-{name}")
        for name, view in api_dashboards.REPORT_VIEWS.items()
    ],
]
