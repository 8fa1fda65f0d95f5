"""Each document's search vector kept in its row, on PostgreSQL.

A row of a news-length document (its text and its vector, a few kilobytes each) is
larger than PostgreSQL keeps in a row, so one column goes out of line: the vector,
the largest. Every search then fetched each vector it tested from the TOAST table
through that table's index: 3.7 µs a row, the whole cost of walking the list's order
for a search that matches many documents, of ranking and of checking a phrase's
positions. With the vector's storage MAIN the text goes out of line instead (read
only for the rows a page shows) and the vector stays in the row, compressed if need
be: testing 100,000 rows took 377 ms before and 75 ms after.

The storage applies to rows written from now on; this migration rewrites nothing, so
it takes no time at any size. Existing documents move their vectors into their rows
when next changed, or all at once with `VACUUM FULL annotations_document` (about 2.5
minutes per 100,000 documents, the table locked meanwhile; README, "Searching
documents").
SQLite: nothing to do; FTS5 keeps its own index.
"""

from django.db import migrations

TABLE = "annotations_document"


def forwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STORAGE MAIN")


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    dependencies = [("annotations", "0015_search_pairs")]

    operations = [migrations.RunPython(forwards, backwards)]
