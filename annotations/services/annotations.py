"""Storing annotation records as Annotation, Span and Attribution rows, in bulk."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models, router, transaction
from django.utils import timezone

from annotations.models import Annotation, Attribution, Span, Speaker, SpeakerAlias, speaker_key
from annotations.records import AnnotationKind, AnnotationRecord
from annotations.services.annotators import annotator_key, annotators_resolve
from annotations.services.collections import collection_stats_invalidate
from annotations.services.speakers import speakers_resolve

ANNOTATION_FIELDS = (
    "kind",
    "annotator",
    "content_hash",
    "raw",
    "problems",
    "provenance",
    "model_version",
    "score",
    "lead_time",
    "updated_at",
)


@dataclass
class AnnotationWrite:
    """One annotation to store: its record, where it breaks the scheme, and other model fields."""

    document_id: int
    record: AnnotationRecord
    problems: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    # The annotator row, when the caller knows it (a Label Studio user); otherwise the
    # record's annotator label finds or adds one.
    annotator_id: int | None = None


@dataclass
class WriteCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def annotation_rows_write(*, writes: list[AnnotationWrite]) -> WriteCounts:
    """Create or update one Annotation per write, with its spans and attributions.

    A write for a Label Studio annotation (`fields["ls_annotation_id"]`) replaces the
    annotation linked to it, whatever its source (a gold pushed from review keeps
    its identity); any other record with a source_key replaces the annotation stored
    under the same key for that document. Its spans and attributions are rewritten
    unless nothing changed; without a key it is always a new annotation.
    """
    counts = WriteCounts()
    existing = _existing(
        [(w.document_id, w.record.source_key) for w in writes if w.record.source_key]
    )
    linked = _linked([w.fields.get("ls_annotation_id") for w in writes])
    annotators = annotators_resolve(
        names=[w.record.annotator for w in writes if w.annotator_id is None]
    )
    now = timezone.now()
    to_create, to_update, written = [], [], []
    for write in writes:
        record = write.record
        annotator_id = write.annotator_id or annotators.get(annotator_key(record.annotator))
        row = Annotation(
            document_id=write.document_id,
            source_key=record.source_key,
            annotator_id=annotator_id if record.annotator else None,
            **_values(record, write.problems, now),
            **write.fields,
        )
        found = linked.get(write.fields.get("ls_annotation_id")) or (
            existing.get((write.document_id, record.source_key)) if record.source_key else None
        )
        if found is None:
            to_create.append(row)
        elif found[1] == row.content_hash:
            counts.unchanged += 1
            continue
        else:
            row.pk = found[0]
            to_update.append(row)
        written.append((row, record))
    Span.objects.filter(annotation_id__in=[row.pk for row in to_update]).delete()
    Annotation.objects.bulk_create(to_create)
    update_fields = {*ANNOTATION_FIELDS, *(key for w in writes for key in w.fields)}
    Annotation.objects.bulk_update(to_update, sorted(update_fields))
    counts.created, counts.updated = len(to_create), len(to_update)
    _write_spans(written)
    collection_stats_invalidate(document_ids={row.document_id for row, _ in written})
    return counts


def _existing(keyed: list[tuple[int, str]]) -> dict[tuple[int, str], tuple[int, str]]:
    if not keyed:
        return {}
    rows = Annotation.objects.filter(
        document_id__in={doc for doc, _ in keyed}, source_key__in={key for _, key in keyed}
    ).values_list("document_id", "source_key", "id", "content_hash")
    return {(doc, key): (pk, digest) for doc, key, pk, digest in rows}


def _linked(ls_ids: list[int | None]) -> dict[int, tuple[int, str]]:
    ids = [i for i in ls_ids if i is not None]
    if not ids:
        return {}
    rows = Annotation.objects.filter(ls_annotation_id__in=ids).values_list(
        "ls_annotation_id", "id", "content_hash"
    )
    return {ls_id: (pk, digest) for ls_id, pk, digest in rows}


def _values(record: AnnotationRecord, problems: list[str], now: Any) -> dict[str, Any]:
    return {
        "kind": record.kind,
        "content_hash": record.content_hash(),
        "raw": record.raw,
        "problems": problems,
        "provenance": record.provenance,
        "model_version": record.model_version[:100],
        "score": record.score,
        "lead_time": record.lead_time,
        "updated_at": now,
    }


def _write_spans(written: list[tuple[Annotation, AnnotationRecord]]) -> None:
    fragments = Span._meta.get_field("fragments")
    connection = connections[router.db_for_write(Span)]
    contiguous = fragments.get_db_prep_save([], connection)  # nearly every span
    rows = [
        (row.pk, span.id, span.label, span.start, span.end, span.text,
         fragments.get_db_prep_save([list(p) for p in span.fragments], connection)
         if span.fragments else contiguous)
        for row, record in written
        for span in record.spans
    ]  # fmt: skip
    fields = ("annotation", "region_id", "label", "start", "end", "text", "fragments")
    if connection.vendor == "postgresql":
        # The ids are drawn first, so the rows go in by COPY and nothing is read back.
        ids = _next_ids(Span, len(rows))
        _insert(Span, ("id", *fields), [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
        index = {(row[0], row[1]): pk for pk, row in zip(ids, rows, strict=True)}
    else:
        _insert(Span, fields, rows)
        index = _span_ids([row.pk for row, _ in written])
    mentions = [
        (index[(row.pk, r.target)], index[(row.pk, r.source)])
        for row, record in written
        for r in record.relations
        if (row.pk, r.source) in index and (row.pk, r.target) in index
    ]
    _set_antecedents(mentions)
    # People's names grow the registry; a prediction's only link to a speaker known.
    people, predicted = set(), set()
    for _, record in written:
        names = predicted if record.kind == AnnotationKind.PREDICTION else people
        names.update(a.speaker_name for a in record.attributions)
    speakers = {
        **speakers_resolve(names=predicted - people, create=False),
        **speakers_resolve(names=people),
    }

    def span_id(annotation_id: int, region_id: str | None) -> int | None:
        return index[(annotation_id, region_id)] if region_id is not None else None

    _grow_aliases([record for _, record in written], speakers)
    _insert(
        Attribution,
        ("annotation", "quote", "speaker", "cue", "speaker_entity", "speaker_name",
         "quote_type", "stance", "claim_type"),
        [
            (row.pk, index[(row.pk, a.quote)], span_id(row.pk, a.speaker),
             span_id(row.pk, a.cue), speakers.get(speaker_key(a.speaker_name)),
             a.speaker_name[:300], a.quote_type, a.stance, a.claim_type)
            for row, record in written
            for a in record.attributions
        ],
    )  # fmt: skip


# Rows written per statement, and annotations per look-up of their span ids.
INSERT_BATCH = 2000
IDS_BATCH = 500


def _insert(model: type[models.Model], fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Rows straight into the model's table, values in the order of `fields`.

    An annotation has tens of spans; building a model instance for each and
    preparing every value one by one was most of bulk_create's time (and of an
    import's or a pull's).
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: the rows stream in one statement, no per-row statement at all.
            copy_sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for start in range(0, len(rows), INSERT_BATCH):
            cursor.executemany(sql, rows[start : start + INSERT_BATCH])


def _set_antecedents(pairs: list[tuple[int, int]]) -> None:
    """Each (antecedent id, mention id): the mention's span points to its antecedent."""
    if not pairs:
        return
    connection = connections[router.db_for_write(Span)]
    quote = connection.ops.quote_name
    table, column = quote(Span._meta.db_table), quote(Span._meta.get_field("antecedent").column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for start in range(0, len(pairs), INSERT_BATCH):
                chunk = pairs[start : start + INSERT_BATCH]
                values = ", ".join(["(%s, %s)"] * len(chunk))
                cursor.execute(
                    f"UPDATE {table} SET {column} = v.antecedent FROM (VALUES {values}) "
                    f"AS v(antecedent, mention) WHERE {table}.id = v.mention",
                    [value for pair in chunk for value in pair],
                )
            return
        cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE id = %s", pairs)


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh ids from the table's own sequence (PostgreSQL)."""
    if not count:
        return []
    connection = connections[router.db_for_write(model)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _span_ids(annotation_ids: list[int]) -> dict[tuple[int, str], int]:
    """The id of each span of these annotations, by (annotation id, region id)."""
    index = {}
    for start in range(0, len(annotation_ids), IDS_BATCH):
        spans = Span.objects.filter(annotation_id__in=annotation_ids[start : start + IDS_BATCH])
        for pk, annotation_id, region_id in spans.values_list("pk", "annotation_id", "region_id"):
            index[(annotation_id, region_id)] = pk
    return index


def _grow_aliases(records: list[AnnotationRecord], speakers: dict[str, int]) -> None:
    """Names people were called in human and gold annotations become speaker aliases."""
    aliases = {}
    for record in records:
        if record.kind == AnnotationKind.PREDICTION:
            continue
        spans = record.span_by_id()
        for attribution in record.attributions:
            speaker_id = speakers.get(speaker_key(attribution.speaker_name))
            mention = spans.get(attribution.speaker)
            if speaker_id and mention and _is_name(mention.text):
                key = speaker_key(mention.text)
                if key != speaker_key(attribution.speaker_name):
                    aliases.setdefault(
                        key, SpeakerAlias(speaker_id=speaker_id, name=mention.text, key=key)
                    )
    # A name that is another speaker's own stays that speaker's: never an alias as well.
    names = set(Speaker.objects.filter(key__in=list(aliases)).values_list("key", flat=True))
    fresh = [alias for key, alias in aliases.items() if key not in names]
    SpeakerAlias.objects.bulk_create(fresh, ignore_conflicts=True)


def _is_name(text: str) -> bool:
    """A proper name ("Ushakov", "President Trump"), not a pronoun or "the company"."""
    words = text.split()
    if not words or len(words) > 8 or not words[0][:1].isupper():
        return False
    return words[0].casefold() not in NOT_ALIASES


NOT_ALIASES = {
    "the",
    "a",
    "an",
    "he",
    "she",
    "they",
    "it",
    "we",
    "i",
    "this",
    "that",
    "its",
    "his",
    "her",
    "their",
    "one",
    "two",
    "three",
    "both",
    "some",
    "many",
    "several",
}
