"""Review: opening a document, settling its gold version, sending it back, pushing gold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from annotations.adjudication import (
    Decision,
    NewQuote,
    Unit,
    build_gold,
    extent_problem,
    units,
)
from annotations.errors import Conflict, DomainError
from annotations.labelstudio.client import LabelStudioClient
from annotations.labelstudio.convert import domain_to_result
from annotations.labelstudio.sync import parse_timestamp
from annotations.models import Annotation, Document, Job
from annotations.records import AnnotationRecord
from annotations.scheme import get_scheme, validate_annotation
from annotations.selectors import annotation_records, current_gold, human_versions_by_document
from annotations.services.annotations import AnnotationWrite, annotation_rows_write
from annotations.services.collections import collection_stats_invalidate
from annotations.services.jobs import job_start

REVIEW_SOURCE = "review"


class ReviewError(DomainError):
    pass


class NotInLabelStudio(ReviewError, Conflict):
    pass


@dataclass
class ReviewState:
    """What a reviewer sees: the annotators' versions and the quotes grouped across them."""

    document: Document
    annotations: dict[str, Annotation]
    versions: dict[str, AnnotationRecord]
    units: list[Unit]
    gold: Annotation | None
    gold_record: AnnotationRecord | None = None


def review_state(document: Document) -> ReviewState:
    """The document's counted versions (the latest per annotator), their units and gold."""
    latest = human_versions_by_document([document.pk]).get(document.pk, {})
    gold = current_gold([document.pk]).get(document.pk)
    records = annotation_records([*latest.values(), *([gold] if gold else [])])
    versions = {name: records[a.pk] for name, a in sorted(latest.items())}
    all_units = units(versions, get_scheme(document.collection.scheme))
    return ReviewState(
        document,
        dict(sorted(latest.items())),
        versions,
        all_units,
        gold,
        records[gold.pk] if gold else None,
    )


def document_review_open(*, document: Document, reviewer: AbstractBaseUser) -> Document:
    """A reviewer opened the document: annotated work is now in review."""
    open_statuses = [Document.Status.NEW, Document.Status.QUEUED, Document.Status.ANNOTATED]
    has_work = document.annotations.filter(kind=Annotation.Kind.HUMAN).exists()
    if document.status in open_statuses and has_work:
        Document.objects.filter(pk=document.pk).update(status=Document.Status.IN_REVIEW)
        collection_stats_invalidate(collection_ids=[document.collection_id])
        document.status = Document.Status.IN_REVIEW
    return document


@dataclass
class Adjudicated:
    gold: Annotation
    # The job sending the gold to Label Studio, when asked for.
    push_job: Job | None = None


@transaction.atomic
def document_adjudicate(
    *,
    document: Document,
    reviewer: AbstractBaseUser,
    decisions: dict[int, Decision],
    added: Sequence[NewQuote] = (),
    push: bool = False,
) -> Adjudicated:
    """Store the gold version the decisions describe, in place of the document's gold.

    `added` are quotes no annotator marked, drawn by the reviewer. With `push`, a
    job then sends the gold to Label Studio as the task's ground truth; a document
    not in Label Studio is refused before anything is written.
    """
    if push and not document.ls_task_id:
        raise NotInLabelStudio(
            f"document {document.external_id!r} is not in Label Studio; push it first"
        )
    state = review_state(document)
    if not state.versions:
        raise ReviewError("the document has no human annotation to review")
    _check_decisions(document.text, state.units, decisions, added)
    record = build_gold(state.units, decisions, text=document.text, added=added)
    scheme = get_scheme(document.collection.scheme)
    problems = validate_annotation(scheme, document.text, record)
    if problems:
        raise ReviewError("; ".join(problems[:5]))
    record.source_key = REVIEW_SOURCE
    record.provenance = {
        "scheme": scheme.name,
        "annotators": sorted(state.versions),
        "adjudicator": reviewer.get_username(),
        "reviewed_at": timezone.now().date().isoformat(),
    }
    if state.gold is not None and state.gold.source_key != REVIEW_SOURCE:
        # The document has one gold: a review rewrites it, wherever it came from (an
        # import, Label Studio's ground truth), and keeps its link to Label Studio.
        Annotation.objects.filter(document=document, source_key=REVIEW_SOURCE).delete()
        Annotation.objects.filter(pk=state.gold.pk).update(source_key=REVIEW_SOURCE)
    annotation_rows_write(
        writes=[AnnotationWrite(document.pk, record, fields={"reviewer": reviewer})]
    )
    gold = document.annotations.get(source_key=REVIEW_SOURCE)
    gold.based_on.set(state.annotations.values())
    Document.objects.filter(pk=document.pk).update(status=Document.Status.GOLD)
    document.status = Document.Status.GOLD
    job = None
    if push:
        params = {"document": document.pk}
        job = job_start(kind=Job.Kind.GOLD_PUSH, collection=document.collection, user=reviewer,
                        params=params)  # fmt: skip
    return Adjudicated(gold, job)


def _check_decisions(
    text: str, all_units: list[Unit], decisions: dict[int, Decision], added: Sequence[NewQuote]
) -> None:
    for index, decision in decisions.items():
        unit = next((u for u in all_units if u.index == index), None)
        if unit is None or (decision.take is not None and decision.take not in unit.candidates):
            raise ReviewError(f"quote {index + 1}: choose one of the versions that have it")
        for part, extent in decision.extents.items():
            if problem := extent_problem(text, extent):
                raise ReviewError(f"quote {index + 1}: the {part} {problem}")
    for number, new in enumerate(added, start=1):
        for part in ("quote", "speaker", "cue"):
            extent = getattr(new, part)
            if extent is not None and (problem := extent_problem(text, extent)):
                raise ReviewError(f"added quote {number}: the {part} {problem}")


@transaction.atomic
def document_reject(*, document: Document, reviewer: AbstractBaseUser, note: str) -> Document:
    """Leave the document out of the dataset (unusable text, off topic)."""
    return _set_review_status(document, reviewer, note, Document.Status.REJECTED)


def document_send_back(
    *, document: Document, reviewer: AbstractBaseUser, note: str, client: LabelStudioClient | None
) -> Document:
    """Ask for the document to be annotated again: reopen its task in Label Studio."""
    if not note.strip():
        raise ReviewError("say what the annotators should change")
    if document.ls_task_id and client is not None:
        humans = document.annotations.filter(
            kind=Annotation.Kind.HUMAN, ls_annotation_id__isnull=False
        )
        client.task_reopen(document.ls_task_id, annotations=humans.count(), note=note.strip())
    with transaction.atomic():
        return _set_review_status(document, reviewer, note, Document.Status.QUEUED)


def _set_review_status(document: Document, reviewer, note: str, status: str) -> Document:
    meta = dict(document.meta)
    history = list(meta.get("review_notes", []))
    stamp = timezone.now().isoformat(timespec="seconds")
    history.append(
        {"by": reviewer.get_username(), "status": status, "note": note.strip(), "at": stamp}
    )
    meta["review_notes"] = history
    Document.objects.filter(pk=document.pk).update(status=status, meta=meta)
    collection_stats_invalidate(collection_ids=[document.collection_id])
    document.status, document.meta = status, meta
    return document


def gold_push(*, document: Document, client: LabelStudioClient) -> int:
    """Send the document's gold annotation to Label Studio as the task's ground truth."""
    gold = current_gold([document.pk]).get(document.pk)
    if gold is None:
        raise ReviewError(f"document {document.external_id!r} has no gold annotation")
    if not document.ls_task_id:
        raise NotInLabelStudio(
            f"document {document.external_id!r} is not in Label Studio; push it first"
        )
    record = annotation_records([gold])[gold.pk]
    scheme = get_scheme(document.collection.scheme)
    result = domain_to_result(record.spans, record.attributions, record.relations, scheme)
    linked = Annotation.objects.filter(pk=gold.pk).values_list("ls_annotation_id", flat=True)
    ls_annotation_id = linked.get()
    if ls_annotation_id:
        made = client.annotation_update(ls_annotation_id, result=result, ground_truth=True)
    else:
        made = client.annotation_create(document.ls_task_id, result, ground_truth=True)
    _link_gold(gold, made)
    return made["id"]


@transaction.atomic
def _link_gold(gold: Annotation, made: dict) -> None:
    """The gold is now that Label Studio annotation too; it keeps its own identity, so a
    second review rewrites it instead of adding another gold."""
    # Label Studio's webhook may already have stored the pushed annotation as a copy.
    Annotation.objects.filter(ls_annotation_id=made["id"]).exclude(pk=gold.pk).delete()
    collection_stats_invalidate(document_ids=[gold.document_id])
    Annotation.objects.filter(pk=gold.pk).update(
        ls_annotation_id=made["id"], ls_updated_at=parse_timestamp(made.get("updated_at"))
    )
