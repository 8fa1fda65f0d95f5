"""The documents' full-text index as each database keeps it (migration 0011): the
expressions that match a parsed query (annotations.search) and rank the matches.

PostgreSQL: the generated `search_vector` column, GIN-indexed; ts_rank. SQLite: the
FTS5 table `annotations_document_search` (models.DocumentSearchEntry); bm25 (as its
`rank`, weighted in the migration). Ranking reads each match's whole index entry (on
PostgreSQL a tsvector of several kilobytes, stored out of line), so it is done only
while the matches are few: a word found in more than RANK_LIMIT documents says little
about which is best, and those results come in external id order instead, as fast as
they are counted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from annotations.planner import planned_rows
from annotations.search import SearchQuery, fts5_expression, tsquery_parts

# Ranking reads each match's stored vector: 2.3 µs a match kept in its row (13 µs out
# of line, as before migration 0016), so it is bounded at this many (5 ms; 26 ms out of
# line); past it the matches come in the list's own order.
RANK_LIMIT = 2_000
INDEX = "annotations_document_search"


def documents_matching(
    documents: QuerySet,
    query: SearchQuery,
    *,
    rank: bool = True,
    few: bool = False,
    ids: Sequence[int] | None = None,
) -> QuerySet:
    """These documents where every term of the query is found, or whose external id is
    the query; that one first, then by rank, then by external id.

    `rank=False` is for many matches, read a page at a time in an index's order (the
    caller orders them): no rank is computed, and on PostgreSQL the match is tested on
    each row the order's index walks to instead of gathering every match from the
    full-text index first, so a page costs the rows walked to fill it, not the matches.
    `few`: the caller has found that the matches are few enough to rank
    (matches_found), so the rank does not look again; `ids`: and found them all, so
    the index is not asked again (for a phrase, PostgreSQL rechecks every document
    holding its words against their stored positions: twice the work otherwise)."""
    documents, found, ranking = _matching(documents, query, walk=not rank, few=few or bool(ids))
    if ids is not None:
        found = Q(AnyOf(F("pk"), ids))
    if not rank:
        return documents.filter(found)
    exact = Q(external_id=query.typed)
    return (
        documents.filter(found)
        .annotate(
            search_exact=ExpressionWrapper(exact, output_field=BooleanField()),
            search_rank=ranking,
        )
        .order_by("-search_exact", "-search_rank", "external_id", "pk")
    )


def _while_few(matches_few: Expression, rank: Expression) -> Case:
    return Case(When(matches_few, then=rank), default=Value(0.0), output_field=FloatField())


class AnyOf(Expression):
    """`column = ANY(%s)` on PostgreSQL: the ids as one array parameter. As `IN (...)`
    each id was a parameter of its own, and compiling 2,000 of them took longer than
    the query (the matches are kept only on PostgreSQL)."""

    output_field = BooleanField()

    def __init__(self, column: Expression, ids: Sequence[int]) -> None:
        super().__init__()
        self.column, self.ids = column, list(ids)

    def get_source_expressions(self) -> list[Expression]:
        return [self.column]

    def set_source_expressions(self, expressions: list[Expression]) -> None:
        (self.column,) = expressions

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        column, params = compiler.compile(self.column)
        return f"{column} = ANY(%s::bigint[])", [*params, self.ids]


class DocumentColumn(Expression):
    """A column of the document table that the model does not declare, under whatever
    alias the query gives the table (a subquery renames it)."""

    def __init__(self, column: str, output_field) -> None:
        super().__init__(output_field=output_field)
        self.column = column

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.{connection.ops.quote_name(self.column)}", []


class SearchedIds(Expression):
    """The document is among the FTS5 index's matches: `+id IN (SELECT rowid ...)`, the
    unary plus keeping SQLite from reading the matches by id and sorting them, so that
    it walks the list's index instead (the subquery's ids are read once)."""

    output_field = BooleanField()

    def __init__(self, expression: str) -> None:
        super().__init__()
        self.expression = expression

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        matches = f"SELECT rowid FROM {INDEX} WHERE {INDEX} MATCH %s"
        return f"+{table}.{connection.ops.quote_name('id')} IN ({matches})", [self.expression]


@dataclass(frozen=True)
class Found:
    """The matches of a search that are few enough to rank: how many, and on PostgreSQL
    their ids (kept for ranking them without asking the index again)."""

    count: int
    ids: tuple[int, ...] | None


def more_matches_than(documents: QuerySet, query: SearchQuery, limit: int | None = None) -> bool:
    """Whether more than `limit` (RANK_LIMIT) of these documents match."""
    return matches_found(documents, query, limit) is None


def matches_found(
    documents: QuerySet, query: SearchQuery, limit: int | None = None
) -> Found | None:
    """The matches among these documents, or None when more than `limit` (RANK_LIMIT).

    Found through the index, stopping at the limit; on PostgreSQL a sample of PROBE
    documents first. The index hands back each match's row, read from the table: when
    a word is in most of a million documents, hundreds of thousands of rows before the
    limit is reached (180 ms); for a word in one document in a hundred, the limit's
    2,001 rows, each on a page of its own (5 ms from memory, 140 ms from disk). Testing
    the sample's own rows takes about a millisecond, and settles it whenever the
    sample's share of matches, spread over the collection, is well beyond the limit."""
    limit = RANK_LIMIT if limit is None else limit
    if connections[documents.db].vendor == "postgresql" and _many_in_sample(
        documents, query, limit
    ):
        return None
    indexed, found, _ = _matching(documents, query, walk=False, few=True)
    matches = indexed.filter(found).order_by()
    if connections[documents.db].vendor != "postgresql":
        count = matches.values("pk")[: limit + 1].count()
        return Found(count, None) if count <= limit else None
    ids = tuple(matches.values_list("pk", flat=True)[: limit + 1])
    return Found(len(ids), ids) if len(ids) <= limit else None


# Documents tested when a search may match too many to rank (the oldest of the list); the
# sample settles it when at least PROBE_MATCHES of them match and their share, spread over
# the list, is more than SETTLES times the limit. Counted as chance draws (Poisson), a
# word whose matches are just at the limit is then taken for too many by under 1% of
# samples, at half the limit by 0.05%, at whatever size of list (its matches come
# unranked, in the list's order, as past the limit), if the oldest documents are like the
# rest. Of the words each in one document in a hundred of a million, two in three are
# settled by the sample. A list shorter than the sample is counted whole by it, exactly.
PROBE = 500
PROBE_MATCHES = 5
SETTLES = 4


def _many_in_sample(documents: QuerySet, query: SearchQuery, limit: int) -> bool:
    sample = documents.order_by("pk").values("pk")[:PROBE]
    walked, found, _ = _matching(documents, query, walk=True, few=True)
    counted = (
        walked.filter(pk__in=sample)
        .order_by()
        .aggregate(matched=Count("pk", filter=found), sampled=Count("pk"))
    )
    matched = counted["matched"]
    if matched < PROBE_MATCHES:
        return False
    if counted["sampled"] < PROBE:  # the whole list, its matches counted
        return matched > limit
    return planned_rows(documents) * matched / PROBE > SETTLES * limit


def _matching(
    documents: QuerySet, query: SearchQuery, *, walk: bool, few: bool
) -> tuple[QuerySet, Q, Expression]:
    """The documents (with what the match needs), the match, and the rank (guarded by a
    look at whether the matches are few, unless `few` says they are)."""
    if connections[documents.db].vendor == "postgresql":
        return _postgresql(documents, query, walk=walk, few=few)
    found, ranking = _sqlite(query, walk=walk, few=few)
    return documents, found, ranking


def _postgresql(
    documents: QuerySet, query: SearchQuery, *, walk: bool = False, few: bool = False
) -> tuple[QuerySet, Q, Expression]:
    """The generated search_vector column against the terms, or the exact external id;
    with `walk`, in a form the full-text index does not answer (see documents_matching)."""
    from django.contrib.postgres.search import SearchRank, SearchVectorField

    parts = tsquery_parts(query)
    tsquery = _tsquery(parts)
    vector = DocumentColumn("search_vector", SearchVectorField())
    # Evaluated once per query: whether a match beyond the limit exists.
    rank = SearchRank(F("search_vector"), tsquery)
    if not few:
        every_match = documents.model._default_manager.filter(_indexed(vector, parts))
        rank = _while_few(~Exists(every_match[RANK_LIMIT:]), rank)
    if walk:
        # The operator's function, which no index answers, on the row in hand.
        match = Func(vector, tsquery, function="ts_match_vq", output_field=BooleanField())
        found = Q(match) | Q(external_id=query.typed)
        return documents, found, rank
    found = _indexed(vector, parts) | Q(external_id=query.typed)
    return documents.alias(search_vector=vector), found, rank


def _tsquery(parts: list[tuple[str, str]]) -> Expression:
    """The terms as one tsquery, every term required."""
    from django.contrib.postgres.search import SearchQuery as TsQuery

    return reduce(
        lambda a, b: a & b,
        (TsQuery(text, search_type=kind, config="simple") for kind, text in parts),
    )


# Two words or more with a space between: a phrase the word pairs' index narrows.
PAIRED = re.compile(r"[^\W\d_]+\s+[^\W\d_]+")


def _indexed(vector: Expression, parts: list[tuple[str, str]]) -> Q:
    """The terms as conditions the indexes answer (migration 0015): single words and
    prefixes through the words' index; a phrase of several words through the index of
    word pairs, then checked on the row (the words' index would hand back every
    document holding its words, each to be read for their positions: 90 ms for a phrase
    of three common words at a million documents)."""
    from django.contrib.postgres.search import SearchQuery as TsQuery
    from django.contrib.postgres.search import SearchQueryField

    paired = [text for kind, text in parts if kind == "phrase" and PAIRED.search(text)]
    words = [(kind, text) for kind, text in parts if not (kind == "phrase" and text in paired)]
    conditions = [Q(Func(vector, _tsquery(words), **MATCHES))] if words else []
    for text in paired:
        phrase = TsQuery(text, search_type="phrase", config="simple")
        pairs = Func(
            Value(text), function="annotations_phrase_pairs", output_field=SearchQueryField()
        )
        conditions.append(
            Q(Func(Func(vector, function="annotations_word_pairs"), pairs, **MATCHES))
            & Q(Func(vector, phrase, function="ts_match_vq", output_field=BooleanField()))
        )
    return reduce(lambda a, b: a & b, conditions)


# `vector @@ query`: the operator, which an index on the vector answers.
MATCHES = {"template": "%(expressions)s", "arg_joiner": " @@ ", "output_field": BooleanField()}


def _sqlite(query: SearchQuery, *, walk: bool = False, few: bool = False) -> tuple[Q, Expression]:
    """The FTS5 table, joined (models.DocumentSearchEntry) so that FTS5 ranks each match
    once; a subquery per row would count the documents holding each word every time.
    An exact external id needs no look-up of its own: the id column is indexed with
    the tokenizer that reads the query, so the id always matches its own words.

    `walk`: the matches' ids read once into a list that each row the order's index walks
    to is looked up in (SearchedIds). Joined, every match was read and sorted before
    the page was cut: 61 ms for a word in 76,000 of 100,000 documents, 10 ms walked
    (13 ms for the last page of the numbered ones)."""
    expression = fts5_expression(query)
    if walk:
        return Q(SearchedIds(expression)), Value(0.0, output_field=FloatField())
    # FTS5 ranks the best lowest; negated, so that higher is better on both databases.
    rank = -F("search_entry__rank")
    if not few:
        rank = _while_few(
            RawSQL(
                f"NOT EXISTS (SELECT 1 FROM {INDEX} WHERE {INDEX} MATCH %s LIMIT 1 OFFSET %s)",
                [expression, RANK_LIMIT],
                output_field=BooleanField(),
            ),
            rank,
        )
    return Q(search_entry__entry__match=expression), rank
