"""Documents: the rules on changing them, and their status."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Count

from annotations.errors import Conflict, DomainError
from annotations.importers.normalize import unstorable
from annotations.models import Annotation, Collection, Document, Span
from annotations.records import text_hash
from annotations.services.collections import collection_stats_invalidate


class DocumentError(DomainError):
    pass


class DocumentExists(DocumentError, Conflict):
    pass


class DocumentLocked(Conflict):
    """The text of a document that spans refer to cannot change."""


class InvalidMeta(DomainError):
    pass


def document_text_locked(document: Document) -> bool:
    return Span.objects.filter(annotation__document=document).exists()


DOCUMENT_FIELDS = ("title", "text", "source_url", "published", "meta", "status")


@transaction.atomic
def document_create(
    *,
    collection: Collection,
    external_id: str,
    text: str,
    title: str = "",
    source_url: str = "",
    published: date | None = None,
    meta: dict | None = None,
    status: str = Document.Status.NEW,
) -> Document:
    """A document typed in by hand (imports write documents in bulk, in services.imports)."""
    if not external_id.strip():
        raise DocumentError("a document needs an id")
    if not text.strip():
        raise DocumentError("the document text is empty")
    _check_storable(external_id=external_id, text=text, title=title, meta=meta)
    if Document.objects.filter(collection=collection, external_id=external_id).exists():
        raise DocumentExists(f"{collection} has a document {external_id!r} already")
    collection_stats_invalidate(collection_ids=[collection.pk])
    return Document.objects.create(
        collection=collection,
        external_id=external_id,
        title=title,
        text=text,
        text_hash=text_hash(text),
        source_url=source_url,
        published=published,
        meta=meta or {},
        status=status,
    )


@transaction.atomic
def document_update(*, document: Document, **changes: Any) -> Document:
    """Change a document's fields; its text only while no span refers to it (offsets would
    break), its collection and id never."""
    unknown = set(changes) - set(DOCUMENT_FIELDS)
    if unknown:
        raise DocumentError(f"{', '.join(sorted(unknown))} cannot be changed here")
    _check_storable(**changes)
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if "text" in changes and changes["text"] != locked.text:
        if not changes["text"].strip():
            raise DocumentError("the document text is empty")
        if document_text_locked(locked):
            raise DocumentLocked(
                f"document {locked.external_id!r} has spans that refer to its text; "
                "its text cannot change"
            )
        changes["text_hash"] = text_hash(changes["text"])
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*changes, "updated_at"])
    return locked


def _check_storable(**fields: Any) -> None:
    for name, value in fields.items():
        if problem := unstorable(value):
            raise DocumentError(f"{name}: contains {problem}, which cannot be stored")


def document_update_text(*, document: Document, text: str) -> Document:
    """Replace a document's text; refused once any span refers to it (offsets would break)."""
    return document_update(document=document, text=text)


def document_fields_from_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """source_url and published, read from a record's meta (url, published)."""
    url = meta.get("url") or ""
    if not isinstance(url, str):
        raise InvalidMeta(f"meta.url: expected a string, got {url!r:.40}")
    if len(url) > 2000:
        raise InvalidMeta("meta.url: longer than 2000 characters")
    return {"source_url": url, "published": _published(meta.get("published"))}


def _published(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]) if len(value) <= 10 else _datetime(value)
        except ValueError:
            pass
    raise InvalidMeta(f"meta.published: expected a date like 2025-12-29, got {value!r:.40}")


def _datetime(value: str) -> date:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).date()


def documents_refresh_status(*, document_ids: Iterable[int]) -> int:
    """new / queued / annotated from how many human annotations a document has.

    A document is annotated once it has as many human annotations as its
    collection's overlap; documents in review, gold or rejected keep their status.
    """
    open_statuses = [Document.Status.NEW, Document.Status.QUEUED, Document.Status.ANNOTATED]
    documents = list(
        Document.objects.filter(pk__in=list(document_ids), status__in=open_statuses)
        .select_related("collection")
        .only("pk", "status", "ls_task_id", "collection__overlap")
    )
    humans = dict(
        Annotation.objects.filter(document__in=documents, kind=Annotation.Kind.HUMAN)
        .values("document_id")
        .annotate(total=Count("pk"))
        .values_list("document_id", "total")
    )
    changed = []
    for document in documents:
        if humans.get(document.pk, 0) >= document.collection.overlap:
            status = Document.Status.ANNOTATED
        else:
            status = Document.Status.QUEUED if document.ls_task_id else Document.Status.NEW
        if status != document.status:
            document.status = status
            changed.append(document)
    Document.objects.bulk_update(changed, ["status"])
    collection_stats_invalidate(collection_ids={d.collection_id for d in changed})
    return len(changed)
