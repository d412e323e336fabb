"""Post text: everything a person types is escaped; only our own links are markup."""

import re

import pytest
from django.urls import reverse
from django.utils.safestring import SafeString

from social.text import hashtags_in, mentions_in, render_text


def tag_url(name):
    return reverse("social:hashtag", args=[name])


def profile_url(username):
    return reverse("social:profile", args=[username])


def anchors(html: str) -> list[str]:
    return re.findall(r"<a [^>]*>.*?</a>", html)


def tags(html: str) -> set[str]:
    """The names of every HTML tag in the output: only links and line breaks are allowed."""
    return {name.lower() for name in re.findall(r"<\s*/?\s*([a-zA-Z]+)", html)}


# --- finding hashtags and mentions -----------------------------------------------------


def test_hashtags_are_found_in_lower_case_once_each_in_order():
    assert hashtags_in("#Jazz, #blues! and #JAZZ again #café") == ["jazz", "blues", "café"]


def test_numbers_headings_and_entities_are_not_hashtags():
    assert hashtags_in("issue #42, a&#39;b, C#sharp, ##double") == []


def test_mentions_are_found_once_each_and_emails_are_not_mentions():
    assert mentions_in("@Ana and @ana, write to ben@example.com or @ab or @carl_9") == [
        "Ana",
        "carl_9",
    ]


# --- escaping --------------------------------------------------------------------------


def test_the_result_is_marked_safe_for_templates():
    assert isinstance(render_text("hello"), SafeString)


def test_a_script_tag_is_shown_as_text():
    html = render_text("<script>alert('x')</script>")
    assert html == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


def test_an_attribute_breaking_payload_is_shown_as_text():
    payload = '"><img src=x onerror=alert(1)>'
    html = render_text(payload)
    assert "<img" not in html and '"' not in html
    assert html == "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"


def test_ampersands_and_existing_entities_are_escaped_not_trusted():
    assert render_text("fish &amp; chips & <b>") == "fish &amp;amp; chips &amp; &lt;b&gt;"


def test_line_breaks_become_br_and_nothing_else_becomes_markup():
    html = render_text("one\ntwo <i>three</i>\n<svg onload=alert(1)>")
    assert html.count("<br>") == 2
    assert tags(html) == {"br"}


def test_a_payload_next_to_a_hashtag_stays_outside_the_link():
    html = render_text('#jazz"><script>alert(1)</script>')
    assert html.startswith(f'<a class="hashtag" href="{tag_url("jazz")}">#jazz</a>&quot;&gt;')
    assert tags(html) == {"a"}


def test_a_payload_next_to_a_mention_stays_outside_the_link():
    html = render_text("@ana'onmouseover='alert(1)")
    assert html == (
        f'<a class="mention" href="{profile_url("ana")}">@ana</a>&#x27;onmouseover=&#x27;alert(1)'
    )


def test_quotes_cannot_leave_a_web_address_attribute():
    html = render_text('https://evil.example/"onmouseover="alert(1)')
    [link] = anchors(html)
    assert 'href="https://evil.example/"' in link
    assert "onmouseover" not in link
    assert html.endswith("&quot;onmouseover=&quot;alert(1)")


def test_angle_brackets_and_quotes_cannot_enter_a_web_address():
    html = render_text("https://x.example/a<script>b'c")
    [link] = anchors(html)
    assert 'href="https://x.example/a"' in link
    assert tags(html) == {"a"}


def test_an_ampersand_in_a_web_address_is_escaped_inside_the_attribute():
    [link] = anchors(render_text("https://x.example/?a=1&b=2"))
    assert 'href="https://x.example/?a=1&amp;b=2"' in link


@pytest.mark.parametrize(
    "scheme", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x"]
)
def test_only_http_addresses_become_links(scheme):
    html = render_text(scheme)
    assert anchors(html) == [] and "<script" not in html


# --- links -----------------------------------------------------------------------------


def test_a_hashtag_links_to_its_page_in_lower_case_keeping_what_was_typed():
    assert render_text("I love #Jazz") == (
        f'I love <a class="hashtag" href="{tag_url("jazz")}">#Jazz</a>'
    )


def test_a_numeric_hashtag_is_left_as_text():
    assert render_text("issue #42") == "issue #42"


def test_a_mention_links_to_the_profile():
    assert render_text("hi @ana!") == f'hi <a class="mention" href="{profile_url("ana")}">@ana</a>!'


def test_only_known_people_are_linked_when_the_caller_knows_who_exists():
    html = render_text("@ana and @ghost", known_usernames={"ANA"})
    assert anchors(html) == [f'<a class="mention" href="{profile_url("ana")}">@ana</a>']
    assert html.endswith("and @ghost")


def test_an_email_address_is_not_a_mention():
    assert render_text("write to ben@example.com") == "write to ben@example.com"


def test_a_web_address_opens_safely_in_a_new_tab():
    assert render_text("see https://example.com/page") == (
        'see <a class="external" href="https://example.com/page" '
        'rel="nofollow noopener ugc" target="_blank">https://example.com/page</a>'
    )


def test_a_full_stop_after_a_web_address_is_not_part_of_it():
    html = render_text("Read https://example.com/a. Then https://example.com/b, too!")
    assert 'href="https://example.com/a"' in html and 'href="https://example.com/b"' in html
    assert html.endswith("</a>, too!")


def test_a_bracket_that_belongs_to_the_address_stays_in_it():
    html = render_text("(see https://en.wikipedia.org/wiki/Bebop_(music))")
    assert 'href="https://en.wikipedia.org/wiki/Bebop_(music)"' in html
    assert html.endswith("</a>)")


def test_a_hash_inside_a_web_address_is_not_a_hashtag():
    [link] = anchors(render_text("https://example.com/page#section"))
    assert 'href="https://example.com/page#section"' in link
    assert "hashtag" not in link


def test_hashtags_mentions_and_addresses_together():
    html = render_text("#jazz tonight with @ana at https://club.example <3")
    assert [a.split('"')[1] for a in anchors(html)] == ["hashtag", "mention", "external"]
    assert html.endswith("&lt;3")
