"""Writing imported documents and annotations: batched, idempotent, all or nothing.

`documents_import` takes what a reader yields and writes it in one
transaction: if any record is bad, the whole input is rolled back and every
problem (up to a limit) is reported with its file and line.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.db import transaction

from annotations.errors import DomainError
from annotations.importers import ReadItem
from annotations.importers.normalize import InputError, InputWarning, unstorable
from annotations.models import Annotation, Collection, Document
from annotations.records import (
    AnnotationKind,
    AnnotationRecord,
    DocumentRecord,
    sort_annotation,
    stable_hash,
    text_hash,
)
from annotations.scheme import Scheme, complete_attributions, get_scheme, validate_annotation
from annotations.services.annotations import AnnotationWrite, annotation_rows_write
from annotations.services.collections import collection_stats_invalidate
from annotations.services.documents import InvalidMeta, document_fields_from_meta

MAX_ERRORS = 20


@dataclass
class ImportResult:
    documents_created: int = 0
    documents_updated: int = 0
    documents_unchanged: int = 0
    annotations_created: int = 0
    annotations_updated: int = 0
    annotations_unchanged: int = 0
    errors: list[InputError] = field(default_factory=list)
    error_count: int = 0
    warnings: list[InputWarning] = field(default_factory=list)
    # What the input holds (written or, in a dry run, would be): annotations by kind and
    # annotator, spans by label, split spans, attributions, what a brat profile skipped.
    contents: Counter = field(default_factory=Counter)

    @property
    def documents(self) -> int:
        return self.documents_created + self.documents_updated + self.documents_unchanged

    def add(self, other: ImportResult) -> None:
        for item in dataclasses.fields(self):
            if item.type == "int":
                setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)
        self.contents.update(other.contents)

    def count(self, annotation: AnnotationRecord) -> None:
        who = f" by {annotation.annotator}" if annotation.annotator else ""
        self.contents[f"{annotation.kind} annotations{who}"] += 1
        for span in annotation.spans:
            self.contents[f"{span.label} spans"] += 1
            self.contents["split spans"] += bool(span.fragments)
        self.contents["attributions"] += len(annotation.attributions)
        skipped = annotation.provenance.get("brat_skipped") or {}
        for label, count in skipped.items():
            self.contents[f"skipped {label}"] += count


class ImportFailed(DomainError):
    """The input had errors; nothing of it was written."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__(f"{result.error_count} error(s)")
        self.result = result


@dataclass
class _Prepared:
    record: DocumentRecord
    fields: dict
    digest: str
    # The document came earlier in the same input (with another annotation).
    repeat: bool = False


def documents_import(
    *,
    collection: Collection,
    items: Iterable[ReadItem] | Callable[[], Iterable[ReadItem]],
    as_gold: bool = False,
    dry_run: bool = False,
    batch_size: int | None = None,
    on_document: Callable[[DocumentRecord], None] | None = None,
) -> ImportResult:
    """Write the documents and annotations read from one input, or nothing at all.

    Raises ImportFailed (having written nothing) if any record is bad; a dry
    run checks and counts everything, then rolls back. Given a way to read the
    input again (`items` a callable), the input is checked whole first and then
    written a batch per transaction, so no transaction holds the database for
    long; should a write then fail, the documents it created are removed.
    """
    scheme = get_scheme(collection.scheme)
    batch_size = batch_size or settings.IMPORT_BATCH_SIZE
    if callable(items) and not dry_run:
        return _import_checked_then_batched(collection, items, scheme, as_gold, batch_size,
                                            on_document)  # fmt: skip
    items = items() if callable(items) else items
    result = ImportResult()
    seen: dict = {}
    with transaction.atomic():
        for batch in _batches(_prepare_all(items, scheme, as_gold, seen, result), batch_size):
            if result.error_count == 0:
                _apply(_plan(collection, batch, result), result)
            if on_document:
                for prepared in batch:
                    on_document(prepared.record)
        if result.error_count or dry_run:
            transaction.set_rollback(True)
    if result.error_count:
        raise ImportFailed(result)
    return result


def _import_checked_then_batched(
    collection: Collection,
    read: Callable[[], Iterable[ReadItem]],
    scheme: Scheme,
    as_gold: bool,
    batch_size: int,
    on_document: Callable[[DocumentRecord], None] | None,
) -> ImportResult:
    checked = ImportResult()
    for batch in _batches(_prepare_all(read(), scheme, as_gold, {}, checked), batch_size):
        if checked.error_count == 0:
            _plan(collection, batch, checked)  # what is stored may refuse a record too
    if checked.error_count:
        raise ImportFailed(checked)
    result = ImportResult()
    created: list[int] = []
    try:
        for batch in _batches(_prepare_all(read(), scheme, as_gold, {}, result), batch_size):
            with transaction.atomic():
                plan = _plan(collection, batch, result)
                if result.error_count:  # the stored documents changed meanwhile
                    raise ImportFailed(result)
                _apply(plan, result)
            created += [document.pk for document in plan.created]
            if on_document:
                for prepared in batch:
                    on_document(prepared.record)
    except BaseException:
        Document.objects.filter(pk__in=created).delete()
        raise
    return result


def _prepare_all(
    items: Iterable[ReadItem], scheme: Scheme, as_gold: bool, seen: dict, result: ImportResult
) -> Iterator[_Prepared]:
    """Validated records; a document may come again (another annotator's version) but
    not with other text, and one source's annotation may not come twice differently."""
    for item in items:
        if isinstance(item, InputWarning):
            result.warnings.append(item)
            continue
        try:
            if isinstance(item, InputError):
                raise item
            prepared = _prepare(item, scheme, as_gold)
            record = prepared.record
            previous = seen.get(record.external_id)
            if previous is not None and previous[1] != prepared.digest:
                raise InputError(
                    f"document {record.external_id!r} appears again with other text, title "
                    f"or meta (first at {previous[0]})",
                    record.location,
                )
            prepared.repeat = previous is not None
            seen.setdefault(record.external_id, (record.location, prepared.digest))
            record.annotations = [a for a in record.annotations if _first_time(a, record, seen)]
            for annotation in record.annotations:
                result.count(annotation)
            if not prepared.repeat or record.annotations:
                yield prepared
        except InputError as error:
            _record_error(result, error)


def _first_time(annotation: AnnotationRecord, record: DocumentRecord, seen: dict) -> bool:
    if not annotation.source_key:
        return True
    key = (record.external_id, annotation.source_key)
    digest = annotation.content_hash()
    if key in seen:
        location, first = seen[key]
        if first != digest:
            raise InputError(
                f"document {record.external_id!r} has a second, different annotation from "
                f"the same source ({annotation.source_key}; first at {location})",
                record.location,
            )
        return False
    seen[key] = (record.location, digest)
    return True


def _record_error(result: ImportResult, error: InputError) -> None:
    result.error_count += 1
    if len(result.errors) < MAX_ERRORS:
        result.errors.append(error)


def _prepare(record: DocumentRecord, scheme: Scheme, as_gold: bool) -> _Prepared:
    """Validate a record against the scheme and bring its annotations into canonical form."""
    try:
        fields = document_fields_from_meta(record.meta)
    except InvalidMeta as error:
        raise InputError(str(error), record.location) from None
    if len(record.external_id) > 255:
        raise InputError("id: longer than 255 characters", record.location)
    stored = [("id", record.external_id), ("title", record.title), ("meta", record.meta)]
    stored += [("provenance", annotation.provenance) for annotation in record.annotations]
    for name, value in stored:
        if problem := unstorable(value):
            raise InputError(f"{name}: contains {problem}, which cannot be stored", record.location)
    annotations = []
    for annotation in record.annotations:
        annotation = sort_annotation(complete_attributions(annotation))
        if as_gold and annotation.kind != AnnotationKind.PREDICTION:
            annotation = _as_gold(annotation)
        problems = validate_annotation(scheme, record.text, annotation)
        if problems:
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise InputError("; ".join(problems[:5]) + more, record.location)
        annotations.append(annotation)
    keys = [a.source_key for a in annotations]
    if len(set(keys)) != len(keys):
        raise InputError(
            "more than one annotation of this document would be stored as the same one "
            f"({', '.join(sorted({k for k in keys if keys.count(k) > 1}))}); "
            "with --as-gold a document can have only one gold annotation",
            record.location,
        )
    record.annotations = annotations
    digest = stable_hash([record.text, record.title, record.meta])
    return _Prepared(record, fields, digest)


def _as_gold(annotation: AnnotationRecord) -> AnnotationRecord:
    """The annotation as the document's gold: whose version it was goes to its provenance
    (an annotator's annotations are the human ones; gold names its adjudicator)."""
    provenance = dict(annotation.provenance)
    provenance.pop("annotator", None)
    if annotation.annotator and not provenance.get("annotators"):
        provenance["annotators"] = [annotation.annotator]
    adjudicator = provenance.get("adjudicator") or annotation.annotator
    if adjudicator:
        provenance["adjudicator"] = str(adjudicator)
    return dataclasses.replace(
        annotation,
        kind=AnnotationKind.GOLD,
        source_key="import:gold",
        annotator="",
        provenance=provenance,
    )


def _batches(items: Iterable[_Prepared], size: int) -> Iterator[list[_Prepared]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass
class _Plan:
    """What a batch writes: documents to create or update, annotations per document."""

    collection: Collection
    created: list[Document] = field(default_factory=list)
    updated: list[Document] = field(default_factory=list)
    document_ids: dict[str, int] = field(default_factory=dict)
    annotations: dict[str, list[AnnotationRecord]] = field(default_factory=dict)


def _plan(collection: Collection, batch: list[_Prepared], result: ImportResult) -> _Plan:
    """The batch's writes, from what is stored (reads only); refusals go to `result`."""
    plan = _Plan(collection)
    by_id: dict[str, _Prepared] = {}
    for prepared in batch:
        by_id.setdefault(prepared.record.external_id, prepared)
        plan.annotations.setdefault(prepared.record.external_id, []).extend(
            prepared.record.annotations
        )
    existing = {
        row["external_id"]: row
        for row in Document.objects.filter(
            collection=collection, external_id__in=list(by_id)
        ).values("id", "external_id", "text_hash", "title", "meta", "source_url", "published")
    }
    locked = _locked_documents([row["id"] for row in existing.values()])
    for external_id, prepared in by_id.items():
        record, row = prepared.record, existing.get(external_id)
        values = {
            "title": record.title[:500],
            "text": record.text,
            "text_hash": text_hash(record.text),
            "meta": record.meta,
            **prepared.fields,
        }
        if row is None:
            plan.created.append(Document(collection=collection, external_id=external_id, **values))
            continue
        plan.document_ids[external_id] = row["id"]
        if prepared.repeat:
            continue
        if row["text_hash"] != values["text_hash"] and row["id"] in locked:
            _record_error(
                result,
                InputError(
                    f"document {external_id!r} is already stored with other text, and "
                    "annotations refer to that text; it cannot change",
                    record.location,
                ),
            )
        elif any(
            row[key] != values[key]
            for key in ("text_hash", "title", "meta", "source_url", "published")
        ):
            plan.updated.append(Document(id=row["id"], **values))
        else:
            result.documents_unchanged += 1
    return plan


def _apply(plan: _Plan, result: ImportResult) -> None:
    Document.objects.bulk_create(plan.created)
    Document.objects.bulk_update(
        plan.updated, ["title", "text", "text_hash", "meta", "source_url", "published"]
    )
    result.documents_created += len(plan.created)
    result.documents_updated += len(plan.updated)
    plan.document_ids.update({document.external_id: document.id for document in plan.created})
    annotations = [
        (plan.document_ids[external_id], annotation)
        for external_id, records in plan.annotations.items()
        for annotation in records
    ]
    counts = annotation_rows_write(
        writes=[AnnotationWrite(document_id, annotation) for document_id, annotation in annotations]
    )
    result.annotations_created += counts.created
    result.annotations_updated += counts.updated
    result.annotations_unchanged += counts.unchanged
    gold = {document_id for document_id, a in annotations if a.kind == AnnotationKind.GOLD}
    if gold:
        Document.objects.filter(id__in=gold).update(status=Document.Status.GOLD)
    if plan.created or gold:
        collection_stats_invalidate(collection_ids=[plan.collection.pk])


def _locked_documents(document_ids: list[int]) -> set[int]:
    if not document_ids:
        return set()
    return set(
        Annotation.objects.filter(document_id__in=document_ids, spans__isnull=False)
        .values_list("document_id", flat=True)
        .distinct()
    )
