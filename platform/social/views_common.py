"""What every social page and action shares: errors answered the same way, the login check,
where to go back to after a plain form post, and htmx-aware responses."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from flywheel.errors import NotFound
from flywheel.ratelimit import RateLimited
from social.paging import BadCursor

ERROR_TITLES = {
    400: "That did not work",
    403: "You cannot do that",
    404: "Not found",
    429: "Slow down",
}


def error_response(request, status: int, message: str):
    """A plain page, or for htmx a notice dropped into the page's message area."""
    context = {"status": status, "title": ERROR_TITLES.get(status, "Error"), "message": message}
    if request.htmx:
        response = render(request, "social/_notice.html", context, status=status)
        response["HX-Retarget"] = "#messages"
        response["HX-Reswap"] = "beforeend"
        return response
    return render(request, "social/error.html", context, status=status)


def handles_errors(view):
    """Answer the errors services and selectors raise: 404, 403, 429, and 400 for a bad
    cursor. Views with a form catch ValidationError themselves to show it on the form; one
    that escapes an action without a form becomes a plain 400 notice, never a 500.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            return error_response(request, 404, str(error) or "That page does not exist.")
        except PermissionDenied as error:
            return error_response(request, 403, str(error) or "You are not allowed to do that.")
        except RateLimited as error:
            response = error_response(request, 429, str(error))
            response["Retry-After"] = str(error.retry_after)
            return response
        except BadCursor as error:
            return error_response(request, 400, str(error))
        except ValidationError as error:
            return error_response(request, 400, " ".join(error.messages))

    return wrapper


def login_required(view):
    """Send anonymous people to the login page (for htmx, by a full-page redirect)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        back = back_url(request, default=request.get_full_path())
        if request.method != "GET" and not request.POST.get("next"):
            back = request.headers.get("HX-Current-URL") or back
            if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                back = "/"
        login_url = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back})}"
        if request.htmx:
            return HttpResponseClientRedirect(login_url)
        return redirect(login_url)

    return wrapper


def back_url(request, default) -> str:
    """The safe `next` the form carried, else `default` (a URL or a URL name)."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


def done(request, default, message: str | None = None):
    """After a plain (no-JavaScript) form post: say what happened and go back."""
    if message:
        messages.success(request, message)
    return redirect(back_url(request, default))


def wants_fragment(request) -> bool:
    """An htmx request for part of a page (not a boosted link or a history restore)."""
    return bool(request.htmx) and not (request.htmx.boosted or request.htmx.history_restore_request)


def items_or_page(request, page, *, items_template: str, page_template: str, context: dict):
    """htmx (the next page, revealed at the end of a list) gets only the items; everyone
    else the whole page."""
    context = {**context, "page": page}
    if wants_fragment(request):
        return render(request, items_template, context)
    return render(request, page_template, context)
