"""Full-text search over documents' titles, external ids and texts, by the database.

PostgreSQL: a tsvector column the database computes itself (GENERATED ... STORED), so
every write path, COPY included, keeps it current; a GIN index over it. Adding the
column computes it for every existing row (the table is rewritten, under a lock: four
to six minutes at 100,000 documents of 3 KB). The price is paid on writes: a
document's status is indexed, so a status change writes a new row version, and the
GIN index takes that version's few hundred words again (about 1 ms per document
changed, where the other indexes take 0.04 ms). A side table kept by triggers avoids
that, but every search then joins it, and a common word took 3 to 8 times as long.
Only the first 100,000 characters of a text are indexed: a tsvector holds at most
1 MB (a longer text of unusual words would fail its insert), and PostgreSQL counts
word positions only up to 16,383 anyway.

SQLite: an external-content FTS5 table over the document table (it stores the index,
not a second copy of the texts), rebuilt from the existing rows and kept in step by
triggers. Django rebuilds a SQLite table for some later schema changes (a copy, then
a rename), which drops its triggers: a migration that alters annotations_document on
SQLite must create them again (tests/test_selectors.py fails until it does).

Both index words as they are (lower-cased, no stemming and no stop words), so a
query means the same on both: `hospital*` finds "hospitals", "the" is a word too.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "annotations_document"
FTS = "annotations_document_search"
COLUMNS = "title, external_id, text"

POSTGRESQL = [
    f"""ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title), 'A')
        || setweight(to_tsvector('simple'::regconfig, external_id), 'A')
        || setweight(to_tsvector('simple'::regconfig, left(text, 100000)), 'D')
    ) STORED""",
    f"CREATE INDEX document_search_vector ON {TABLE} USING gin (search_vector)",
    # The planner cannot see that testing a row against its tsvector means reading
    # kilobytes out of line: with statistics saying a word is in most rows it scans
    # the table and reads every vector (2.3 s for a count at 100,000 documents). With
    # none it takes any search to match few rows and uses the index, which answers a
    # word query without reading a vector (0.16 s).
    f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STATISTICS 0",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX document_search_vector",
    f"ALTER TABLE {TABLE} DROP COLUMN search_vector",
]


def _values(row: str) -> str:
    return f"{row}.id, {row}.title, {row}.external_id, {row}.text"


SQLITE = [
    f"""CREATE VIRTUAL TABLE {FTS} USING fts5({COLUMNS}, content='{TABLE}',
        content_rowid='id', tokenize='unicode61 remove_diacritics 0')""",
    # A word in the title or the id weighs ten in the text (as weight A to D in PostgreSQL).
    f"INSERT INTO {FTS}({FTS}, rank) VALUES ('rank', 'bm25(10.0, 10.0, 1.0)')",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
    f"""CREATE TRIGGER {FTS}_insert AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES ({_values("new")});
    END""",
    f"""CREATE TRIGGER {FTS}_delete AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', {_values("old")});
    END""",
    # A status change saves the whole row: the words are indexed again only when they change.
    f"""CREATE TRIGGER {FTS}_update AFTER UPDATE OF {COLUMNS} ON {TABLE}
        WHEN old.title IS NOT new.title OR old.external_id IS NOT new.external_id
            OR old.text IS NOT new.text
    BEGIN
        INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', {_values("old")});
        INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES ({_values("new")});
    END""",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER {FTS}_update",
    f"DROP TRIGGER {FTS}_delete",
    f"DROP TRIGGER {FTS}_insert",
    f"DROP TABLE {FTS}",
]


def run(statements: dict[str, list[str]]):
    def operation(apps, schema_editor) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0010_list_indexes"),
    ]

    operations = [
        # An exact external id is found by this index, whichever collection holds it.
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["external_id"], name="document_external_id"),
        ),
        # SQLite's index, as the ORM joins it (no table is made here: it is the FTS5 one).
        migrations.CreateModel(
            name="DocumentSearchEntry",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        db_column="rowid",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="annotations.document",
                    ),
                ),
                ("entry", models.TextField(db_column="annotations_document_search")),
                ("rank", models.FloatField()),
            ],
            options={"db_table": "annotations_document_search", "managed": False},
        ),
        migrations.RunPython(
            run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
            hints={"model_name": "document"},
        ),
    ]
