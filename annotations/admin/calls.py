"""The admin's side of the error map: a refused request or an unreachable Label Studio
becomes a message on the page, never an error page; nothing was written."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect

from annotations.errors import DomainError
from annotations.labelstudio.client import LabelStudioError
from annotations.services.collections import collection_stats_invalidate

T = TypeVar("T")


def run(
    request: HttpRequest,
    operation: Callable[[], T],
    *,
    done: str | Callable[[T], str] | None = None,
    failed: str = "",
) -> T | None:
    """The operation's result, or None after telling the user why it was refused."""
    try:
        result = operation()
    except (DomainError, LabelStudioError) as error:
        messages.error(request, f"{failed}{error}")
        return None
    if done is not None:
        messages.success(request, done(result) if callable(done) else done)
    return result


class ServiceAdmin:
    """A ModelAdmin mixin: a save a service refuses comes back to the form with the reason
    (the admin's transaction has already undone anything written)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (DomainError, LabelStudioError) as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(request.get_full_path())


class CountedDeletes:
    """A ModelAdmin mixin: rows deleted in the admin mark their collections' dashboard
    counts as changed, as every service that writes does."""

    collection_field = "collection_id"

    def delete_model(self, request: HttpRequest, obj) -> None:
        collection_id = (
            type(obj).objects.values_list(self.collection_field, flat=True).get(pk=obj.pk)
        )
        super().delete_model(request, obj)
        collection_stats_invalidate(collection_ids=[collection_id])

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        collection_ids = set(queryset.values_list(self.collection_field, flat=True))
        super().delete_queryset(request, queryset)
        collection_stats_invalidate(collection_ids=collection_ids)
