"""Post text: finding #hashtags and @mentions, and rendering them as links, escaped."""

import re

from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

HASHTAG_RE = re.compile(r"(?<![\w&#])#(\w{1,64})", re.UNICODE)
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{3,30})\b")
URL_RE = re.compile(r"\bhttps?://[^\s<>\"']{2,200}")
TOKEN_RE = re.compile(f"{URL_RE.pattern}|{HASHTAG_RE.pattern}|{MENTION_RE.pattern}", re.UNICODE)


def hashtags_in(text: str) -> list[str]:
    seen: list[str] = []
    for name in HASHTAG_RE.findall(text):
        name = name.lower()
        if name not in seen and not name.isdigit():
            seen.append(name)
    return seen


def mentions_in(text: str) -> list[str]:
    seen: list[str] = []
    for name in MENTION_RE.findall(text):
        if name.lower() not in (s.lower() for s in seen):
            seen.append(name)
    return seen


def render_text(text: str, known_usernames: set[str] | None = None) -> SafeString:
    """Escape the text, then turn hashtags, mentions and web addresses into links.

    Everything the author typed goes through `escape`; only our own markup is trusted.
    A mention becomes a link only for people who exist, when `known_usernames` is given.
    """
    known = {u.lower() for u in known_usernames} if known_usernames is not None else None
    parts: list[str] = []
    last = 0
    for match in TOKEN_RE.finditer(text):
        parts.append(escape(text[last : match.start()]))
        token, trailing = match.group(0), ""
        if match.group(1) is None and match.group(2) is None:
            token, trailing = _split_trailing_punctuation(token)
        parts.append(_link_for(token, match, known))
        parts.append(escape(trailing))
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))


def _split_trailing_punctuation(url: str) -> tuple[str, str]:
    """A full stop after an address ends the sentence, not the address; a closing bracket
    stays in the address only when it closes one opened inside it (Wikipedia titles)."""
    end = len(url)
    while end > 0:
        head, last = url[:end], url[end - 1]
        unbalanced_bracket = last == ")" and head.count("(") < head.count(")")
        if last not in ".,;:!?*" and not unbalanced_bracket:
            break
        end -= 1
    return url[:end], url[end:]


def _url(name: str, arg: str) -> str | None:
    """The page's address, or None when the page cannot take this name (left as text)."""
    try:
        return escape(reverse(name, args=[arg]))
    except NoReverseMatch:
        return None


def _link_for(token: str, match, known) -> str:
    hashtag, mention = match.group(1), match.group(2)
    if hashtag is not None:
        url = None if hashtag.isdigit() else _url("social:hashtag", hashtag.lower())
        if url is None:
            return escape(token)
        return f'<a class="hashtag" href="{url}">#{escape(hashtag)}</a>'
    if mention is not None:
        if known is not None and mention.lower() not in known:
            return escape(token)
        url = _url("social:profile", mention)
        if url is None:
            return escape(token)
        return f'<a class="mention" href="{url}">@{escape(mention)}</a>'
    return (
        f'<a class="external" href="{escape(token)}" rel="nofollow noopener ugc" '
        f'target="_blank">{escape(token)}</a>'
    )
