"""Writes the simulation makes to its own ground truth while the driver runs.

The bots use the site only through its HTTP API; these records are the simulator's
bookkeeping beside it: what a bot's new post is really about, how satisfied a bot is after a
session (and whether boredom made it leave), and that an account that just signed up through
the API is one of the bots.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from bots.models import BotProfile, PostTruth


def post_truth_record(*, post_id: int, topics: dict[int, float], quality: float) -> PostTruth:
    main = max(topics, key=topics.get)
    truth, _ = PostTruth.objects.update_or_create(
        post_id=post_id,
        defaults={"topics": topics, "main_topic": int(main), "quality": round(quality, 4)},
    )
    return truth


def session_record(
    *, user_id: int, satisfaction: float, sessions: int, churned: bool, token: str
) -> None:
    """After a session: the bot's satisfaction, its count, churn, and the token its app keeps
    for the next run (blank after the site refused it)."""
    now = timezone.now()
    changes = {
        "satisfaction": satisfaction,
        "sessions": sessions,
        "last_session_at": now,
        "api_token": token,
    }
    if churned:
        changes["churned_at"] = now
    BotProfile.objects.filter(user_id=user_id).update(**changes)


def token_forget(*, user_id: int) -> None:
    """The site refused the bot's kept token: its app forgets it now, so a run that ends
    before the bot's next session does not hand the next run a token known to be dead."""
    BotProfile.objects.filter(user_id=user_id).update(api_token="")


@transaction.atomic
def signed_up_bot_register(*, user_id: int, profile: dict, token: str) -> BotProfile:
    """An account made through the sign-up API becomes a bot: flagged, with its truth and the
    token its sign-up gave."""
    User.objects.filter(pk=user_id).update(is_bot=True)
    return BotProfile.objects.create(
        user_id=user_id, origin=BotProfile.Origin.SIGNUP, api_token=token, **profile
    )
