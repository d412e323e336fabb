"""Pages and actions around posts: explore, hashtags, a post with its comments, and
writing, editing, liking, sharing and commenting."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from flywheel.errors import NotFound
from flywheel.forms import add_validation_error
from social import selectors, services, surfaces
from social.forms import CommentForm, PostEditForm, PostForm, ShareForm
from social.models import Comment
from social.page_queries import post_for_page, with_mentions
from social.paging import cursor_page
from social.views_common import (
    back_url,
    done,
    handles_errors,
    items_or_page,
    login_required,
    wants_fragment,
)

# --- lists -----------------------------------------------------------------------------


@require_GET
@handles_errors
def explore(request):
    page = cursor_page(request, with_mentions(selectors.explore_posts(request.user)))
    context = {}
    if not wants_fragment(request):
        context["popular_groups"] = list(selectors.groups_list(request.user)[:5])
    return items_or_page(
        request,
        page,
        items_template="social/_post_list.html",
        page_template="social/explore.html",
        context=context,
    )


@require_GET
@handles_errors
def hashtag(request, name):
    name = name.lower()[:64]
    page = cursor_page(request, with_mentions(selectors.hashtag_posts(request.user, name)))
    return items_or_page(
        request,
        page,
        items_template="social/_post_list.html",
        page_template="social/hashtag.html",
        context={"tag": name},
    )


# --- one post --------------------------------------------------------------------------


@require_GET
@handles_errors
def post_detail(request, pk):
    post = post_for_page(request.user, pk)
    page = cursor_page(request, selectors.comments_for(request.user, post))
    for comment in page:
        comment.post = post  # the delete check reads the post's author: no query per comment
    return items_or_page(
        request,
        page,
        items_template="social/_comment_list.html",
        page_template="social/post.html",
        context={"post": post, "form": CommentForm()},
    )


@require_GET
@handles_errors
def post_card(request, pk):
    """One post's card (htmx puts it back when an edit is cancelled)."""
    post = post_for_page(request.user, pk)
    return render(request, "social/_post.html", {"post": post})


@require_POST
@login_required
@handles_errors
def post_create(request):
    form = PostForm(request.POST, request.FILES)
    group = None
    if form.is_valid():
        if form.cleaned_data["group"]:
            group = selectors.group_by_slug(request.user, form.cleaned_data["group"])
        try:
            post = services.post_create(
                author=request.user,
                text=form.cleaned_data["text"],
                image=form.cleaned_data["image"],
                group=group,
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            if not request.htmx:
                return done(request, reverse("social:post", args=[post.pk]), "Your post is up.")
            created = post_for_page(request.user, post.pk)
            context = {"form": PostForm(), "group": group, "created": created}
            response = render(request, "social/_compose.html", context)
            # Counters of the person's posts on the page (home's sidebar) follow at once.
            count = selectors.post_count(request.user, viewer=request.user)
            response["HX-Trigger"] = json.dumps({"my-post-count": count})
            return response
    template = "social/_compose.html" if request.htmx else "social/compose.html"
    return render(request, template, {"form": form, "group": group}, status=400)


@require_http_methods(["GET", "POST"])
@login_required
@handles_errors
def post_edit(request, pk):
    post = post_for_page(request.user, pk)
    if post.author_id != request.user.pk:
        raise PermissionDenied("Only the author can edit this post.")
    form = PostEditForm(
        request.POST if request.method == "POST" else None, initial={"text": post.text}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.post_update(user=request.user, post=post, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            if not request.htmx:
                return done(request, reverse("social:post", args=[post.pk]), "Post updated.")
            return render(request, "social/_post.html", {"post": post_for_page(request.user, pk)})
    status = 400 if form.errors else 200
    inline = bool(request.htmx)
    next_url = back_url(request, default=reverse("social:post", args=[pk]))
    context = {"post": post, "form": form, "next": next_url, "inline": inline}
    template = "social/_post_edit.html" if inline else "social/post_edit.html"
    return render(request, template, context, status=status)


@require_POST
@login_required
@handles_errors
def post_delete(request, pk):
    post = selectors.post_visible_to(request.user, pk)
    services.post_delete(user=request.user, post=post)
    if request.htmx:
        current = request.headers.get("HX-Current-URL", "")
        if reverse("social:post", args=[pk]) in current:
            return HttpResponseClientRedirect(
                reverse("social:profile", args=[post.author.username])
            )
        return HttpResponse("")  # the card is swapped for nothing: it disappears
    return done(request, reverse("social:profile", args=[post.author.username]), "Post deleted.")


# --- likes and shares ------------------------------------------------------------------


def _post_action(request, pk, action, *, fragment, message):
    """A like, unlike or unshare from a card's form, recorded with the card's surface; for
    htmx the button again (the page's `surface` keeps the submitted one)."""
    post = selectors.post_visible_to(request.user, pk)
    action(user=request.user, post=post, surface=request.POST.get(surfaces.FIELD, ""))
    if request.htmx:
        return render(request, fragment, {"post": selectors.post_visible_to(request.user, pk)})
    return done(request, reverse("social:post", args=[pk]), message)


@require_POST
@login_required
@handles_errors
def like(request, pk):
    return _post_action(
        request, pk, services.like_create, fragment="social/_like_button.html", message=None
    )


@require_POST
@login_required
@handles_errors
def unlike(request, pk):
    return _post_action(
        request, pk, services.like_delete, fragment="social/_like_button.html", message=None
    )


@require_http_methods(["GET", "POST"])
@login_required
@handles_errors
def share(request, pk):
    """POST shares (optionally with a comment); GET shows the share-with-a-comment form,
    which keeps the surface of the card it was opened from (`?surface=`)."""
    post = post_for_page(request.user, pk)
    data = request.POST if request.method == "POST" else request.GET
    surface = surfaces.surface_from(data.get(surfaces.FIELD, ""))
    form = ShareForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_create(
                user=request.user,
                post=post,
                comment=form.cleaned_data["comment"],
                surface=surface,
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            if request.htmx and not form.cleaned_data["comment"]:
                post = selectors.post_visible_to(request.user, pk)
                return render(request, "social/_share_button.html", {"post": post})
            return done(request, reverse("social:post", args=[pk]), "Shared with your followers.")
    status = 400 if form.errors else 200
    context = {"post": post, "form": form, "surface": surface}
    return render(request, "social/share.html", context, status=status)


@require_POST
@login_required
@handles_errors
def unshare(request, pk):
    return _post_action(
        request,
        pk,
        services.share_delete,
        fragment="social/_share_button.html",
        message="Share removed.",
    )


# --- comments --------------------------------------------------------------------------


@require_POST
@login_required
@handles_errors
def comment_create(request, pk):
    post = post_for_page(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_create(
                author=request.user,
                post=post,
                text=form.cleaned_data["text"],
                surface=request.POST.get(surfaces.FIELD, ""),
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            if not request.htmx:
                return done(request, f"{reverse('social:post', args=[pk])}#comment-{comment.pk}")
            post.comment_count += 1
            context = {"post": post, "form": CommentForm(), "created": comment}
            return render(request, "social/_comment_form.html", context)
    if request.htmx:
        return render(
            request, "social/_comment_form.html", {"post": post, "form": form}, status=400
        )
    page = cursor_page(request, selectors.comments_for(request.user, post))
    for comment in page:
        comment.post = post
    context = {"post": post, "form": form, "page": page}
    return render(request, "social/post.html", context, status=400)


@require_POST
@login_required
@handles_errors
def comment_delete(request, pk):
    comment = _comment_visible_to(request.user, pk)
    post_id = comment.post_id
    services.comment_delete(user=request.user, comment=comment)
    if request.htmx:
        post = selectors.post_visible_to(request.user, post_id)
        return render(request, "social/_comment_deleted.html", {"post": post})
    return done(request, reverse("social:post", args=[post_id]), "Comment deleted.")


def _comment_visible_to(viewer, pk) -> Comment:
    """A comment on a post the viewer may see; else NotFound, as for the post itself."""
    comment = Comment.objects.select_related("post").filter(pk=pk).first()
    if comment is None:
        raise NotFound("That comment does not exist.")
    selectors.post_visible_to(viewer, comment.post_id)
    return comment
