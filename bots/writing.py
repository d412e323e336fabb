"""What bots write: names, bios, posts and comments from their topics' vocabulary, and a
generated avatar. Every function takes a seeded `random.Random`, so a world is reproducible."""

import colorsys
import hashlib
import io
import random
from dataclasses import dataclass

FIRST_NAMES = [
    "Ada", "Amara", "Ana", "Arjun", "Aya", "Ben", "Bruno", "Camila", "Chen", "Chloe", "Dara",
    "Diego", "Elif", "Emeka", "Emma", "Farah", "Felix", "Grace", "Hana", "Hugo", "Ines", "Ivan",
    "Jae", "Jonas", "Kai", "Kemi", "Lars", "Leila", "Lena", "Luca", "Maya", "Mateo", "Mei",
    "Miguel", "Nadia", "Nia", "Noah", "Olga", "Omar", "Priya", "Quinn", "Rafael", "Rin", "Rosa",
    "Sam", "Sara", "Sofia", "Tariq", "Theo", "Uma", "Vera", "Wei", "Yara", "Yusuf", "Zoe", "Zain",
]  # fmt: skip
LAST_NAMES = [
    "Abara", "Alvarez", "Andersen", "Bakker", "Banerjee", "Costa", "Dubois", "Eze", "Fischer",
    "Garcia", "Haddad", "Hansen", "Ito", "Jensen", "Kim", "Kowalski", "Larsen", "Lima", "Lopez",
    "Mensah", "Moreau", "Nakamura", "Novak", "Nguyen", "Okafor", "Oliveira", "Park", "Patel",
    "Petrov", "Quispe", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Sato", "Tanaka",
    "Torres", "Ueda", "Varga", "Wang", "Weber", "Yilmaz", "Zhang", "Zielinski",
]  # fmt: skip

BIO_OPENERS = ["Mostly here for", "Posting about", "Obsessed with", "Talking", "Weekend nerd for"]
BIO_CLOSERS = ["Views my own.", "Always learning.", "Say hi!", "", "Coffee first.", "He/him.",
               "She/her.", "They/them.", "Slow replies."]  # fmt: skip

POST_TEMPLATES = [
    "Just {did}. {Feel} is the only word. #{tag}",
    "{Thing} was {feel} today. #{tag}",
    "Anyone else obsessed with {thing}? Looking for tips on {thing2}. #{tag}",
    "Hot take: {thing} is more {feel} than {thing2}. #{tag}",
    "Today I {did}, and {thing} was {feel}. #{tag}",
    "Can't stop thinking about {thing}. So {feel}. #{tag}",
    "Small win: {did}! #{tag} #{alt}",
    "Question for the #{tag} people: {thing} or {thing2}?",
    "Finally {did}. {Thing2} next. #{tag}",
    "Nothing beats {thing} on a {feel} day. #{alt}",
]
MIXED_ENDINGS = [" Also {did}. #{tag}", " Meanwhile: {thing}, very {feel}. #{tag}"]
COMMENT_TEMPLATES = [
    "So {feel}!", "Love {thing}.", "This is great, {thing} is underrated.",
    "Same here, I {did} last week.", "Great post!", "Saving this.", "{Feel}! Thanks for sharing.",
    "Ha, {thing} gets me every time.", "Agree completely.", "Tell me more about {thing}?",
]  # fmt: skip


@dataclass(frozen=True)
class TopicWords:
    """The words of one topic, as stored on bots.Topic (hashtags + vocabulary)."""

    hashtags: list[str]
    things: list[str]
    did: list[str]
    feel: list[str]

    @classmethod
    def of(cls, topic) -> "TopicWords":
        words = topic.vocabulary
        return cls(topic.hashtags, words["things"], words["did"], words["feel"])


def _fill(template: str, words: TopicWords, rng: random.Random) -> str:
    thing, thing2 = rng.sample(words.things, 2)
    feel = rng.choice(words.feel)
    tags = words.hashtags
    tag = tags[0] if rng.random() < 0.7 else rng.choice(tags)
    others = [other for other in tags if other != tag]
    values = {
        "did": rng.choice(words.did),
        "thing": thing,
        "thing2": thing2,
        "Thing": thing[:1].upper() + thing[1:],
        "Thing2": thing2[:1].upper() + thing2[1:],
        "feel": feel,
        "Feel": feel.capitalize(),
        "tag": tag,
        "alt": rng.choice(others or tags),  # never "#espresso #espresso"
    }
    return template.format(**values)


def post_text(main: TopicWords, rng: random.Random, *, second: TopicWords | None = None) -> str:
    """A short post about `main` (and a little about `second`, for a mixed post)."""
    text = _fill(rng.choice(POST_TEMPLATES), main, rng)
    if second is not None:
        text += _fill(rng.choice(MIXED_ENDINGS), second, rng)
    return text[:500]


def comment_text(words: TopicWords, rng: random.Random) -> str:
    return _fill(rng.choice(COMMENT_TEMPLATES), words, rng)


def person_name(rng: random.Random) -> tuple[str, str]:
    """(display name, username stem): 'Mei Okafor', 'mei_okafor'."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return f"{first} {last}", f"{first}_{last}".lower()


def bio(top_topics: list[TopicWords], rng: random.Random) -> str:
    tags = [f"#{words.hashtags[0]}" for words in top_topics[:3]]
    listed = tags[0] if len(tags) == 1 else f"{', '.join(tags[:-1])} and {tags[-1]}"
    return f"{rng.choice(BIO_OPENERS)} {listed}. {rng.choice(BIO_CLOSERS)}".strip()[:300]


def avatar_png(seed: str, *, size: int = 96) -> bytes:
    """A symmetric 5 x 5 identicon in a colour derived from `seed`, as PNG bytes."""
    from PIL import Image, ImageDraw

    digest = hashlib.sha256(seed.encode()).digest()
    hue = digest[0] / 255
    red, green, blue = (int(c * 255) for c in colorsys.hls_to_rgb(hue, 0.55, 0.55))
    image = Image.new("RGB", (size, size), (245, 243, 238))
    draw = ImageDraw.Draw(image)
    cell = size // 6
    margin = (size - 5 * cell) // 2
    for row in range(5):
        for column in range(3):
            if digest[1 + row * 3 + column] % 2:
                for x in {column, 4 - column}:
                    left, top = margin + x * cell, margin + row * cell
                    draw.rectangle([left, top, left + cell - 1, top + cell - 1], (red, green, blue))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
