"""Transactional tests start from a migrated database, data migrations' rows included."""

import pytest
from django_celery_beat.models import PeriodicTask

from feeds.models import FeedArm


@pytest.mark.parametrize("run", [1, 2])
@pytest.mark.django_db(transaction=True)
def test_every_transactional_test_sees_the_default_arms_and_schedules(run):
    # the first run's teardown empties every table; the second must still see them
    assert set(FeedArm.objects.values_list("name", flat=True)) >= {
        "chronological", "personalised", "personalised-diverse",
    }  # fmt: skip
    assert PeriodicTask.objects.filter(task__startswith="feeds.").exists()
    FeedArm.objects.all().delete()  # and what a test removes comes back for the next
