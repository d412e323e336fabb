"""A post keeps its text rendered as HTML (social.text_html): written with the post, read
with a page's rows, rendered again only where it is missing or from an older renderer,
never over an edit, and without links to people who have gone."""

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.privacy import account_delete
from social import cards, services, text_html
from social.models import Post
from social.text import render_text
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def shown(viewer, posts) -> tuple[dict[int, str], int]:
    """The html a page of cards shows for these posts, and how many statements it ran."""
    with CaptureQueriesContext(connection) as queries:
        rows = list(cards.card_rows(viewer, [post.pk for post in posts]).values())
        html = text_html.html_of(rows)
    return html, len(queries)


READ_ONLY = 1  # the rows; rendering adds the mentions and the write


def test_a_post_is_rendered_when_written_and_a_page_only_reads_it():
    ana, ben = UserFactory(username="ana"), UserFactory(username="ben")
    post = services.post_create(author=ana, text="hi @ben #tea <b>")
    kept = Post.objects.get(pk=post.pk)
    assert kept.text_html_version == text_html.RENDER_VERSION
    assert kept.text_html == str(render_text("hi @ben #tea <b>", {"ben", "ana"}))
    assert 'href="/@ben"' in kept.text_html and 'href="/tags/tea/"' in kept.text_html
    assert "&lt;b&gt;" in kept.text_html  # escaped, as rendered on the fly

    html, statements = shown(ben, [post])
    assert html == {post.pk: kept.text_html}
    assert statements == READ_ONLY


def test_an_edit_keeps_the_new_text_rendered():
    ana = UserFactory(username="ana")
    post = services.post_create(author=ana, text="before #old")
    services.post_update(user=ana, post=post, text="after #new")
    html, _ = shown(ana, [post])
    assert "/tags/new/" in html[post.pk] and "old" not in html[post.pk]


@pytest.mark.parametrize("stale", [None, text_html.RENDER_VERSION - 1])
def test_a_post_without_a_current_rendering_is_rendered_once_when_shown(stale):
    ana, ben = UserFactory(username="ana"), UserFactory(username="ben")
    post = services.post_create(author=ana, text="hello @ben")
    expected = Post.objects.get(pk=post.pk).text_html
    # written in bulk by SQL, or by an older renderer
    Post.objects.filter(pk=post.pk).update(text_html="old markup", text_html_version=stale)

    html, statements = shown(ben, [post])
    assert html == {post.pk: expected} and 'href="/@ben"' in expected
    assert statements == READ_ONLY + 2
    assert Post.objects.get(pk=post.pk).text_html == expected  # kept
    again, statements = shown(ben, [post])
    assert again == html and statements == READ_ONLY


def test_a_rendering_made_before_an_edit_never_overwrites_it():
    ana = UserFactory(username="ana")
    post = services.post_create(author=ana, text="first")
    Post.objects.filter(pk=post.pk).update(text_html_version=None)
    rows = list(cards.card_rows(ana, [post.pk]).values())  # read before the edit...
    services.post_update(user=ana, post=post, text="second #words")
    text_html.html_of(rows)  # ...rendered and kept after it
    kept = Post.objects.get(pk=post.pk)
    assert kept.text == "second #words" and "/tags/words/" in kept.text_html


def test_links_to_a_deleted_account_go_with_it():
    ana, ben = UserFactory(username="ana"), UserFactory(username="bennet")
    post = services.post_create(author=ana, text="thanks @bennet")
    html, _ = shown(ana, [post])
    assert 'href="/@bennet"' in html[post.pk]
    account_delete(user=ben, password=DEFAULT_PASSWORD)
    html, _ = shown(ana, [post])
    assert html[post.pk] == "thanks @bennet"


def test_posts_written_in_bulk_are_rendered_ahead_in_batches():
    ana = UserFactory(username="ana")
    posts = [services.post_create(author=ana, text=f"#n{n} by @ana") for n in range(5)]
    expected = {post.pk: Post.objects.get(pk=post.pk).text_html for post in posts}
    Post.objects.update(text_html=None, text_html_version=None)
    assert text_html.render_missing(batch=2) == 5
    kept = dict(Post.objects.values_list("pk", "text_html"))
    assert kept == expected
    assert text_html.render_missing(batch=2) == 0


@pytest.mark.django_db(transaction=True)
def test_a_post_another_writer_holds_is_shown_rendered_without_waiting():
    ana = UserFactory(username="ana")
    post = services.post_create(author=ana, text="#tea time")
    Post.objects.filter(pk=post.pk).update(text_html_version=None)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '2s'")  # waiting for the row would fail the page
    try:
        with psycopg.connect(**connection.get_connection_params()) as other:
            other.execute("SELECT 1 FROM social_post WHERE id = %s FOR UPDATE", [post.pk])
            html, _ = shown(ana, [post])
            assert 'href="/tags/tea/"' in html[post.pk]
            assert Post.objects.get(pk=post.pk).text_html_version is None  # left to its holder
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    shown(ana, [post])
    assert Post.objects.get(pk=post.pk).text_html_version == text_html.RENDER_VERSION
