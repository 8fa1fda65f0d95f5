"""GET /api/documents/?q=: the database's full-text search behind the API."""

from __future__ import annotations

import pytest

from annotations.models import Collection
from tests import factories


def external_ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [document["external_id"] for document in response.json()["results"]]


def test_words_phrases_and_prefixes_best_first(api):
    client = api("reviewer")
    assert external_ids(client.get("/api/documents/", {"q": "Okafor"})) == [
        "northgate-winter-staffing"
    ]
    assert external_ids(client.get("/api/documents/", {"q": '"winter staffing"'})) == [
        "northgate-winter-staffing"
    ]
    hospitals = external_ids(client.get("/api/documents/", {"q": "hospital*"}))
    assert hospitals[0] == "northgate-winter-staffing"  # in its title too
    assert external_ids(client.get("/api/documents/", {"q": "zzzz*"})) == []


def test_an_exact_external_id_is_found_first(api):
    found = external_ids(api("reviewer").get("/api/documents/", {"q": "seed-trump-putin-call"}))
    assert found[0] == "seed-trump-putin-call"


def test_the_search_keeps_the_other_filters_and_the_roles(api, demo):
    other = Collection.objects.create(name="other")
    factories.document(other, external_id="elsewhere", text="Amara Okafor again.")
    found = external_ids(api("reviewer").get("/api/documents/", {"q": "Okafor"}))
    assert sorted(found) == ["elsewhere", "northgate-winter-staffing"]
    both = {"q": "Okafor", "collection": "other"}
    assert external_ids(api("reviewer").get("/api/documents/", both)) == ["elsewhere"]
    # Annotators see their own collections only, searched or not.
    assert external_ids(api("annotator").get("/api/documents/", {"q": "Okafor"})) == [
        "northgate-winter-staffing"
    ]


def test_a_column_ordering_asked_for_wins_over_the_rank(api):
    asked = {"q": "said", "ordering": "-external_id"}
    found = external_ids(api("reviewer").get("/api/documents/", asked))
    assert found == sorted(found, reverse=True)
    assert len(found) == 8


@pytest.mark.parametrize(
    ("q", "reason"),
    [
        ('"winter staffing', "unbalanced quote"),
        ("!!! ...", "only punctuation"),
        ("word " * 70, "at most 300"),
    ],
)
def test_a_query_that_means_nothing_is_a_400_saying_why(api, q, reason):
    response = api("reviewer").get("/api/documents/", {"q": q})
    assert response.status_code == 400
    assert reason in response.json()["detail"]


def test_too_many_matches_to_rank_come_in_keyset_pages_in_the_lists_order(api, monkeypatch):
    """Beyond the rank limit the matches are unranked and read a page at a time by
    keyset (no count), every one of them once; below it, ranked and counted."""
    import annotations.fulltext as fulltext

    client = api("reviewer")
    ranked = client.get("/api/documents/", {"q": "the", "page_size": 2}).json()
    assert "count" in ranked and ranked["count"] >= 3
    monkeypatch.setattr(fulltext, "RANK_LIMIT", 2)
    page = client.get("/api/documents/", {"q": "the", "page_size": 2}).json()
    assert "count" not in page and len(page["results"]) == 2
    seen = [d["external_id"] for d in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [d["external_id"] for d in page["results"]]
    assert len(seen) == ranked["count"] == len(set(seen))
    assert seen == sorted(seen)  # the default ordering: collection, then external id
    assert external_ids(client.get("/api/documents/", {"q": "Okafor", "page_size": 2})) == [
        "northgate-winter-staffing"
    ]
