"""How a bot reacts to what it is shown: the probabilities of the simulation, in one place.

Every formula works on plain floats and on numpy arrays alike, so the seeded history (bulk,
vectorised) and the live driver (one post at a time) behave by exactly the same rules.

- True utility of a post for a bot: its taste (a distribution over topics) against the post's
  topic mix, scaled so the bot's favourite topic counts 1, times the post's quality
  (bots.truth).
- Attention falls with position: the bot looks at the item at position i (0 first) with
  probability ``position_decay ** i`` (at least ATTENTION_FLOOR); otherwise it scrolls past.
  Every item scrolled to is an impression.
- Interest: a post looked at is read with probability ``min(1, NOTICE_BASE + u)``: people stop
  for what interests them. Only a read post has a dwell (its reading time); one scrolled past
  has an impression alone.
- Noise: each look perceives utility times a log-normal factor (mean 1, NOISE_SIGMA).
- A read post is liked with probability ``like_rate x u``, shared with ``share_rate x u**2``,
  commented on with ``comment_rate x u``, opened with ``click_rate x u``; the author of a
  liked post is followed with ``follow_rate x u``. A seen ad is clicked with
  ``ad_click_rate x u(ad topics)``.
- Dwell: a read post holds the bot READ_MS plus up to PER_UTILITY_MS more for a good post.
- Boredom: satisfaction is a moving average of the utility of what a bot looked at; below
  BORED_AT the bot comes back less often (by (satisfaction / BORED_AT)**2), and when that
  falls under CHURN_BELOW after a few sessions, it stops coming (churn).
"""

import math

import numpy as np

ATTENTION_FLOOR = 0.05
NOISE_SIGMA = 0.35
NOTICE_BASE = 0.1
READ_MS, PER_UTILITY_MS = 2000, 9000
MAX_PROBABILITY = 0.95
SATISFACTION_MEMORY = 0.7  # weight of the past in the moving average
BORED_AT = 0.2
CHURN_BELOW = 0.1
CHURN_AFTER_SESSIONS = 4


def attention(position, decay):
    return np.maximum(np.power(decay, position), ATTENTION_FLOOR)


def read_probability(utility):
    """The chance a post looked at is read, from its perceived utility."""
    return np.minimum(1.0, NOTICE_BASE + np.asarray(utility, dtype=float))


def perceived(utility, normal_draw):
    """Utility as perceived in one reading: times exp(N(0, s) - s²/2), whose mean is 1."""
    return utility * np.exp(NOISE_SIGMA * normal_draw - NOISE_SIGMA**2 / 2)


def _capped(value):
    return np.clip(value, 0.0, MAX_PROBABILITY)


def like_probability(utility, like_rate):
    return _capped(like_rate * utility)


def share_probability(utility, share_rate):
    return _capped(share_rate * np.square(utility))


def comment_probability(utility, comment_rate):
    return _capped(comment_rate * utility)


def click_probability(utility, click_rate):
    return _capped(click_rate * utility)


def follow_probability(utility, follow_rate):
    return _capped(follow_rate * utility)


def read_dwell_ms(utility, uniform_draw):
    """How long a read post holds the bot: longer for better posts, with some spread."""
    spread = 0.6 + 0.8 * np.asarray(uniform_draw, dtype=float)
    return np.asarray(READ_MS + PER_UTILITY_MS * np.minimum(utility, 1.5) * spread).astype(int)


def updated_satisfaction(satisfaction: float, session_utility: float | None) -> float:
    """The moving average after a session whose posts looked at had this mean utility (None
    when it looked at nothing, which counts as a dull session)."""
    value = 0.0 if session_utility is None else session_utility
    return SATISFACTION_MEMORY * satisfaction + (1 - SATISFACTION_MEMORY) * value


def return_multiplier(satisfaction: float) -> float:
    """How much of its usual activity a bot keeps: 1 when content satisfies it, less when bored."""
    return min(1.0, (max(satisfaction, 0.0) / BORED_AT) ** 2)


def has_churned(satisfaction: float, sessions: int) -> bool:
    return sessions >= CHURN_AFTER_SESSIONS and return_multiplier(satisfaction) < CHURN_BELOW


def next_session_delay_days(activity: float, satisfaction: float, uniform_draw: float) -> float:
    """Time to the bot's next session: exponential, at its activity scaled by boredom."""
    rate = max(activity * return_multiplier(satisfaction), 1e-6)
    return -math.log(max(1.0 - uniform_draw, 1e-12)) / rate
