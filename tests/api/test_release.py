"""An API response, once closed, holds no cycle through its view: the request's objects
are freed as it ends, not at the cyclic collector's next full pass."""

from __future__ import annotations

import gc
import weakref

import pytest

pytestmark = pytest.mark.django_db


def test_a_closed_response_has_let_go_of_its_view(api):
    response = api("reviewer").get("/api/documents/")
    assert response.status_code == 200 and "results" in response.data
    view = response.renderer_context["view"]
    assert view.__dict__ == {}  # no request, response or paginator left on it


def test_the_response_is_freed_without_the_collector(api):
    """The response, its rendered page and the view are freed as the response is let
    go (the serializers' own fields and parents are the collector's still)."""
    client = api("reviewer")
    client.get("/api/documents/")  # the first request's one-off work
    gc.collect()
    gc.disable()
    try:
        response = client.get("/api/documents/")
        answer = weakref.ref(response)
        del response.json  # the test client's own tie to the response
        del response
        assert answer() is None
    finally:
        gc.enable()
