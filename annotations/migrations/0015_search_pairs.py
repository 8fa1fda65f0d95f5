"""An index of the word pairs each document holds, for phrase search on PostgreSQL.

A phrase is matched by the words' index (0011), which hands back every document that
holds all its words; each is then read for the words' positions. For a phrase of
common words that is most of the collection: 90 ms for three words at a million
documents, to find three matches. This index holds, for each document, the pairs of
words that stand next to each other (each pair hashed into one of 2^20 buckets, so
that the index stays near the size of the words' index instead of growing with every
distinct pair): a phrase's pairs narrow the documents to those holding all of them,
and only those are read.

The pairs are computed from the tsvector the documents already keep, by an IMMUTABLE
SQL function, in an expression index: no column is added and no row rewritten. The
query side (`annotations_phrase_pairs`) reads the phrase with the same parser, so a
document holding the phrase always holds its pairs. A phrase that gives no pair
matches the bucket `all`, which every document holds.

Building the index computes every document's pairs: about a second per thousand
documents (fifteen minutes at a million) under the migration's lock; every insert
or text change computes them again (0.2 ms a document of 1 KB). SQLite: nothing to
do; FTS5 keeps positions in its own index.
"""

from django.db import migrations

TABLE = "annotations_document"

POSTGRESQL = [
    """CREATE FUNCTION annotations_word_pairs(v tsvector) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT array_to_tsvector(
            array_agg(DISTINCT left(md5(a.lexeme || ' ' || b.lexeme), 5)) || '{all}'::text[]
        )
        FROM (SELECT u.lexeme, p FROM unnest(v) u, unnest(u.positions) p) a
        JOIN (SELECT u.lexeme, p FROM unnest(v) u, unnest(u.positions) p) b ON b.p = a.p + 1
    $$""",
    """CREATE FUNCTION annotations_phrase_pairs(phrase text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(
            nullif(array_to_string(array_remove(tsvector_to_array(
                annotations_word_pairs(to_tsvector('simple'::regconfig, phrase))
            ), 'all'), ' & '), ''),
            'all'
        )::tsquery
    $$""",
    f"""CREATE INDEX document_search_pairs ON {TABLE}
        USING gin (annotations_word_pairs(search_vector))""",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX document_search_pairs",
    "DROP FUNCTION annotations_phrase_pairs(text)",
    "DROP FUNCTION annotations_word_pairs(tsvector)",
]


def forwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL:
            schema_editor.execute(statement)


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("annotations", "0014_models")]

    operations = [migrations.RunPython(forwards, backwards)]
