"""What *For you* uses for one person, in plain words, for the settings page.

The personalised-feed switch must say what it changes for this person: their experiment arm
decides the order of *For you*, and switching personalisation off gives a non-profiled order
(feeds.warm) whatever the arm. The words are true by construction: each sentence is chosen by
the same facts (arm, follows, interests) the feed itself reads.
"""

from dataclasses import dataclass, field

from feeds import warm
from feeds.candidate_pool import interests_of
from feeds.experiments import Assignment, Strategy, assign
from social.models import Comment, Like, Share


@dataclass
class ForYouSummary:
    arm: str
    personalised: bool
    lines: list[str] = field(default_factory=list)


def _tags(words: list[str]) -> str:
    return ", ".join(f"#{word}" for word in words[:5])


def for_you_summary(user) -> ForYouSummary:
    assignment: Assignment = assign(user)
    warming = warm.needs_warm_start(user)
    interests = interests_of(user)
    if not user.personalised_feed:
        lines = [
            "Personalisation is off: For you lists posts from people you follow and your "
            "groups, newest first. Nothing you do or told us is used to choose or order them."
        ]
        if warming:
            lines.append(
                "While you follow few people and groups, it also shows the week's most liked "
                "posts, the same for everyone."
            )
        return ForYouSummary(assignment.arm, personalised=False, lines=lines)
    if not assignment.is_ranked:
        lines = [
            "You are in the experiment's comparison group: For you lists posts from people "
            "you follow and your groups, newest first, not ranked by a model."
        ]
        if warming:
            about = f"about your interests ({_tags(interests)}) and " if interests else ""
            lines.append(
                f"While you follow few people and groups, it also shows posts {about}the "
                "week's most liked posts. Turning personalisation off stops using your "
                "interests."
            )
        else:
            lines.append(
                "Turning personalisation off changes nothing you would see today; it keeps "
                "your interests and activity out of For you for good."
            )
        return ForYouSummary(assignment.arm, personalised=True, lines=lines)
    known = (
        Like.objects.filter(user=user).count()
        + Share.objects.filter(user=user).count()
        + Comment.objects.filter(author=user).count()
    )
    lines = [
        "For you is ranked for you by the feed model, from what you like, share, comment on "
        "and read, and whom you follow."
        + (
            " It also mixes in topics you see less of."
            if assignment.strategy == Strategy.DIVERSE
            else ""
        )
    ]
    if known:
        lines.append(f"So far it has learned from {known} of your likes, shares and comments.")
    else:
        lines.append("It does not know you yet: you have not liked, shared or commented.")
    if warming:
        about = f"posts about your interests ({_tags(interests)}) and " if interests else ""
        lines.append(f"Until it does, it starts you with {about}the week's most liked posts.")
    lines.append(
        "Turn personalisation off for a non-profiled order: newest first from people you "
        "follow, with nothing about you used."
    )
    return ForYouSummary(assignment.arm, personalised=True, lines=lines)
