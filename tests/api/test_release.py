"""An API response, once closed, holds no cycle through its view, its serializers or the
rows it served: the request's objects are freed as it ends, not at the cyclic
collector's next full pass (which, freeing many requests' at once, was the slow
request)."""

from __future__ import annotations

import gc
import weakref
from collections import Counter

import pytest

from annotations.models import Annotation, Span
from project.middleware import forget_related

pytestmark = pytest.mark.django_db


def test_a_closed_response_has_let_go_of_its_view(api):
    response = api("reviewer").get("/api/documents/")
    assert response.status_code == 200 and "results" in response.data
    view = response.renderer_context["view"]
    assert view.__dict__ == {}  # no request, response or paginator left on it
    assert response.data["results"].serializer.__dict__ == {}  # nor rows or fields


def alive(*models) -> Counter:
    """Instances of those models the collector tracks, garbage not yet collected too."""
    return Counter(t.__name__ for t in map(type, gc.get_objects()) if issubclass(t, models))


@pytest.mark.parametrize(
    "url",
    ["/api/documents/", "/api/annotations/", "/api/annotations/?cursor=", "/api/documents/{id}/"],
)
def test_a_page_is_freed_without_the_collector(api, demo, url):
    """The response, its rendered page, the view and the rows it served (annotations
    with their spans and attributions, read with them and referring back) are freed as
    the response is let go."""
    client = api("reviewer")
    if "{id}" in url:
        url = url.format(id=demo.documents.order_by("pk").first().pk)
    if url.endswith("cursor="):  # a page after the first, by its cursor
        url = client.get("/api/annotations/?page_size=2").data["next"]
    client.get(url)  # the first request's one-off work
    gc.collect()
    before = alive(Annotation, Span)
    gc.disable()
    try:
        response = client.get(url)
        assert response.status_code == 200
        served = response.data.get("results", [response.data])
        assert any(row.get("spans") or row.get("annotations") for row in served)
        answer = weakref.ref(response)
        del response.json  # the test client's own tie to the response
        del response, served
        assert answer() is None
        assert alive(Annotation, Span) == before
    finally:
        gc.enable()


def test_forgetting_related_rows_reads_nothing(demo, django_assert_num_queries):
    """Rows prefetched, rows selected with them and a queryset not read yet: their
    caches are emptied, and no row is read to do it."""
    annotations = Annotation.objects.select_related("document").prefetch_related("spans")
    read = list(annotations[:2])
    unread = Annotation.objects.prefetch_related("spans")
    with django_assert_num_queries(0):
        forget_related(read)
        forget_related(unread)
        forget_related(None)
    for annotation in read:
        assert not hasattr(annotation, "_prefetched_objects_cache")
        assert annotation._state.fields_cache == {}
    assert unread._result_cache is None
