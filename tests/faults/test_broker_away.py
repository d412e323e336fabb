"""The broker goes away: actions succeed, nothing committed is lost, and what could not be
sent is sent once the broker is back."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from feeds import registry
from feeds.models import ModelVersion
from tests.faults.services import BeatProcess, pings_waiting, redis_list_length, wait_until
from tests.worker import worker_environment

pytestmark = pytest.mark.django_db

State = ModelVersion.State


def test_a_training_queued_while_the_broker_is_away_is_sent_when_it_is_back(
    own_broker, client, staff_user, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    own_broker.stop()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/staff/models/retrain/", follow=True)
    assert answer.status_code == 200
    assert "is queued for training" in answer.content.decode()
    version = ModelVersion.objects.get()
    assert version.state == State.QUEUED  # committed: the record that a training is owed

    own_broker.start()
    later = timezone.now() + registry.RESEND_AFTER + timedelta(seconds=1)
    assert registry.resend_unsent(now=timezone.now()) == []  # too young: maybe still in flight
    assert registry.resend_unsent(now=later) == [version.pk]
    assert redis_list_length(own_broker, "training") == 1
    # Its message now waits in the queue: no second one.
    assert registry.resend_unsent(now=later) == []
    assert redis_list_length(own_broker, "training") == 1


def test_a_training_queued_with_the_broker_up_is_sent_once(
    own_broker, client, staff_user, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/staff/models/retrain/")
    assert redis_list_length(own_broker, "training") == 1
    later = timezone.now() + registry.RESEND_AFTER + timedelta(seconds=1)
    assert registry.resend_unsent(now=later) == []


@pytest.mark.django_db(transaction=True)
def test_beat_sends_periodic_work_again_once_the_broker_is_back(own_broker, tmp_path):
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.update(enabled=False)  # only ours, so the queue says what beat did
    PeriodicTask.objects.create(name="ping", task="flywheel.ping", interval=every_second)
    env = {**worker_environment(), "CELERY_BROKER_URL": f"{own_broker.url}/0"}
    beat = BeatProcess(tmp_path, env).start()
    try:
        wait_until(lambda: pings_waiting(own_broker) >= 1, "a first ping")
        own_broker.stop()
        time.sleep(3)  # beat's sends fail meanwhile
        own_broker.start()  # empty: what was queued before is gone with it
        wait_until(lambda: pings_waiting(own_broker) >= 2, "pings after the broker's return")
        assert beat.running()  # the same beat, which never stopped
    finally:
        beat.stop()
