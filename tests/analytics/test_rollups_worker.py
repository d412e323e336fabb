"""The rollup tasks run in a real Celery worker, as beat would start them."""

import pytest
from django.utils import timezone

from analytics.models import DailyTotals, HourlyTotals
from events.models import Event, EventKind

pytestmark = pytest.mark.worker


def test_the_rollup_tasks_run_in_a_real_worker(celery_worker_process, transactional_db, user):
    from analytics.tasks import rollup_late, rollup_recent

    Event.objects.create(kind=EventKind.LIKE, user=user, post_id=1, created_at=timezone.now())
    assert rollup_recent.delay().get(timeout=60) >= 1
    assert HourlyTotals.objects.filter(events=1).count() == 1
    assert rollup_late.delay().get(timeout=120) >= 2
    assert DailyTotals.objects.filter(events=1).count() == 1
