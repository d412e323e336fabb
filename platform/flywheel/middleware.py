from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render

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
