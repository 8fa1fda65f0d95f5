"""The dashboard: progress, annotators, agreement and label distributions as SVG charts."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import mark_safe

from annotations import charts
from annotations.models import Annotation, Attribution, Collection, Document, Job, Span
from annotations.selectors import document_agreement_entry, document_agreements
from annotations.services.jobs import job_start

DAYS = 30
# Documents listed under "most disagreement".
WORST = 10


def dashboard_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("annotations.view_document"):
        raise PermissionDenied
    collections = list(Collection.objects.order_by("name").defer("agreement"))
    wanted = request.POST.get("collection") or request.GET.get("collection")
    chosen = next((c for c in collections if c.name == wanted), None)
    if request.method == "POST" and chosen is not None:
        # Agreement over a large collection takes minutes: a job, never this request.
        job = job_start(kind=Job.Kind.AGREEMENT, collection=chosen, user=request.user)
        messages.info(request, f"Computing the agreement of {chosen} (job {job.pk}).")
        return HttpResponseRedirect(f"{request.path}?collection={chosen.name}")
    documents = Document.objects.filter(collection=chosen) if chosen else Document.objects.all()
    annotations = Annotation.objects.filter(document__in=documents)
    humans = annotations.filter(kind=Annotation.Kind.HUMAN)
    gold = annotations.filter(kind=Annotation.Kind.GOLD)
    svg = [
        charts.bar_chart(_by_status(documents), title="Documents by status"),
        charts.bar_chart(
            _counted(humans, "annotator__key"), title="Human annotations per annotator"
        ),
        charts.column_chart(_per_day(humans), title=f"Human annotations per day, last {DAYS} days"),
        charts.bar_chart(
            _counted(Span.objects.filter(annotation__in=gold), "label"), title="Gold spans by label"
        ),
    ]
    attributions = Attribution.objects.filter(annotation__in=gold)
    for name in ("quote_type", "stance", "claim_type"):
        svg.append(
            charts.bar_chart(_counted(attributions, name, blank="(unset)"), title=f"Gold {name}")
        )
    agreement = (
        Collection.objects.values_list("agreement", flat=True).get(pk=chosen.pk) if chosen else None
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
    context = {
        **admin.site.each_context(request),
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
            "documents": documents.count(),
            "gold": documents.filter(status=Document.Status.GOLD).count(),
            "human annotations": humans.count(),
            "flagged": annotations.exclude(problems=[]).count(),
        },
    }
    return TemplateResponse(request, "admin/annotations/dashboard.html", context)


def _agreement_job(collection: Collection | None) -> Job | None:
    """The agreement job waiting or running for this collection, if any."""
    if collection is None:
        return None
    running = Job.objects.filter(
        collection=collection,
        kind=Job.Kind.AGREEMENT,
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
    )
    return running.order_by("-pk").first()


def _by_status(documents) -> list[tuple[str, float]]:
    counts = dict(documents.values_list("status").annotate(total=Count("pk")).order_by())
    return [(status.label, counts.get(status.value, 0)) for status in Document.Status]


def _counted(queryset, field: str, blank: str = "(none)") -> list[tuple[str, float]]:
    rows = queryset.values_list(field).annotate(total=Count("pk")).order_by("-total", field)
    return [(value or blank, total) for value, total in rows]


def _per_day(queryset) -> list[tuple[str, float]]:
    today = timezone.now().date()
    since = today - timedelta(days=DAYS - 1)
    rows = dict(
        queryset.filter(created_at__date__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(total=Count("pk"))
        .order_by()
    )
    return [
        ((since + timedelta(days=i)).isoformat(), rows.get(since + timedelta(days=i), 0))
        for i in range(DAYS)
    ]
