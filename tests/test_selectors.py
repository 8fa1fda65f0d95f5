"""Selectors on the database the suite runs on: documents_search (SQLite's FTS5 by
default, PostgreSQL's text search with DATABASE_URL): what matches, in which order, and
that rows written around the ORM are indexed too; reads that walk whole collections do
it a chunk at a time."""

from __future__ import annotations

import contextlib
import itertools

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations import fulltext, selectors
from annotations.models import Document
from annotations.records import text_hash
from annotations.search import SearchQueryError
from annotations.selectors import documents_search, human_versions
from tests import factories

pytestmark = pytest.mark.django_db

DOCUMENTS = {
    "northgate-winter-staffing": (
        "Hospital warns of winter staffing gap",
        "The chief executive of Northgate General Hospital says the hospital will be short.",
    ),
    "riverton-night-buses": (
        "City council approves late-night bus pilot",
        "Hospitals and bars asked for buses after midnight, the council said.",
    ),
    "breitbart_2015-11-11_the-ninth": (
        "The ninth debate",
        "Candidates said little about staffing or winter in the ninth debate.",
    ),
}


@pytest.fixture
def corpus() -> dict[str, Document]:
    collection = factories.collection("news")
    return {
        external_id: factories.document(collection, external_id=external_id, title=title, text=text)
        for external_id, (title, text) in DOCUMENTS.items()
    }


def found(text: str) -> list[str]:
    return list(
        documents_search(Document.objects.all(), text).values_list("external_id", flat=True)
    )


def test_every_word_must_match_in_the_title_id_or_text(corpus):
    both = {"northgate-winter-staffing", "breitbart_2015-11-11_the-ninth"}
    assert set(found("winter staffing")) == both
    assert found("winter midnight") == []
    assert found("Northgate general") == ["northgate-winter-staffing"]
    assert found("nothing-like-this") == []


def test_a_phrase_keeps_its_words_in_order(corpus):
    assert found('"winter staffing"') == ["northgate-winter-staffing"]
    assert found('"staffing or winter"') == ["breitbart_2015-11-11_the-ninth"]
    assert found('"staffing winter"') == []


def test_a_prefix_finds_the_words_that_begin_so(corpus):
    assert found("hospital") == ["northgate-winter-staffing"]
    assert set(found("hospital*")) == {"northgate-winter-staffing", "riverton-night-buses"}
    assert found("midn* bus*") == ["riverton-night-buses"]


def test_an_exact_external_id_comes_first(corpus):
    collection = corpus["riverton-night-buses"].collection
    factories.document(collection, external_id="z", text="As breitbart_2015-11-11_the-ninth said.")
    assert found("breitbart_2015-11-11_the-ninth") == ["breitbart_2015-11-11_the-ninth", "z"]
    assert found("riverton-night-buses") == ["riverton-night-buses"]


def test_words_in_the_title_rank_above_words_in_the_text(corpus):
    assert found("ninth") == ["breitbart_2015-11-11_the-ninth"]
    assert found("council")[0] == "riverton-night-buses"
    assert found("winter") == ["northgate-winter-staffing", "breitbart_2015-11-11_the-ninth"]


def test_beyond_the_rank_limit_matches_come_in_external_id_order(corpus, monkeypatch):
    monkeypatch.setattr(fulltext, "RANK_LIMIT", 1)
    assert found("winter") == ["breitbart_2015-11-11_the-ninth", "northgate-winter-staffing"]
    assert found("riverton-night-buses") == ["riverton-night-buses"]
    monkeypatch.setattr(fulltext, "RANK_LIMIT", 2)
    assert found("winter") == ["northgate-winter-staffing", "breitbart_2015-11-11_the-ninth"]


def test_the_index_follows_changes_and_deletions(corpus):
    buses = corpus["riverton-night-buses"]
    Document.objects.filter(pk=buses.pk).update(title="Tram trial", text="Trams from May.")
    assert found("tram*") == ["riverton-night-buses"]
    assert found("midnight") == []
    Document.objects.filter(pk=buses.pk).update(status=Document.Status.GOLD)
    assert found("trams") == ["riverton-night-buses"]
    buses.delete()
    assert found("tram*") == []
    assert found("hospital") == ["northgate-winter-staffing"]


def test_rows_written_around_the_orm_are_indexed(corpus):
    """Documents a script or a benchmark writes by COPY (PostgreSQL) or plain INSERT."""
    collection_id = corpus["riverton-night-buses"].collection_id
    text = "Zebra crossings"
    row = (collection_id, "copied", "Copied in", text, text_hash(text), "", "{}", "new")
    columns = (
        "collection_id, external_id, title, text, text_hash, source_url, meta, status, "
        "created_at, updated_at"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy_sql = f"COPY annotations_document ({columns}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                copy.write_row((*row, "2026-01-01T00:00Z", "2026-01-01T00:00Z"))
        else:
            cursor.execute(
                f"INSERT INTO annotations_document ({columns}) VALUES "
                "(%s, %s, %s, %s, %s, %s, %s, %s, datetime(), datetime())",
                row,
            )
    assert found("zebra") == ["copied"]


def test_the_search_narrows_the_documents_it_is_given_and_nests(corpus):
    other = factories.collection("other")
    factories.document(other, external_id="o", text="Winter staffing again.")
    news = documents_search(Document.objects.filter(collection__name="news"), "winter staffing")
    assert set(news.values_list("external_id", flat=True)) == {
        "northgate-winter-staffing",
        "breitbart_2015-11-11_the-ninth",
    }
    ids = documents_search(Document.objects.all(), "winter").values("pk")
    assert Document.objects.filter(pk__in=ids).count() == 3


def test_a_query_that_means_nothing_is_refused(corpus):
    with pytest.raises(SearchQueryError, match="unbalanced quote"):
        found('"winter')


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
        | st.sampled_from("\"*'\\ -_.:&|!<>()"),
        max_size=40,
    )
)
def test_the_database_runs_every_accepted_query(corpus, text):
    with contextlib.suppress(SearchQueryError):
        list(documents_search(Document.objects.all(), text)[:5])


@pytest.mark.django_db(transaction=True)
def test_the_migration_indexes_existing_rows_and_reverses():
    executor = MigrationExecutor(connection)
    before = ("annotations", "0010_list_indexes")
    executor.migrate([before])
    try:
        old = executor.loader.project_state(before).apps
        collection = old.get_model("annotations", "Collection").objects.create(name="old")
        old.get_model("annotations", "Document").objects.create(
            collection=collection, external_id="kept", text="Written before search.", text_hash="x"
        )
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert found("before search") == ["kept"]


def test_human_versions_walk_the_documents_by_id_a_chunk_at_a_time(monkeypatch):
    monkeypatch.setattr(selectors, "VERSIONS_CHUNK", 2)
    news = factories.collection("news")
    docs = [factories.document(news, external_id=f"d{i}") for i in range(5)]
    for doc in docs:
        if doc.external_id != "d2":  # one annotator only: not compared
            for name in ("ann@x.org", "bob@x.org"):
                factories.annotation(doc, factories.quote_annotation(annotator=name))
    other = factories.document(factories.collection("other"), external_id="d9")
    for name in ("ann@x.org", "bob@x.org"):
        factories.annotation(other, factories.quote_annotation(annotator=name))
    walked = []
    with CaptureQueriesContext(connection) as queries:
        found = list(human_versions(news.documents.all(), on_documents=walked.append))
    assert [v.document for v in found] == ["d0", "d1", "d3", "d4"]
    assert [v.document_id for v in found] == [d.pk for d in docs if d.external_id != "d2"]
    assert set(found[0].annotations) == {"ann@x.org", "bob@x.org"}
    assert walked == [2, 2, 1]
    # Each chunk asks for the ids after the last one seen, never for all of them.
    asked = [
        q["sql"]
        for q in queries
        if q["sql"].startswith('SELECT "annotations_document"."id" AS "pk" FROM')
    ]
    assert len(asked) == 4 and all("LIMIT 2" in sql for sql in asked)


PHRASE_WORDS = ["vote", "the", "mayor", "said", "bus"]
PHRASE_COLLECTIONS = itertools.count()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    texts=st.lists(
        st.lists(st.sampled_from(PHRASE_WORDS), min_size=1, max_size=12), min_size=1, max_size=6
    ),
    phrase=st.lists(st.sampled_from(PHRASE_WORDS), min_size=2, max_size=3),
)
def test_a_phrase_of_common_words_finds_exactly_the_documents_holding_it(texts, phrase):
    """On PostgreSQL a phrase goes through the index of word pairs (migration 0015),
    then the words' positions: neither may lose a document that holds the phrase."""
    collection = factories.collection(f"pairs-{next(PHRASE_COLLECTIONS)}")
    expected = set()
    for number, words in enumerate(texts):
        external_id = f"p{number}"
        factories.document(collection, external_id=external_id, title="", text=" ".join(words))
        if any(words[i : i + len(phrase)] == phrase for i in range(len(words))):
            expected.add(external_id)
    documents = Document.objects.filter(collection=collection)
    query = '"' + " ".join(phrase) + '"'
    assert set(documents_search(documents, query).values_list("external_id", flat=True)) == expected


def test_a_phrase_reads_hyphens_and_numbers_as_the_index_does(corpus):
    collection = corpus["riverton-night-buses"].collection
    factories.document(
        collection, external_id="h1", text="African-American voters said 1.2 percent."
    )
    assert found('"african-american voters"') == ["h1"]
    assert found('"American voters said"') == ["h1"]
    assert found('"said 1.2 percent"') == ["h1"]
    assert found('"voters African-American"') == []
