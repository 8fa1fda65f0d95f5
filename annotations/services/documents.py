"""Collections and documents: creation and the rules on changing them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.validators import slug_re
from django.db import transaction
from django.db.models import Count

from annotations.models import Annotation, Collection, Document, Span
from annotations.records import text_hash
from annotations.scheme import DEFAULT_SCHEME, get_scheme


class DocumentLocked(Exception):
    """The text of a document that spans refer to cannot change."""


class InvalidMeta(ValueError):
    pass


class CollectionError(ValueError):
    pass


def collection_get_or_create(*, name: str, scheme: str = DEFAULT_SCHEME) -> tuple[Collection, bool]:
    get_scheme(scheme)  # refuse an unknown scheme before creating anything
    _check_collection_name(name)
    return Collection.objects.get_or_create(name=name, defaults={"scheme": scheme})


@transaction.atomic
def collection_update(
    *,
    name: str,
    title: str | None = None,
    overlap: int | None = None,
    scheme: str | None = None,
    guidelines: str | None = None,
) -> tuple[Collection, bool]:
    """Create the collection or change the given settings; None leaves a setting as it is."""
    _check_collection_name(name)
    if overlap is not None and not 1 <= overlap <= 100:
        raise CollectionError(f"overlap must be between 1 and 100, not {overlap}")
    if scheme is not None:
        get_scheme(scheme)
    collection, created = Collection.objects.select_for_update().get_or_create(name=name)
    if (
        scheme not in (None, collection.scheme)
        and Annotation.objects.filter(document__collection=collection).exists()
    ):
        raise CollectionError(
            f"collection {name!r} has annotations under {collection.scheme}; "
            "its scheme cannot change"
        )
    changes = {"title": title, "overlap": overlap, "scheme": scheme, "guidelines": guidelines}
    for field, value in changes.items():
        if value is not None:
            setattr(collection, field, value)
    collection.save()
    return collection, created


def _check_collection_name(name: str) -> None:
    if not slug_re.match(name) or len(name) > 100:
        raise CollectionError(f"collection name {name!r} must be 1-100 letters, digits, '-' or '_'")


def document_text_locked(document: Document) -> bool:
    return Span.objects.filter(annotation__document=document).exists()


@transaction.atomic
def document_update_text(*, document: Document, text: str) -> Document:
    """Replace a document's text; refused once any span refers to it (offsets would break)."""
    if text == document.text:
        return document
    locked = Document.objects.select_for_update().filter(pk=document.pk)
    if not locked.exists():
        raise Document.DoesNotExist(f"document {document.pk} no longer exists")
    if document_text_locked(document):
        raise DocumentLocked(
            f"document {document.external_id!r} has spans that refer to its text; "
            "its text cannot change"
        )
    document.text = text
    document.text_hash = text_hash(text)
    document.save(update_fields=["text", "text_hash", "updated_at"])
    return document


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
    return len(changed)
