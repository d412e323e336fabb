"""The broker goes away: actions succeed, nothing committed is lost, and what could not be
sent is sent once the broker is back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feeds import registry
from feeds.models import ModelVersion
from tests.faults.services import redis_list_length

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
