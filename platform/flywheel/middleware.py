from django.http import HttpResponseBadRequest, JsonResponse

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
