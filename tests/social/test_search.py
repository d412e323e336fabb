"""Search: full-text ranking on PostgreSQL through the GIN index, people, hashtags and groups,
privacy of every result, and the plain LIKE fallback used on SQLite."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.db import connection

from social import search, services
from tests.social.helpers import (
    add_member,
    fast_password_hashing,  # noqa: F401
    group_of,
    ids,
    person,
    post_by,
)

pytestmark = pytest.mark.django_db
ON_POSTGRES = connection.vendor == "postgresql"
ROOT = Path(django_settings.BASE_DIR)


@pytest.fixture
def author(db):
    return person("author", display_name="Ada Writer")


# --- posts: full text on PostgreSQL --------------------------------------------------------


def test_search_runs_on_postgresql_in_this_suite():
    """The suite runs on PostgreSQL (CI and `make test`); full-text search is tested there."""
    assert ON_POSTGRES, "run the tests with DATABASE_URL pointing at PostgreSQL"


def test_words_are_matched_by_their_stem(author):
    post = post_by(author, "The runners were running late")
    post_by(author, "Something else entirely")
    assert ids(search.search_posts(None, "run")) == [post.pk]


def test_more_relevant_posts_rank_first(author):
    passing = post_by(author, "jazz is mentioned once among many other words here")
    central = post_by(author, "jazz jazz jazz: jazz all night")
    post_by(author, "nothing to see")
    assert ids(search.search_posts(None, "jazz")) == [central.pk, passing.pk]


def test_equally_relevant_posts_come_newest_first(author):
    older, newer = post_by(author, "quiet evening"), post_by(author, "quiet evening")
    assert ids(search.search_posts(None, "quiet")) == [newer.pk, older.pk]


def test_the_query_understands_phrases_and_exclusions(author):
    both = post_by(author, "cool jazz and hot blues")
    jazz_only = post_by(author, "cool jazz forever")
    assert ids(search.search_posts(None, "jazz -blues")) == [jazz_only.pk]
    assert ids(search.search_posts(None, '"hot blues"')) == [both.pk]


def test_a_query_of_only_stop_words_or_symbols_finds_nothing_and_does_not_fail(author):
    post_by(author, "the and of")
    for query in ("the", "&|!():*", "'", "#", "@"):
        assert list(search.search_posts(None, query)) == []


def test_a_hashtag_query_lists_that_hashtags_posts(author):
    tagged = post_by(author, "tonight #Bebop")
    post_by(author, "bebop without the tag")
    assert ids(search.search_posts(None, "#bebop")) == [tagged.pk]


def test_a_hashtag_among_words_is_searched_as_a_word(author):
    post = post_by(author, "a #jazz night downtown")
    post_by(author, "#jazz all day")
    assert ids(search.search_posts(None, "#jazz night")) == [post.pk]


def test_the_full_text_query_uses_the_gin_index(author):
    for n in range(30):
        post_by(author, f"filler post number {n}")
    post_by(author, "saxophone solo")
    viewer = person()
    queryset = search.search_posts(viewer, "saxophone")
    with connection.cursor() as cursor:
        # On a table this small any index walked end to end costs about as little as the GIN
        # index, so the planner's pick depends on statistics other tests leave behind. With
        # sequential and plain index scans off, only a bitmap scan on an index whose expression
        # matches the query remains cheap: the plan names the GIN index only if it is usable.
        cursor.execute("ANALYZE social_post, accounts_user, social_group")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "social_post_text_search" in plan, plan


def test_the_gin_index_exists_on_the_same_expression_the_query_uses():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'social_post_text_search'"
        )
        [(definition,)] = cursor.fetchall()
    assert "gin" in definition.lower()
    assert "to_tsvector('english'::regconfig, text)" in definition


# --- privacy of post results -----------------------------------------------------------


def test_private_group_posts_are_found_only_by_members(author):
    club = group_of(author, private=True)
    member, outsider = person(), person()
    add_member(club, member)
    secret = post_by(author, "secret saxophone plans #sax", group=club)
    for query in ("saxophone", "#sax"):
        assert ids(search.search_posts(member, query)) == [secret.pk]
        assert list(search.search_posts(outsider, query)) == []
        assert list(search.search_posts(None, query)) == []


def test_hidden_posts_and_suspended_authors_are_not_found(author, staff_user):
    hidden = post_by(author, "saxophone one")
    services.post_hide(staff=staff_user, post=hidden)
    suspended = person()
    post_by(suspended, "saxophone two")
    services.account_suspend(staff=staff_user, person=suspended)
    assert list(search.search_posts(person(), "saxophone")) == []


def test_a_blocked_person_does_not_find_the_blockers_posts(author):
    blocked = person()
    post_by(author, "saxophone")
    services.block_create(blocker=author, blocked=blocked)
    assert list(search.search_posts(blocked, "saxophone")) == []


# --- people ----------------------------------------------------------------------------


def test_people_are_found_by_username_or_display_name(author):
    person("bob", display_name="Robert Writer")
    person("carol", display_name="Carol Singer")
    assert [p.username for p in search.search_people(None, "writer")] == ["author", "bob"]
    assert [p.username for p in search.search_people(None, "@CAR")] == ["carol"]


def test_people_search_leaves_out_suspended_and_blocking_people(author, staff_user):
    searcher, suspended = person("searcher"), person("writer_suspended")
    services.block_create(blocker=author, blocked=searcher)
    services.account_suspend(staff=staff_user, person=suspended)
    assert list(search.search_people(searcher, "writer")) == []


def test_people_results_say_whether_the_searcher_follows_them(author):
    searcher = person()
    services.follow_create(follower=searcher, followee=author)
    [found] = search.search_people(searcher, "author")
    assert found.viewer_follows is True


# --- hashtags --------------------------------------------------------------------------


def test_hashtags_are_found_by_prefix_most_used_first(author):
    post_by(author, "#jazzfunk")
    post_by(author, "#jazz #jazzfunk")
    post_by(author, "#jazz")
    post_by(author, "#jazz")
    found = search.search_hashtags("#JAZ")
    assert [(t.name, t.post_count) for t in found] == [("jazz", 3), ("jazzfunk", 2)]


def test_hashtags_used_only_in_private_groups_or_hidden_posts_are_not_revealed(author, staff_user):
    post_by(author, "#secretclub", group=group_of(author, private=True))
    services.post_hide(staff=staff_user, post=post_by(author, "#secretspam"))
    post_by(author, "#secretpublic")
    assert [t.name for t in search.search_hashtags("secret")] == ["secretpublic"]


# --- groups ----------------------------------------------------------------------------


def test_groups_are_found_by_name_or_description_private_ones_included(author):
    services.group_create(owner=author, name="Bebop lovers", description="Bird and Diz")
    services.group_create(
        owner=author, name="Quiet room", description="All about bebop", privacy="private"
    )
    group_of(author, "Knitting")
    assert [g.name for g in search.search_groups(None, "bebop")] == ["Bebop lovers", "Quiet room"]


# --- all at once -----------------------------------------------------------------------


def test_search_all_answers_every_kind_at_once(author):
    post_by(author, "ada writes about #ada")
    services.group_create(owner=author, name="Ada fans")
    found = search.search_all(None, "  ada  ")
    assert found["query"] == "ada"
    assert len(found["posts"]) == 1
    assert [p.username for p in found["people"]] == ["author"]
    assert [t.name for t in found["hashtags"]] == ["ada"]
    assert [g.name for g in found["groups"]] == ["Ada fans"]


def test_an_empty_query_finds_nothing():
    assert search.search_all(None, "   ") == {
        "query": "",
        "posts": [],
        "people": [],
        "hashtags": [],
        "groups": [],
    }


def test_a_long_query_is_cut_to_the_limit():
    assert len(search.clean_query("word " * 100)) == search.MAX_QUERY_LENGTH


# --- the SQLite fallback ---------------------------------------------------------------


def test_the_fallback_matches_substrings_newest_first(author, monkeypatch):
    """The branch taken on SQLite, run here against PostgreSQL: a plain case-insensitive
    substring match (full-text search would not match a fragment of a word)."""
    older = post_by(author, "A JAZZ night")
    newer = post_by(author, "pizzazz")
    post_by(author, "blues")
    monkeypatch.setattr(search, "connection", SimpleNamespace(vendor="sqlite"))
    assert ids(search.search_posts(None, "azz")) == [newer.pk, older.pk]


def test_the_fallback_treats_like_wildcards_as_plain_characters(author, monkeypatch):
    literal = post_by(author, "100% sure")
    post_by(author, "100 percent")
    monkeypatch.setattr(search, "connection", SimpleNamespace(vendor="sqlite"))
    assert ids(search.search_posts(None, "0%")) == [literal.pk]
    assert list(search.search_posts(None, "_")) == []


SQLITE_SCRIPT = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    call_command("migrate", verbosity=0)
    from accounts.models import User
    from social import search, services
    ana = User.objects.create(username="ana")
    old = services.post_create(author=ana, text="A JAZZ night")
    new = services.post_create(author=ana, text="pizzazz")
    services.post_create(author=ana, text="blues")
    found = search.search_all(None, "azz")
    print(json.dumps({
        "vendor": connection.vendor,
        "found": [p.pk for p in found["posts"]],
        "expected": [new.pk, old.pk],
        "sql": str(search.search_posts(None, "azz").query),
    }))
    """
)


def test_the_fallback_really_runs_on_sqlite(tmp_path):
    """A separate process with no DATABASE_URL runs on the embedded SQLite database, as
    `make run` does on a fresh machine, and searches it with LIKE."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL")}
    env.update(
        FLYWHEEL_VAR_DIR=str(tmp_path),
        CELERY_BROKER_URL="filesystem://",
        DJANGO_SETTINGS_MODULE="flywheel.settings",
    )
    done = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["vendor"] == "sqlite"
    assert result["found"] == result["expected"]
    assert "LIKE" in result["sql"] and "tsvector" not in result["sql"]
