from django.urls import path

from events import api

urlpatterns = [
    path("events/", api.EventBatchAPIView.as_view(), name="api-events"),
]
