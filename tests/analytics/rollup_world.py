"""A small world with numbers worked out by hand, for the rollup and dashboard tests.

Day D is 2026-01-10 (UTC). Hour 12:
  ana posts p1 (#jazz #blues) at 12:00 and p2 (#jazz) at 12:05;
  cy (personalised arm) sees p1 and p2 placed by model v7 at 12:10 and 12:11, likes p1 at
  12:12 and dwells 3 s at 12:13;
  dee (chronological arm) sees p1 at 12:20.
Hour 13:
  ben posts p3 (#rock) at 13:00; dee sees p3 at 13:05 and clicks it at 13:06;
  eve signs up at 13:30; cy follows ana at 13:40.
Ten days before D, fay was active (she has churned since).
"""

from datetime import UTC, datetime, timedelta

from events.models import Event, EventKind
from social.models import Hashtag, Post
from tests.factories import UserFactory

DAY = datetime(2026, 1, 10, tzinfo=UTC)
HOUR_12 = DAY + timedelta(hours=12)
HOUR_13 = DAY + timedelta(hours=13)
EVENING = DAY + timedelta(hours=23)  # "now" for the tests: the day is still today


def at(hour: int, minute: int) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


def log(user, kind, when, **fields):
    return Event.objects.create(user=user, kind=kind, created_at=when, **fields)


def post(author, text, tags, when):
    created = Post.objects.create(author=author, text=text)
    created.hashtags.set([Hashtag.objects.get_or_create(name=tag)[0] for tag in tags])
    Post.objects.filter(pk=created.pk).update(created_at=when)
    log(author, EventKind.POST, when, post_id=created.pk)
    return created


def build_world() -> dict:
    people = {
        name: UserFactory(username=name) for name in ("ana", "ben", "cy", "dee", "eve", "fay")
    }
    ana, ben, cy, dee, eve, fay = people.values()
    p1 = post(ana, "first #jazz #blues", ["jazz", "blues"], at(12, 0))
    p2 = post(ana, "second #jazz", ["jazz"], at(12, 5))
    shown_by_model = {"arm": "personalised", "model_version": 7, "surface": "home"}
    log(cy, EventKind.IMPRESSION, at(12, 10), post_id=p1.pk, **shown_by_model)
    log(cy, EventKind.IMPRESSION, at(12, 11), post_id=p2.pk, **shown_by_model)
    log(cy, EventKind.LIKE, at(12, 12), post_id=p1.pk)
    log(cy, EventKind.DWELL, at(12, 13), post_id=p1.pk, dwell_ms=3000)
    log(dee, EventKind.IMPRESSION, at(12, 20), post_id=p1.pk, arm="chronological")
    p3 = post(ben, "hello #rock", ["rock"], at(13, 0))
    log(dee, EventKind.IMPRESSION, at(13, 5), post_id=p3.pk, arm="chronological")
    log(dee, EventKind.CLICK, at(13, 6), post_id=p3.pk)
    log(eve, EventKind.SIGNUP, at(13, 30))
    log(cy, EventKind.FOLLOW, at(13, 40), target_user_id=ana.pk)
    log(fay, EventKind.LOGIN, DAY - timedelta(days=10))
    fay.personalised_feed = False
    fay.save(update_fields=["personalised_feed"])
    eve.personalised_ads = False
    eve.save(update_fields=["personalised_ads"])
    return {**people, "p1": p1, "p2": p2, "p3": p3}
