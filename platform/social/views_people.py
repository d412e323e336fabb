"""Profiles and what one person can do to another: follow, mute, block."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from social import selectors, services
from social.page_queries import followers_for_page, following_for_page, with_mentions
from social.paging import cursor_page
from social.views_common import (
    done,
    error_response,
    handles_errors,
    items_or_page,
    login_required,
    wants_fragment,
)


def _profile_context(request, person) -> dict:
    return {
        "person": person,
        "rel": selectors.relationship(request.user, person),
        "stats": selectors.profile_stats(person, viewer=request.user),
        "is_me": request.user.is_authenticated and request.user.pk == person.pk,
    }


@require_GET
@handles_errors
def profile(request, username):
    person = selectors.user_by_username(request.user, username)
    page = cursor_page(request, with_mentions(selectors.profile_activity(request.user, person)))
    context = {"person": person} if wants_fragment(request) else _profile_context(request, person)
    context["tab"] = "posts"
    return items_or_page(
        request,
        page,
        items_template="social/_post_list.html",
        page_template="social/profile.html",
        context=context,
    )


def _people_tab(request, username, *, tab, query):
    person = selectors.user_by_username(request.user, username)
    people, ordering = query(request.user, person)
    page = cursor_page(request, people, ordering=ordering)
    context = {"person": person} if wants_fragment(request) else _profile_context(request, person)
    context["tab"] = tab
    return items_or_page(
        request,
        page,
        items_template="social/_person_list.html",
        page_template="social/profile_people.html",
        context=context,
    )


@require_GET
@handles_errors
def followers(request, username):
    return _people_tab(request, username, tab="followers", query=followers_for_page)


@require_GET
@handles_errors
def following(request, username):
    return _people_tab(request, username, tab="following", query=following_for_page)


@require_GET
def profile_by_path(request, username):
    """/u/<username>/ is an alias of /@<username>."""
    return redirect("social:profile", username=username, permanent=True)


# --- follow, mute, block ---------------------------------------------------------------

ACTIONS = {
    # name: (service, keyword names of the two people, message after a plain form post)
    "follow": (services.follow_create, ("follower", "followee"), "You follow @{}."),
    "unfollow": (services.follow_delete, ("follower", "followee"), "You unfollowed @{}."),
    "mute": (
        services.mute_create,
        ("muter", "muted"),
        "@{} is muted: their posts stay off your home.",
    ),
    "unmute": (services.mute_delete, ("muter", "muted"), "@{} is no longer muted."),
    "block": (services.block_create, ("blocker", "blocked"), "@{} is blocked."),
    "unblock": (services.block_delete, ("blocker", "blocked"), "@{} is unblocked."),
}


def _relationship_action(request, username, name):
    service, (me, them), message = ACTIONS[name]
    person = selectors.user_by_username(request.user, username)
    try:
        service(**{me: request.user, them: person})
    except ValidationError as error:
        return error_response(request, 400, " ".join(error.messages))
    if request.htmx:
        if request.POST.get("variant") == "button":  # a follow button in a list of people
            person.viewer_follows = selectors.relationship(request.user, person)["following"]
            return render(request, "social/_follow_button.html", {"person": person})
        context = _profile_context(request, person)
        return render(request, "social/_profile_actions.html", {**context, "oob_stats": True})
    back = reverse("social:profile", args=[person.username])
    return done(request, back, message.format(person.username))


def _make_action(name):
    @require_POST
    @login_required
    @handles_errors
    def view(request, username):
        return _relationship_action(request, username, name)

    view.__name__ = name
    view.__doc__ = f"POST: {name} a person (htmx swaps the buttons; otherwise back to the page)."
    return view


follow = _make_action("follow")
unfollow = _make_action("unfollow")
mute = _make_action("mute")
unmute = _make_action("unmute")
block = _make_action("block")
unblock = _make_action("unblock")
