"""Middleware of the project's own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from rest_framework.serializers import BaseSerializer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList


class ReleaseViewAtClose:
    """Let go of an API request's objects when its response is closed, after the server
    has sent it, so that they are freed as the request ends rather than by the cyclic
    collector's next full pass, which freed several requests' at once (25-55 ms, in
    about one request in thirty of the API's lists at a million documents).

    What refers back to what: the view and its response (the view keeps `response`, the
    response its `renderer_context` with the view and, once rendered, itself); the view
    and its request (`parser_context`, which holds the request too); a serializer and
    its data (`ReturnList.serializer`, the serializer's cached `_data`), and its fields
    and their parent; the rows served and what was read with them (a prefetched
    annotation keeps its spans, each span its annotation)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        context = getattr(response, "renderer_context", None)
        if context and context.get("view") is not None:
            response._resource_closers.append(partial(_release, context))
        return response


def _release(context: dict) -> None:
    response = context.pop("response", None)  # put there as the response rendered itself
    for serializer in _serializers(getattr(response, "data", None)):
        _unbind(serializer)
    context["view"].__dict__.clear()
    parsing = getattr(context.get("request"), "parser_context", None)
    if parsing is not None:
        parsing.clear()  # the view, and the request itself


def _serializers(data: object) -> Iterator[BaseSerializer]:
    """The serializers whose data the response holds, at its top or (a page) one down."""
    values = data.values() if isinstance(data, dict) else ()
    for value in (data, *values):
        if isinstance(value, ReturnDict | ReturnList):
            yield value.serializer


def _unbind(serializer: BaseSerializer) -> None:
    """Empty a serializer, its nested serializers and the rows it read."""
    state = serializer.__dict__
    nested = [state.get("child"), *(state.get("fields") or {}).values()]
    for field in nested:
        if isinstance(field, BaseSerializer):
            _unbind(field)
    forget_related(state.get("instance"))
    state.clear()


def forget_related(rows: object) -> None:
    """Drop what each model row cached of its relations (select_related, prefetched
    rows, and theirs), which a prefetched reverse relation makes circular. Rows are
    a row, a list of them or a queryset (only the rows it has read: none is read here)."""
    stack = _read(rows)
    while stack:
        row = stack.pop()
        if not isinstance(row, Model):
            continue
        for related in row.__dict__.pop("_prefetched_objects_cache", {}).values():
            stack.extend(_read(related))
        cached = row._state.fields_cache
        stack.extend(cached.values())
        cached.clear()


def _read(rows: object) -> list:
    if isinstance(rows, Model):
        return [rows]
    if isinstance(rows, QuerySet):
        return list(rows._result_cache or ())
    return list(rows) if isinstance(rows, list | tuple) else []
