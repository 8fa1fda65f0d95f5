"""The documents' full-text index as each database keeps it (migration 0011): the
expressions that match a parsed query (annotations.search) and rank the matches.

PostgreSQL: the generated `search_vector` column, GIN-indexed; ts_rank. SQLite: the
FTS5 table `annotations_document_search`; bm25 (as its `rank`, weighted in the
migration). Ranking reads each match's whole index entry (on PostgreSQL a tsvector of
several kilobytes, stored out of line), so it is done only while the matches are few:
a word found in more than RANK_LIMIT documents says little about which is best, and
those results come in external id order instead, as fast as they are counted.
"""

from __future__ import annotations

from functools import reduce

from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
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

from annotations.search import SearchQuery, fts5_expression, tsquery_parts

RANK_LIMIT = 10_000
FTS_TABLE = "annotations_document_search"


def documents_matching(documents: QuerySet, query: SearchQuery) -> QuerySet:
    """These documents where every term of the query is found, or whose external id is
    the query; that one first, then by rank, then by external id."""
    if connections[documents.db].vendor == "postgresql":
        documents, words, rank = _postgresql(documents, query)
    else:
        words, rank = _sqlite(query)
    exact = Q(external_id=query.typed)
    return (
        documents.filter(words | exact)
        .annotate(
            search_exact=ExpressionWrapper(exact, output_field=BooleanField()),
            search_rank=rank,
        )
        .order_by("-search_exact", "-search_rank", "external_id", "pk")
    )


def _while_few(matches_few: Expression, rank: Expression) -> Case:
    return Case(When(matches_few, then=rank), default=Value(0.0), output_field=FloatField())


class DocumentColumn(Expression):
    """A column of the document table that the model does not declare, under whatever
    alias the query gives the table (a subquery renames it)."""

    def __init__(self, column: str, output_field) -> None:
        super().__init__(output_field=output_field)
        self.column = column

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.{connection.ops.quote_name(self.column)}", []


def _postgresql(documents: QuerySet, query: SearchQuery) -> tuple[QuerySet, Q, Expression]:
    from django.contrib.postgres.search import SearchQuery as TsQuery
    from django.contrib.postgres.search import SearchRank, SearchVectorField

    tsquery = reduce(
        lambda a, b: a & b,
        (TsQuery(text, search_type=kind, config="simple") for kind, text in tsquery_parts(query)),
    )
    vector = DocumentColumn("search_vector", SearchVectorField())
    every_match = documents.model._default_manager.alias(search_vector=vector)
    every_match = every_match.filter(search_vector=tsquery)
    # Evaluated once per query: whether a match beyond the limit exists.
    few = ~Exists(every_match[RANK_LIMIT:])
    rank = _while_few(few, SearchRank(F("search_vector"), tsquery))
    return documents.alias(search_vector=vector), Q(search_vector=tsquery), rank


def _sqlite(query: SearchQuery) -> tuple[Q, Expression]:
    expression = fts5_expression(query)
    matches = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression])
    few = RawSQL(
        f"NOT EXISTS (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT 1 OFFSET %s)",
        [expression, RANK_LIMIT],
        output_field=BooleanField(),
    )
    # FTS5 ranks the best lowest; negated, so that higher is better on both databases.
    bm25 = Func(
        Value(expression),
        F("pk"),
        template=f"(SELECT -rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %(expressions)s)",
        arg_joiner=" AND rowid = ",
        output_field=FloatField(),
    )
    return Q(pk__in=matches), _while_few(few, bm25)
