"""The search box's language, read into terms and written for SQLite's FTS5 (run on a
real in-memory FTS5 table; the PostgreSQL side runs in tests/test_selectors.py)."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.search import (
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    SearchQuery,
    SearchQueryError,
    Term,
    fts5_expression,
    parse_query,
    tsquery_parts,
)

# Letters, digits, punctuation, spaces and quotes, from several scripts.
typed = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from("\"*' -_.:()"),
    max_size=60,
)
words = st.text(alphabet=st.characters(categories=("Lu", "Ll", "Nd")), min_size=1, max_size=8)


def terms_of(text: str) -> list[Term]:
    return list(parse_query(text).terms)


def test_words_phrases_and_prefixes():
    assert terms_of('Okafor "winter staffing" hosp*') == [
        Term("Okafor"),
        Term("winter staffing"),
        Term("hosp", prefix=True),
    ]
    assert terms_of('  "the   ninth"*  ') == [Term("the ninth", prefix=True)]


def test_an_external_id_is_one_term_with_its_punctuation():
    query = parse_query(" breitbart_2015-11-11_the-ninth ")
    assert query == SearchQuery("breitbart_2015-11-11_the-ninth",
                                (Term("breitbart_2015-11-11_the-ninth"),))  # fmt: skip


def test_terms_without_a_letter_or_digit_are_left_out():
    assert terms_of('Okafor - *** ""') == [Term("Okafor")]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('"winter staffing', "unbalanced quote"),
        ('a "b" "c', "unbalanced quote"),
        ("-- ... ***", "only punctuation"),
        ('""', "only punctuation"),
        ("x" * (MAX_QUERY_LENGTH + 1), "at most 300"),
        (" ".join(["w"] * (MAX_TERMS + 1)), "21 terms; at most 20"),
        ("a\x00b", "null character"),
    ],
)
def test_queries_that_mean_nothing_are_refused_with_the_reason(text, reason):
    with pytest.raises(SearchQueryError, match=reason) as refused:
        parse_query(text)
    assert refused.value.status == 400


def test_a_pasted_external_id_of_the_longest_kind_is_accepted():
    longest = "-".join(["abcdefgh"] * 28)[:255]
    assert parse_query(longest).typed == longest


@given(typed)
def test_any_input_is_terms_or_a_reason(text):
    try:
        query = parse_query(text)
    except SearchQueryError as refused:
        assert str(refused)
        return
    assert query.typed == text.strip()
    assert 1 <= len(query.terms) <= MAX_TERMS
    for term in query.terms:
        assert '"' not in term.text
        assert any(character.isalnum() for character in term.text)


@given(st.lists(st.tuples(st.lists(words, min_size=1, max_size=3), st.booleans()),
                min_size=1, max_size=8))  # fmt: skip
def test_what_is_written_is_read_back(written):
    expected = [Term(" ".join(group), prefix) for group, prefix in written]
    text = " ".join(
        ('"' + term.text + '"' if " " in term.text else term.text) + ("*" if term.prefix else "")
        for term in expected
    )
    assert terms_of(text) == expected


@pytest.fixture(scope="module")
def fts5():
    """An FTS5 table with the tokenizer of the documents' index (migration 0011)."""
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE doc USING fts5(title, external_id, text, "
        "tokenize='unicode61 remove_diacritics 0')"
    )
    rows = [
        ("Hospital warns", "northgate-winter-staffing", "The hospital's winter staffing gap."),
        ("Ninth", "breitbart_2015-11-11_the-ninth", 'He said "AND" or NOT, NEAR the end.'),
        ("Café", "doc-7", "Müller spoke; the hospitals said nothing."),
    ]
    connection.executemany("INSERT INTO doc VALUES (?, ?, ?)", rows)
    yield connection
    connection.close()


def matching(connection, text: str) -> list[str]:
    expression = fts5_expression(parse_query(text))
    found = connection.execute(
        "SELECT external_id FROM doc WHERE doc MATCH ? ORDER BY rowid", (expression,)
    )
    return [row[0] for row in found]


def test_fts5_reads_every_term_and_no_operator(fts5):
    assert matching(fts5, "hospital") == ["northgate-winter-staffing"]
    assert matching(fts5, "hospital*") == ["northgate-winter-staffing", "doc-7"]
    assert matching(fts5, '"winter staffing" gap') == ["northgate-winter-staffing"]
    assert matching(fts5, '"staffing winter"') == []
    assert matching(fts5, "AND NOT NEAR") == ["breitbart_2015-11-11_the-ninth"]
    assert matching(fts5, "breitbart_2015-11-11_the-ninth") == ["breitbart_2015-11-11_the-ninth"]
    assert matching(fts5, "doc-7 müller") == ["doc-7"]
    assert matching(fts5, "hospital's") == ["northgate-winter-staffing"]


@given(typed)
def test_fts5_runs_every_accepted_query(fts5, text):
    try:
        query = parse_query(text)
    except SearchQueryError:
        return
    fts5.execute("SELECT count(*) FROM doc WHERE doc MATCH ?", (fts5_expression(query),))


def test_postgresql_reads_phrases_with_its_parser_and_quotes_prefixes():
    query = parse_query("""it's "winter staffing" o'brien* a\\b*""")
    assert tsquery_parts(query) == [
        ("phrase", "it's"),
        ("phrase", "winter staffing"),
        ("raw", "'o''brien':*"),
        ("raw", "'a\\\\b':*"),
    ]


@pytest.mark.django_db
def test_whether_too_many_match_to_rank(monkeypatch):
    """Decided by the index up to the limit; on PostgreSQL a sample of documents settles
    it without the index handing back the matches when enough of the sample match and
    their share of the list is well beyond the limit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import annotations.fulltext as fulltext
    from annotations.models import Document
    from annotations.search import parse_query
    from tests import factories

    collection = factories.collection()
    for i in range(12):
        factories.document(collection, external_id=f"d{i}", text=f"Common words, and rare{i % 3}.")
    documents = Document.objects.filter(collection=collection)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the planner's estimate of the rows
            cursor.execute("ANALYZE annotations_document")
    monkeypatch.setattr(fulltext, "PROBE", 6)
    monkeypatch.setattr(fulltext, "PROBE_MATCHES", 2)
    monkeypatch.setattr(fulltext, "SETTLES", 2)
    many = fulltext.more_matches_than
    assert many(documents, parse_query("common"), 5) and not many(
        documents, parse_query("common"), 12
    )
    assert many(documents, parse_query("rare1"), 3) and not many(documents, parse_query("rare1"), 4)
    with CaptureQueriesContext(connection) as queries:
        assert many(documents, parse_query("words"), 2)
    asked = [q["sql"] for q in queries if "LIMIT 3" in q["sql"]]  # the index, up to limit + 1
    # PostgreSQL: the sample (all 6 match, an estimated 12 beyond twice the limit)
    # decided, and the index was not asked; SQLite asks the index.
    assert len(asked) == (0 if connection.vendor == "postgresql" else 1)

    def index_asked(text: str, limit: int, *, settled_by: int) -> bool:
        monkeypatch.setattr(fulltext, "PROBE_MATCHES", settled_by)
        with CaptureQueriesContext(connection) as queries:
            assert many(documents, parse_query(text), limit)
        return any(f"LIMIT {limit + 1}" in q["sql"] for q in queries)

    # rare1: 2 of the 6 oldest, an estimated 4 of 12, beyond twice a limit of 1; too
    # few in the sample when 3 must match, or not beyond twice a limit of 3.
    postgresql = connection.vendor == "postgresql"
    assert index_asked("rare1", 1, settled_by=2) is not postgresql
    assert index_asked("rare1", 1, settled_by=3)
    assert index_asked("rare1", 3, settled_by=2)
    found = fulltext.matches_found(documents, parse_query("rare1"), 4)
    assert found.count == 4
    rare = set(documents.filter(text__contains="rare1").values_list("pk", flat=True))
    assert found.ids is None if connection.vendor != "postgresql" else set(found.ids) == rare

    # A list shorter than the sample is counted whole by it: too many settled without the
    # planner's estimate or the index; few enough, the index hands back the matches.
    monkeypatch.setattr(fulltext, "PROBE", 20)
    with CaptureQueriesContext(connection) as queries:
        assert many(documents, parse_query("words"), 11)
    assert not any("EXPLAIN" in q["sql"] for q in queries)
    assert any("LIMIT 12" in q["sql"] for q in queries) is not postgresql
    with CaptureQueriesContext(connection) as queries:
        assert not many(documents, parse_query("words"), 12)
    assert not any("EXPLAIN" in q["sql"] for q in queries)
    assert any("LIMIT 13" in q["sql"] for q in queries)


@pytest.mark.django_db
def test_each_database_keeps_what_a_search_tests_at_hand():
    """PostgreSQL: each search vector in its row. Out of line, every vector a search
    tests is a look-up in another table (five times the cost of the test itself); the
    text, read only for the rows a page shows, goes out of line instead (migration
    0016). SQLite: the FTS5 table, which holds the words and their positions."""
    from django.db import connection

    from annotations.fulltext import INDEX

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = "
                "'annotations_document'::regclass AND attname IN ('search_vector', 'text')"
            )
            assert dict(cursor.fetchall()) == {"search_vector": "m", "text": "x"}
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [INDEX])
            assert "fts5" in cursor.fetchone()[0]
