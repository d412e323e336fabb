"""Arms that plug into the home-feed experiment from outside feeds.

The experiment's own arms are `FeedArm` rows, ranked by feeds (feeds.experiments,
feeds.ranking). A plugged arm is code instead: an app above feeds registers it from its
`AppConfig.ready`, with two callables,

- `members(user) -> bool`: whether this person is in the arm. It is asked before the
  experiment's weighted draw, after the person's own switch (someone who turned the
  personalised feed off is never in a plugged arm), so its members are taken out of the
  experiment's arms;
- `ranker(viewer, *, now=None, visible=None) -> feeds.ranking.RankedFeed`: the person's feed,
  best first, with the arguments of feeds.home_ranking.rank_home (`visible` is
  social.selectors.visible_posts(viewer) when the caller already has it, else None). Its
  items go into the snapshot like any ranked feed's, labelled with the arm's name.

When the app is not installed its arm is simply absent: the people who would have been in it
are assigned by the experiment's rules like everyone else. The simulation's `ideal` arm is
one (bots/apps.py), so the site never imports the simulation.
"""

from collections.abc import Callable
from dataclasses import dataclass

from feeds.models import FeedArm


@dataclass(frozen=True)
class PluggedArm:
    name: str
    ranker: Callable
    members: Callable


_ARMS: dict[str, PluggedArm] = {}


def register_arm(name: str, *, ranker: Callable, members: Callable) -> PluggedArm:
    """Add an arm; registering the same name again replaces it (ready() may run twice)."""
    if name in FeedArm.Strategy.values:
        raise ValueError(f"{name!r} is one of the experiment's own strategies")
    arm = PluggedArm(name=name, ranker=ranker, members=members)
    _ARMS[name] = arm
    return arm


def unregister_arm(name: str) -> None:
    _ARMS.pop(name, None)


def registered_arms() -> list[PluggedArm]:
    return list(_ARMS.values())


def plugged_arm_of(user) -> PluggedArm | None:
    """The first registered arm that counts this person as a member, if any."""
    for arm in _ARMS.values():
        if arm.members(user):
            return arm
    return None


def ranker_for(strategy: str) -> Callable | None:
    """The ranker of the plugged arm of this name (a plugged arm's strategy is its name)."""
    arm = _ARMS.get(strategy)
    return arm.ranker if arm else None
