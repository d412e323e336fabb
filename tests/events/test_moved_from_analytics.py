"""The event log moved from analytics to events without copying a row or rebuilding its table.

The database is taken back to where main stood before the move (analytics 0008, no events
app; every other app at its leaf), events are written through that state's historical model,
and the database is migrated forward: the same rows, with the same ids, are read through
`events.models.Event`, the table is the same table, and the content type (with the admin's
history and the permissions granted on it) and the prune schedule came along.
"""

from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from events.models import Event, EventKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE_THE_MOVE = [("analytics", "0008_following_impressions"), ("events", None)]  # + the rest
PRUNE_SCHEDULE = "Prune raw events past retention"


def migrate(targets=()):
    """Migrate to `targets`, every other app to its latest migration; the state it leaves."""
    executor = MigrationExecutor(connection)
    named = {app for app, _ in targets}
    leaves = [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] not in named]
    executor.migrate([*leaves, *targets])
    ContentType.objects.clear_cache()  # ids cached under the old app label are stale now
    applied = [*leaves, *(target for target in targets if target[1] is not None)]
    return MigrationExecutor(connection).loader.project_state(applied).apps


def table_identity():
    """The table's identity in the catalogue: a rebuilt table would have another one."""
    if connection.vendor != "postgresql":
        return "analytics_event" in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'analytics_event'::regclass::oid")
        return cursor.fetchone()[0]


@pytest.fixture
def before_the_move():
    """The historical models of main before the move; migrates to the latest afterwards, so
    the next test finds the schema it expects even if this one failed halfway."""
    try:
        yield migrate(BEFORE_THE_MOVE)
    finally:
        migrate()


def test_the_rows_stay_in_their_table_and_move_app(before_the_move):
    old_apps = before_the_move
    with pytest.raises(LookupError):
        old_apps.get_app_config("events")
    person, staff = UserFactory(username="ana"), UserFactory(username="staffer", is_staff=True)
    table = table_identity()
    old_events = old_apps.get_model("analytics", "Event")
    at = timezone.now() - timedelta(hours=1)
    written = [
        old_events.objects.create(kind=EventKind.LIKE, user_id=person.pk, post_id=7, created_at=at),
        old_events.objects.create(
            kind=EventKind.IMPRESSION,
            user_id=person.pk,
            post_id=8,
            surface="following",
            position=2,
            arm="personalised",
            model_version=3,
            client_key="k1",
            created_at=at,
        ),
        old_events.objects.create(kind=EventKind.SIGNUP, created_at=at),
    ]
    rows = sorted(old_events.objects.values_list("id", "kind", "user_id", "post_id", "client_key"))
    assert [row[0] for row in rows] == sorted(event.pk for event in written)

    # What main held about the log besides its rows: its content type (and the permissions
    # and admin history on it) and the prune schedule under analytics' task name.
    old_types = old_apps.get_model("contenttypes", "ContentType")
    content_type = old_types.objects.get_or_create(app_label="analytics", model="event")[0]
    assert not old_types.objects.filter(app_label="events", model="event").exists()
    view = old_apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="view_event", defaults={"name": "Can view event"}
    )[0]
    old_apps.get_model("accounts", "User").objects.get(pk=staff.pk).user_permissions.add(view)
    old_apps.get_model("admin", "LogEntry").objects.create(
        user_id=staff.pk, content_type=content_type, object_id=str(written[0].pk),
        object_repr="a like", action_flag=ADDITION, action_time=at,
    )  # fmt: skip
    old_apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name=PRUNE_SCHEDULE
    ).update(task="analytics.prune_events")

    migrate()

    assert (
        sorted(Event.objects.values_list("id", "kind", "user_id", "post_id", "client_key")) == rows
    )
    assert table_identity() == table
    impression = Event.objects.get(client_key="k1")
    assert (impression.surface, impression.arm, impression.model_version) == (
        "following", "personalised", 3,
    )  # fmt: skip
    newer = Event.objects.create(kind=EventKind.LOGIN, user=person, created_at=timezone.now())
    assert newer.pk > max(row[0] for row in rows)  # the table's id sequence carried on

    moved = ContentType.objects.get(pk=content_type.pk)
    assert (moved.app_label, moved.model) == ("events", "event")
    assert ContentType.objects.get_for_model(Event) == moved
    assert Permission.objects.get(pk=view.pk).content_type == moved
    assert type(staff).objects.get(pk=staff.pk).has_perm("events.view_event")
    assert moved.logentry_set.get().object_repr == "a like"

    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.get(name=PRUNE_SCHEDULE).task == "events.prune_events"
