"""Middleware of the project's own."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.http import HttpRequest, HttpResponse


class ReleaseViewAtClose:
    """An API view and its response refer to each other (the view keeps `response`, the
    response its `renderer_context` with the view and, once rendered, itself), as do
    the view and its request (`parser_context`, which holds the request too): each
    request's objects, the page's data among them, stayed until the cyclic
    collector's next full pass, which then freed several requests' at once (25-32 ms,
    in about one request in thirty of the API's lists at a million documents). When
    the response is closed, after the server has sent it, those references are let
    go, so that the request's objects are freed as it ends."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        context = getattr(response, "renderer_context", None)
        if context and context.get("view") is not None:
            response._resource_closers.append(partial(_release, context))
        return response


def _release(context: dict) -> None:
    context["view"].__dict__.clear()
    context.pop("response", None)  # put there as the response rendered itself
    parsing = getattr(context.get("request"), "parser_context", None)
    if parsing is not None:
        parsing.clear()  # the view, and the request itself
