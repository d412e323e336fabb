from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import Event, EventKind
from analytics.services import events_prune

pytestmark = pytest.mark.django_db


def test_events_past_retention_are_pruned(user, settings):
    settings.EVENT_RETENTION_DAYS = 30
    now = timezone.now()
    old = Event.objects.create(
        kind=EventKind.LIKE, user=user, post_id=1, created_at=now - timedelta(days=31)
    )
    recent = Event.objects.create(
        kind=EventKind.LIKE, user=user, post_id=1, created_at=now - timedelta(days=29)
    )
    assert events_prune() == 1
    assert list(Event.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Event.objects.filter(pk=old.pk).exists()
