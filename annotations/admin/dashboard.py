"""The dashboard: progress, annotators, agreement and label distributions as SVG charts."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import mark_safe

from annotations import charts
from annotations.admin.training import curve_chart, use_rows
from annotations.models import Collection, Document, Job, Model
from annotations.selectors import (
    CHOICE_STATS,
    document_agreement_entry,
    document_agreements,
    stats_merged,
)
from annotations.services.collections import collection_stats_compute
from annotations.services.jobs import job_start

DAYS = 30
# A collection of at most this many documents is recounted while the dashboard loads.
INLINE_LIMIT = 5_000
# Documents listed under "most disagreement".
WORST = 10


def dashboard_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("annotations.view_document"):
        raise PermissionDenied
    collections = list(
        Collection.objects.select_related("model")
        .order_by("name")
        .defer("agreement", "prediction_use", "model__options")
    )
    wanted = request.POST.get("collection") or request.GET.get("collection")
    chosen = next((c for c in collections if c.name == wanted), None)
    if request.method == "POST" and chosen is not None:
        # Agreement over a large collection takes minutes: a job, never this request.
        job = job_start(kind=Job.Kind.AGREEMENT, collection=chosen, user=request.user)
        messages.info(request, f"Computing the agreement of {chosen} (job {job.pk}).")
        return HttpResponseRedirect(f"{request.path}?collection={chosen.name}")
    shown = [chosen] if chosen else collections
    recounts = _recount_stale(shown, request.user)
    stats = stats_merged(c.stats for c in shown if c.stats)
    status = stats.get("status", {})
    svg = [
        charts.bar_chart(
            [(s.label, status.get(s.value, 0)) for s in Document.Status],
            title="Documents by status",
        ),
        charts.bar_chart(
            _ranked(stats.get("annotators", {})), title="Human annotations per annotator"
        ),
        charts.column_chart(
            _per_day(stats.get("days", {})), title=f"Human annotations per day, last {DAYS} days"
        ),
        charts.bar_chart(_ranked(stats.get("gold_labels", {})), title="Gold spans by label"),
    ]
    for name in CHOICE_STATS:
        svg.append(
            charts.bar_chart(_ranked(stats.get(name, {}), blank="(unset)"), title=f"Gold {name}")
        )
    agreement, report_use = (
        Collection.objects.values_list("agreement", "prediction_use").get(pk=chosen.pk)
        if chosen
        else (None, None)
    )
    if agreement and agreement["documents"]:
        bars = [(label, scores["overlap"] or 0.0) for label, scores in agreement["spans"].items()]
        bars.append(("α tokens", max(agreement["unitizing"]["pooled"] or 0.0, 0.0)))
        bars += [
            (f"α {name}", max(s["alpha"] or 0.0, 0.0)) for name, s in agreement["choices"].items()
        ]
        svg.append(
            charts.bar_chart(
                bars,
                title="Agreement: span F1 (overlap), token-wise α and α per choice",
                maximum=1.0,
                value_format="{:.2f}",
            )
        )
    model, use = _loop(chosen, report_use)
    if model is not None:
        svg.append(curve_chart(model))
    context = {
        **admin.site.each_context(request),
        "model": model,
        "prediction_use": use,
        "not_stored": (report_use or {}).get("from_predictions_not_stored", 0),
        "title": "Dashboard",
        "collections": collections,
        "chosen": chosen,
        "charts": [mark_safe(chart) for chart in svg],  # noqa: S308  (built with escaping)
        "agreement": agreement,
        "agreement_job": _agreement_job(chosen),
        "disagreement": (
            [document_agreement_entry(row) for row in document_agreements(chosen)[:WORST]]
            if agreement
            else []
        ),
        "totals": {
            "documents": sum(status.values()),
            "gold": status.get(Document.Status.GOLD, 0),
            "human annotations": sum(stats.get("annotators", {}).values()),
            "flagged": stats.get("flagged", 0),
        },
        "recounts": recounts,
        "counted_at": min((c.stats_at for c in shown if c.stats_at), default=None),
    }
    return TemplateResponse(request, "admin/annotations/dashboard.html", context)


def _loop(collection: Collection | None, report: dict | None) -> tuple[Model | None, list[dict]]:
    """The collection's model (else the newest trained on it), and per model version
    what annotators made of its predictions, with their labelling time beside the time
    taken without predictions."""
    if collection is None:
        return None, []
    newest = Model.objects.filter(collection=collection).order_by("-created_at", "-pk")
    model = collection.model or newest.first()
    if not report:
        return model, []
    without = report["without_predictions"]
    versions = [
        {
            "version": version,
            "annotations": figures["annotations"],
            "rows": use_rows(report, version),
            "seconds": figures["lead_time"]["mean_seconds"],
            "seconds_without": without["mean_seconds"],
        }
        for version, figures in report["versions"].items()
    ]
    return model, versions


def _agreement_job(collection: Collection | None) -> Job | None:
    """The agreement job waiting or running for this collection, if any."""
    if collection is None:
        return None
    return _waiting(Job.objects.filter(collection=collection, kind=Job.Kind.AGREEMENT)).first()


def _waiting(jobs: QuerySet) -> QuerySet:
    return jobs.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).order_by("-pk")


def _recount_stale(collections: list[Collection], user) -> list[Job]:
    """Recount the collections written to since their last count: a small one now (a
    few milliseconds), a large one by a job while the page shows the last count. The
    jobs waiting or running are returned."""
    stale = [c for c in collections if c.stats is None or c.stats_stale]
    if not stale:
        return []
    busy = {
        job.collection_id: job
        for job in _waiting(Job.objects.filter(kind=Job.Kind.STATS, collection__in=stale))
    }
    for collection in stale:
        if collection.pk in busy:
            continue
        if _small(collection):
            collection_stats_compute(collection=collection)
        else:
            busy[collection.pk] = job_start(kind=Job.Kind.STATS, collection=collection, user=user)
    jobs = Job.objects.filter(pk__in=[job.pk for job in busy.values()])
    for collection in stale:  # a job run at once (no worker) has stored its counts
        if collection.pk in busy:
            collection.refresh_from_db(fields=["stats", "stats_at", "stats_stale"])
    return list(_waiting(jobs))


def _small(collection: Collection) -> bool:
    documents = Document.objects.filter(collection=collection).values("pk")
    return documents[: INLINE_LIMIT + 1].count() <= INLINE_LIMIT


def _ranked(counts: dict[str, int], blank: str = "(none)") -> list[tuple[str, float]]:
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(value or blank, total) for value, total in rows]


def _per_day(counts: dict[str, int]) -> list[tuple[str, float]]:
    today = timezone.now().date()
    since = today - timedelta(days=DAYS - 1)
    days = [(since + timedelta(days=i)).isoformat() for i in range(DAYS)]
    return [(day, counts.get(day, 0)) for day in days]
