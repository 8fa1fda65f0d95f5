"""Keyset pages: every row once by following `next`, back by `previous`, in an order an
index serves; numbered pages for those who ask; cursors nobody gave are refused."""

from __future__ import annotations

import base64
import json

import pytest
from rest_framework.test import APIClient

from annotations.models import Document, Job
from annotations.services import speaker_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(django_user_model) -> APIClient:
    c = APIClient()
    c.force_authenticate(django_user_model.objects.create_superuser("ada", "a@example.com", "pw"))
    return c


@pytest.fixture
def documents() -> list[Document]:
    """Eleven documents in two collections, created out of their list order."""
    news, wires = factories.collection("news"), factories.collection("wires")
    made = [factories.document(wires, external_id=f"w-{i}") for i in (3, 1, 2)]
    made += [factories.document(news, external_id=f"n-{i:02d}") for i in (5, 1, 8, 2, 7, 3, 4, 6)]
    return made


def walk(client: APIClient, url: str, link: str = "next", **params) -> list[list]:
    pages = []
    answer = client.get(url, params).json()
    while True:
        assert "count" not in answer
        pages.append(answer["results"])
        if answer[link] is None:
            return pages
        answer = client.get(answer[link]).json()


def ids(page: list[dict]) -> list[str]:
    return [row["external_id"] for row in page]


def test_following_next_lists_every_document_once_in_collection_then_id_order(client, documents):
    pages = walk(client, "/api/documents/", page_size=3)
    listed = [external_id for page in pages for external_id in ids(page)]
    news = sorted(d.external_id for d in documents if d.collection.name == "news")
    wires = sorted(d.external_id for d in documents if d.collection.name == "wires")
    # Collections by id (news was made first), then external id.
    assert listed == news + wires
    assert [len(page) for page in pages] == [3, 3, 3, 2]


def test_previous_goes_back_over_the_same_pages(client, documents):
    forward = walk(client, "/api/documents/", page_size=4)
    last = client.get("/api/documents/", {"page_size": 4}).json()
    while last["next"]:
        last = client.get(last["next"]).json()
    backward = [last["results"]]
    while last["previous"]:
        last = client.get(last["previous"]).json()
        backward.insert(0, last["results"])
    assert backward == forward


def test_orderings_reverse_and_by_creation(client, documents):
    reverse = walk(client, "/api/documents/", page_size=4, ordering="-external_id")
    forward = walk(client, "/api/documents/", page_size=4)
    flat = [row for page in forward for row in page]
    assert [row for page in reverse for row in page] == flat[::-1]
    created = walk(client, "/api/documents/", page_size=5, ordering="created_at")
    assert [row["id"] for page in created for row in page] == [d.pk for d in documents]
    refused = client.get("/api/documents/", {"ordering": "status"})
    assert refused.status_code == 400 and "ordering" in refused.json()


def test_a_filter_keeps_to_its_rows_across_pages(client, documents):
    pages = walk(client, "/api/documents/", page_size=2, collection="wires")
    assert [ids(page) for page in pages] == [["w-1", "w-2"], ["w-3"]]


def test_numbered_pages_still_answer_with_a_count(client, documents):
    answer = client.get("/api/documents/", {"page": 2, "page_size": 4}).json()
    assert answer["count"] == 11
    assert ids(answer["results"]) == ["n-05", "n-06", "n-07", "n-08"]
    assert "page=3" in answer["next"] and "cursor" not in answer["next"]
    last = client.get("/api/documents/", {"page": "last", "page_size": 4}).json()
    assert ids(last["results"]) == ["w-1", "w-2", "w-3"]
    assert client.get("/api/documents/", {"page": 9}).status_code == 404


def test_jobs_newest_first_and_speakers_by_name(client):
    collection = factories.collection("news")
    jobs = [Job.objects.create(collection=collection, kind=Job.Kind.PULL) for _ in range(5)]
    pages = walk(client, "/api/jobs/", page_size=2)
    assert [job["id"] for page in pages for job in page] == [job.pk for job in reversed(jobs)]
    for name in ("bo Ray", "Ann Lee", "Cy Moe", "al Fox"):
        speaker_create(name=name)
    pages = walk(client, "/api/speakers/", page_size=3)
    assert [s["name"] for page in pages for s in page] == ["al Fox", "Ann Lee", "bo Ray", "Cy Moe"]
    found = client.get("/api/speakers/", {"search": "Lee"}).json()
    assert [s["name"] for s in found["results"]] == ["Ann Lee"]


def cursor(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


@pytest.mark.parametrize(
    "value",
    [
        "nonsense",
        "e30",  # {}
        cursor([1, 2]),
        cursor({"o": "external_id", "k": [1], "b": False}),  # one value for two columns
        cursor({"o": "-external_id", "k": [1, "n-01"], "b": False}),  # another ordering's
        cursor({"o": "external_id", "k": [2**70, "n-01"], "b": False}),
        cursor({"o": "external_id", "k": [1, "n\x0001"], "b": False}),
        cursor({"o": "external_id", "k": ["one", "n-01"], "b": False}),
        cursor({"o": "external_id", "k": [1, "n-01"], "b": "no"}),
        cursor({"o": "external_id", "k": [None, "n-01"], "b": False}),
    ],
)
def test_cursors_this_list_did_not_give_are_refused(client, documents, value):
    answer = client.get("/api/documents/", {"cursor": value})
    assert answer.status_code == 400 and "cursor" in answer.json()


def test_a_cursor_with_a_naive_time_is_refused(client):
    forged = cursor({"o": "-created_at", "k": ["2026-01-01T00:00:00", 5], "b": False})
    answer = client.get("/api/jobs/", {"cursor": forged})
    assert answer.status_code == 400 and "cursor" in answer.json()


def test_a_page_emptied_since_is_empty_and_links_nowhere(client, documents):
    first = client.get("/api/documents/", {"page_size": 3, "collection": "news"}).json()
    Document.objects.filter(external_id__gt="n-03", collection__name="news").delete()
    later = client.get(first["next"]).json()
    assert later == {"next": None, "previous": None, "results": []}


@pytest.mark.parametrize("url", ["/api/documents/", "/api/annotations/"])
@pytest.mark.parametrize("ordering", ["", "-created_at"])
def test_numbered_pages_hold_the_rows_the_keyset_pages_hold(client, documents, url, ordering):
    """Each numbered page, its keys read from either end of the index, holds the rows
    found at its place by following `next`; `last` is the last of them."""
    for document in documents:
        factories.annotation(document)
    params = {"ordering": ordering} if ordering else {}
    listed = [row for page in walk(client, url, page_size=100, **params) for row in page]
    assert len(listed) == len(documents)
    for size in (1, 3, 4):
        pages = -(-len(listed) // size)
        numbered = []
        for number in range(1, pages + 1):
            answer = client.get(url, {"page": number, "page_size": size, **params}).json()
            assert answer["count"] == len(listed)
            numbered += answer["results"]
        assert numbered == listed
        last = client.get(url, {"page": "last", "page_size": size, **params}).json()
        assert last["results"] == listed[(pages - 1) * size :]


@pytest.mark.parametrize("ordering", ["", "-external_id"])
def test_numbered_pages_reach_a_window_then_hand_over_to_keyset_pages(
    client, documents, monkeypatch, ordering
):
    """Past NUMBERED_ROWS the count stops and numbered pages are refused with the way
    on; the window's last page links on by keyset to the rows after it."""
    from annotations import paging

    monkeypatch.setattr(paging, "NUMBERED_ROWS", 6)
    params = {"ordering": ordering} if ordering else {}
    listed = [
        row for page in walk(client, "/api/documents/", page_size=100, **params) for row in page
    ]
    first = client.get("/api/documents/", {"page": 1, "page_size": 3, **params}).json()
    assert first["count"] == 6 and first["count_capped"] is True
    window_end = client.get("/api/documents/", {"page": 2, "page_size": 3, **params}).json()
    assert first["results"] + window_end["results"] == listed[:6]
    assert "cursor=" in window_end["next"] and "page=" not in window_end["next"]
    rest = [row for page in walk_from(client, window_end["next"]) for row in page]
    assert rest == listed[6:]
    for number in ("3", "last"):
        refused = client.get("/api/documents/", {"page": number, "page_size": 3, **params})
        assert refused.status_code == 400
        assert "first 6 rows" in refused.json()["page"][0]
    # A filter that leaves fewer rows than the window counts them all, to the last page.
    wires = client.get("/api/documents/", {"page": "last", "page_size": 2, "collection": "wires"})
    assert wires.json()["count"] == 3 and "count_capped" not in wires.json()
    assert wires.json()["next"] is None


def walk_from(client: APIClient, link: str) -> list[list]:
    pages = []
    while link:
        answer = client.get(link).json()
        pages.append(answer["results"])
        link = answer["next"]
    return pages


def test_a_collection_filter_pages_forward_and_back_from_its_cursors(client, documents):
    """With `collection` fixing the leading column, a cursor also compares the external
    id on its own (so the index scan starts at it); the pages are the same."""
    news = sorted(d.external_id for d in documents if d.collection.name == "news")
    forward = walk(client, "/api/documents/", page_size=3, collection="news")
    assert [row for page in forward for row in ids(page)] == news
    back = [forward[-1]]
    answer = client.get("/api/documents/", {"page_size": 3, "collection": "news"}).json()
    while answer["next"]:
        answer = client.get(answer["next"]).json()
    while answer["previous"]:
        answer = client.get(answer["previous"]).json()
        back.insert(0, answer["results"])
    assert back == forward
    reverse = walk(
        client, "/api/documents/", page_size=3, collection="news", ordering="-external_id"
    )
    assert [row for page in reverse for row in ids(page)] == news[::-1]
