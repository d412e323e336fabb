"""A day of a Mastodon client on Flywheel, through Mastodon.py (as published on PyPI)
against the live server: register an app, sign in with the authorization-code flow, post
with an image, read home, favourite, boost, reply, follow, read notifications, search,
page through home with max_id to the end, revoke the token and be refused."""

import pytest
import requests
from mastodon import Mastodon, MastodonUnauthorizedError

from events.models import Event, EventKind
from tests.factories import UserFactory, api_token
from tests.mastodon_api.helpers import png_bytes, sign_in_with_code

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(db):
    return UserFactory(username="ana"), UserFactory(username="ben")


def test_a_day_with_mastodon_py(live_server, people):
    ana_user, ben_user = people
    base = live_server.url
    ana = sign_in_with_code(base, "ana")
    # Ben uses a token of the native API: one token system serves both APIs.
    ben = Mastodon(access_token=api_token(ben_user), api_base_url=base)

    me = ana.account_verify_credentials()
    assert me.username == "ana" and str(me.id) == str(ana_user.pk)

    # Post with an image.
    media = ana.media_post(png_bytes(), mime_type="image/png", description="red")
    mine = ana.status_post("Morning #coffee", media_ids=[media])
    assert mine.media_attachments[0].type == "image"
    image = requests.get(mine.media_attachments[0].url)
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/png"
    assert [tag.name for tag in mine.tags] == ["coffee"]

    # Follow Ben, read home: his post is there, with why it was placed.
    his = ben.status_post("Jazz tonight #music")
    relationship = ana.account_follow(ben_user.pk)
    assert relationship.following is True
    home = ana.timeline_home()
    by_id = {status.id: status for status in home}
    assert his.id in by_id and mine.id in by_id
    assert by_id[his.id].flywheel.reason
    served = Event.objects.filter(user=ana_user, kind=EventKind.IMPRESSION, surface="api")
    assert served.filter(post_id=int(his.id)).exists()
    assert not served.filter(post_id=int(mine.id)).exists()  # one's own posts are not counted

    # Favourite, boost, reply.
    assert ana.status_favourite(his).favourited is True
    assert ana.status_reblog(his).reblogged is True
    reply = ana.status_reply(his, "See you there")
    assert reply.in_reply_to_id == his.id
    thread = ben.status_context(his)
    assert [status.id for status in thread.descendants] == [reply.id]
    assert ben.status(his).favourites_count == 1

    # Ben's notifications: the follow, the favourite, the boost and the reply.
    kinds = {note.type for note in ben.notifications()}
    assert {"follow", "favourite", "reblog", "mention"} <= kinds

    # Search.
    found = ana.search_v2("coffee")
    assert mine.id in [status.id for status in found.statuses]
    assert "ben" in [account.acct for account in ana.search_v2("ben").accounts]

    # Page through home with max_id until the end: every new post once, over several pages.
    fresh = []
    for n in range(6):
        author = UserFactory(username=f"writer{n}")
        ana.account_follow(author.pk)
        writer = Mastodon(access_token=api_token(author), api_base_url=base)
        fresh += [writer.status_post(f"Note {n}.{k}").id for k in range(2)]
    seen = []
    page = ana.timeline_home(limit=5)
    while page:
        seen += [status.id for status in page]
        page = ana.fetch_next(page)
    assert len(seen) == len(set(seen))
    assert set(fresh) <= set(seen)
    assert len(seen) > 10  # three pages at least

    # Revoke: the token stops working.
    token = ana.access_token
    ana.revoke_access_token(allow_http=True)
    with pytest.raises(MastodonUnauthorizedError):
        Mastodon(access_token=token, api_base_url=base).account_verify_credentials()
