from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event, EventKind
from events.services import events_prune

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


def test_the_prune_runs_on_a_schedule_staff_can_edit():
    from django_celery_beat.models import PeriodicTask

    schedule = PeriodicTask.objects.get(task="events.prune_events")
    assert schedule.enabled and schedule.interval.every == 24


def test_the_prune_task_runs_in_a_real_worker(celery_worker_process, transactional_db, user):
    from datetime import timedelta

    from django.utils import timezone

    from events.tasks import prune_events

    Event.objects.create(
        kind=EventKind.LIKE, user=user, post_id=1, created_at=timezone.now() - timedelta(days=400)
    )
    assert prune_events.delay().get(timeout=30) == 1
    assert not Event.objects.exists()
