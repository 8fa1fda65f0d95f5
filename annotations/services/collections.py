"""Collections: creating them, changing their settings, renaming them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.validators import slug_re
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from annotations.agreement import AgreementTally
from annotations.errors import Conflict, DomainError
from annotations.models import Annotation, Collection, Document, DocumentAgreement, Model
from annotations.prediction_use import PredictionUseTally
from annotations.scheme import DEFAULT_SCHEME, get_scheme
from annotations.selectors import DOCUMENT_FIGURES, human_versions

MAX_OVERLAP = 100
# collection_update's `model` when it is not to change (None there means the rules).
UNCHANGED = object()


class CollectionError(DomainError):
    pass


class CollectionExists(CollectionError, Conflict):
    pass


def collection_get_or_create(*, name: str, scheme: str = DEFAULT_SCHEME) -> tuple[Collection, bool]:
    get_scheme(scheme)  # refuse an unknown scheme before creating anything
    _check_name(name)
    return Collection.objects.get_or_create(name=name, defaults={"scheme": scheme})


@transaction.atomic
def collection_create(
    *,
    name: str,
    title: str = "",
    overlap: int = 1,
    scheme: str = DEFAULT_SCHEME,
    guidelines: str = "",
    members: list[AbstractBaseUser] | None = None,
    model: Model | None = None,
) -> Collection:
    """A new collection; CollectionExists when the name is taken. `model`: the trained
    model that pre-annotates it (None: the rules)."""
    _check(name=name, overlap=overlap, scheme=scheme)
    if Collection.objects.filter(name=name).exists():
        raise CollectionExists(f"a collection named {name!r} exists already")
    collection = Collection.objects.create(
        name=name, title=title, overlap=overlap, scheme=scheme, guidelines=guidelines, model=model
    )
    if members:
        collection.members.set(members)
    return collection


@transaction.atomic
def collection_update(
    *,
    collection: Collection,
    name: str | None = None,
    title: str | None = None,
    overlap: int | None = None,
    scheme: str | None = None,
    guidelines: str | None = None,
    members: list[AbstractBaseUser] | None = None,
    model: Model | None | object = UNCHANGED,
) -> Collection:
    """Change the given settings (None leaves one as it is), or nothing if any is refused.

    A new `name` renames the collection; its Label Studio project keeps its id. `model`
    is the trained model that pre-annotates it (None: the rules).
    """
    _check(name=name, overlap=overlap, scheme=scheme)
    locked = Collection.objects.select_for_update().get(pk=collection.pk)
    if name not in (None, locked.name) and Collection.objects.filter(name=name).exists():
        raise CollectionExists(f"a collection named {name!r} exists already; choose another name")
    if (
        scheme not in (None, locked.scheme)
        and Annotation.objects.filter(document__collection=locked).exists()
    ):
        raise CollectionError(
            f"collection {locked.name!r} has annotations under {locked.scheme}; "
            "its scheme cannot change"
        )
    changes = {
        "name": name,
        "title": title,
        "overlap": overlap,
        "scheme": scheme,
        "guidelines": guidelines,
    }
    for field, value in changes.items():
        if value is not None:
            setattr(locked, field, value)
    if model is not UNCHANGED:
        if model is not None and not isinstance(model, Model):
            raise CollectionError(f"model: a trained model or None, not {model!r}")
        locked.model = model
    locked.save()
    if members is not None:
        locked.members.set(members)
    return locked


@transaction.atomic
def collection_put(
    *,
    name: str,
    title: str | None = None,
    overlap: int | None = None,
    scheme: str | None = None,
    guidelines: str | None = None,
) -> tuple[Collection, bool]:
    """Create the collection with these settings, or change the given ones if it exists."""
    existing = Collection.objects.filter(name=name).first()
    if existing is not None:
        collection = collection_update(
            collection=existing, title=title, overlap=overlap, scheme=scheme, guidelines=guidelines
        )
        return collection, False
    collection = collection_create(
        name=name,
        title=title or "",
        overlap=overlap or 1,
        scheme=scheme or DEFAULT_SCHEME,
        guidelines=guidelines or "",
    )
    return collection, True


def _check(*, name: str | None, overlap: int | None, scheme: str | None) -> None:
    if name is not None:
        _check_name(name)
    if overlap is not None and not 1 <= overlap <= MAX_OVERLAP:
        raise CollectionError(f"overlap must be between 1 and {MAX_OVERLAP}, not {overlap}")
    if scheme is not None:
        get_scheme(scheme)


def _check_name(name: str) -> None:
    if not slug_re.match(name) or len(name) > 100:
        raise CollectionError(f"collection name {name!r} must be 1-100 letters, digits, '-' or '_'")


# Documents' figures written per statement while agreement runs.
AGREEMENT_ROWS = 1000


def collection_agreement_compute(
    *, collection: Collection, on_documents: Callable[[int], None] | None = None
) -> dict:
    """Agreement over the collection's human annotations, stored: the pooled and per-pair
    report on the collection, each document's figures as its DocumentAgreement row. The
    dashboard, the API and the dataset card read them instead of computing agreement
    while someone waits.

    Documents stream past (`on_documents` hears how many after each chunk) and their
    rows go in a chunk at a time, each chunk its own short write, so a run over a
    million documents neither holds them in memory nor locks the database for its
    whole length. Until the run ends the old report stands, and each row is the figure
    of one run or the other; at the end the report is stored and the rows of documents
    that no longer count are removed, together. Everything is dated by when the run
    started, so an annotation changed while it ran makes the report stale.
    """
    started = timezone.now()
    tally = AgreementTally(get_scheme(collection.scheme))
    rows: list[DocumentAgreement] = []
    for versions in human_versions(collection.documents.all(), on_documents=on_documents):
        figures = tally.add(versions)
        if figures is None:
            continue
        rows.append(
            DocumentAgreement(
                document_id=versions.document_id,
                collection=collection,
                computed_at=started,
                **{name: figures[name] for name in DOCUMENT_FIGURES},
            )
        )
        if len(rows) >= AGREEMENT_ROWS:
            _document_agreements_store(rows)
            rows = []
    _document_agreements_store(rows)
    report = {**tally.report(), "collection": collection.name}
    with transaction.atomic():
        stale = DocumentAgreement.objects.filter(collection=collection, computed_at__lt=started)
        stale.delete()
        Collection.objects.filter(pk=collection.pk).update(agreement=report, agreement_at=started)
    collection.agreement, collection.agreement_at = report, started
    return report


def collection_prediction_use_compute(
    *, collection: Collection, on_documents: Callable[[int], None] | None = None
) -> dict:
    """What annotators made of the predictions they started from (`prediction_use`),
    streamed over the collection's human annotations and stored on it."""
    from annotations.selectors import prediction_uses

    started = timezone.now()
    tally = PredictionUseTally(get_scheme(collection.scheme))
    for use in prediction_uses(collection.documents.all(), on_documents=on_documents):
        if use.started and use.prediction is None:
            tally.add_unknown()
        elif use.prediction is None or use.human is None:
            tally.add_time(use.lead_time)
        else:
            tally.add(
                use.prediction, use.human, model_version=use.model_version, lead_time=use.lead_time
            )
    report = {**tally.report(), "computed_at": started.isoformat()}
    Collection.objects.filter(pk=collection.pk).update(prediction_use=report)
    collection.prediction_use = report
    return report


def collection_stats_compute(*, collection: Collection) -> dict:
    """Count the collection's documents, annotations and gold labels for the dashboard
    and store the counts on it. A write while counting marks the collection changed
    again, so the next look recounts instead of trusting a count that missed it."""
    from annotations.selectors import collection_stats

    Collection.objects.filter(pk=collection.pk).update(stats_stale=False)
    try:
        stats = collection_stats(collection)
    except BaseException:
        Collection.objects.filter(pk=collection.pk).update(stats_stale=True)
        raise
    now = timezone.now()
    Collection.objects.filter(pk=collection.pk).update(stats=stats, stats_at=now)
    collection.stats, collection.stats_at, collection.stats_stale = stats, now, False
    return stats


def collection_stats_invalidate(
    *,
    collection_ids: Iterable[int] = (),
    document_ids: Iterable[int] = (),
    annotator_id: int | None = None,
) -> None:
    """Mark the collections of these ids, holding these documents or annotated by this
    annotator as changed since their counts (every write to documents or annotations
    calls this). Collections already marked are not touched, so concurrent writers do
    not queue on their row."""
    collection_ids, document_ids = list(collection_ids), list(document_ids)
    if not collection_ids and not document_ids and annotator_id is None:
        return
    ids = Q(pk__in=collection_ids)
    if document_ids:
        holding = Document.objects.filter(pk__in=document_ids).values("collection_id")
        ids |= Q(pk__in=holding)
    if annotator_id is not None:
        annotated = Annotation.objects.filter(annotator_id=annotator_id)
        ids |= Q(pk__in=annotated.values("document__collection_id"))
    Collection.objects.filter(ids, stats_stale=False).update(stats_stale=True)


def _document_agreements_store(rows: list[DocumentAgreement]) -> None:
    """Insert the rows, or replace the figures of documents that have one already."""
    DocumentAgreement.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["document"],
        update_fields=["collection", "computed_at", *DOCUMENT_FIGURES],
    )
