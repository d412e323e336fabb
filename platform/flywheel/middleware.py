import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render

log = logging.getLogger(__name__)

MESSAGE = "Addresses and search terms cannot contain NUL characters."


class RejectNulCharactersMiddleware:
    """Answer 400 to a NUL character in the path or query string.

    PostgreSQL cannot store or compare text containing NUL, so such a value reaching a query
    (a username in a URL, a search term) would otherwise fail as a server error. Forms and
    serializers already refuse NUL in bodies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": MESSAGE}, status=400)
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


UNAVAILABLE = "The site cannot reach its database just now. Please try again in a few seconds."
UNAVAILABLE_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Back in a moment</title></head>
<body><main><h1>Back in a moment</h1><p>{UNAVAILABLE}</p></main></body></html>
"""
RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    """Answer 503 with a message when the database cannot be reached (restarting, failing
    over, out of connections), instead of a 500 and a traceback in the log.

    Django itself reconnects: with CONN_HEALTH_CHECKS a persistent connection is tested before
    a request uses it, and one that failed is closed when its request ends; so the next
    request after the database is back is served by the same process. The page is plain
    HTML without the site's template, which would ask the database for the viewer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log.warning("database unavailable for %s %s: %s", request.method, request.path, exception)
        if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
            response = JsonResponse({"detail": UNAVAILABLE}, status=503)
        else:
            response = HttpResponse(UNAVAILABLE_PAGE, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class MethodNotAllowedPageMiddleware:
    """Give a readable page to a 405 that Django's method decorators leave empty.

    `require_POST` answers a plain GET (a pasted or bookmarked action address, such as
    /posts/1/delete/) with an empty 405, which a browser shows as a blank page. The status and
    its Allow header stay; the API's 405s already carry a JSON body and are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.path.startswith("/api/"):
            return response
        page = render(
            request,
            "social/error.html",
            {
                "status": 405,
                "title": "That address is an action",
                "message": (
                    "It only works from its button on the page. Go back and use the button "
                    "there (this address cannot be opened by itself)."
                ),
            },
            status=405,
        )
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
