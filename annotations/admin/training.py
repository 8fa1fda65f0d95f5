"""Trained models in the admin: their card (scores beside the rules, the learning curve,
what annotators made of their predictions), and training started from a collection."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.safestring import mark_safe

from annotations import charts
from annotations.admin.calls import run
from annotations.admin.exports import job_message
from annotations.models import Collection, Job, Model
from annotations.prediction_use import kept_share
from annotations.services.jobs import job_start
from annotations.services.training import models_delete

QUOTE_TYPES = ("direct", "indirect", "mixed")


def curve_chart(model: Model) -> str:
    """The held-out F1 (overlap) against gold documents learnt from, the rules level."""
    metrics = model.metrics or {}
    points = [(p["documents"], p["f1_overlap"]) for p in metrics.get("curve", [])]
    series = [(f"{model.label} quote F1", points)] if points else []
    if "rules" in metrics:
        rules = metrics["rules"]["quotes"]["overlap"]["f1"]
        series.append((f"rules ({metrics.get('rules_version', '')})", [(0, rules)]))
    return charts.line_chart(
        series, title="Learning curve: held-out quote F1 (overlap)", x_label="gold documents"
    )


def score_rows(model: Model) -> list[dict]:
    """Per quote type and overall: F1 (exact, overlap) of the model and of the rules."""
    metrics = model.metrics or {}
    if "model" not in metrics:
        return []
    rows = []
    for kind in (*QUOTE_TYPES, None):
        row = {"kind": kind or "all quotes"}
        for who in ("model", "rules"):
            report = metrics[who]
            scores = report["quotes"] if kind is None else report["quotes_by_type"].get(kind)
            row[who] = (
                {m: scores[m]["f1"] for m in ("exact", "overlap")} if scores is not None else None
            )
        rows.append(row)
    return rows


def use_rows(use: dict | None, version: str) -> list[dict]:
    """Per label: what annotators did with this version's predictions."""
    figures = (use or {}).get("versions", {}).get(version)
    if not figures:
        return []
    return [
        {"label": label, **counts, "kept_share": kept_share(counts)}
        for label, counts in figures["spans"].items()
    ]


@admin.register(Model)
class ModelAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "collection_name",
        "base",
        "gold_documents",
        "heldout_f1",
        "rules_f1",
        "serving",
        "created_at",
    ]
    list_filter = ["name", "base"]
    search_fields = ["name", "collection_name"]
    change_form_template = "admin/annotations/model/change_form.html"
    readonly_fields = [f.name for f in Model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="held-out quote F1")
    def heldout_f1(self, obj: Model) -> str:
        return _f1(obj.metrics, "model")

    @admin.display(description="rules on the same")
    def rules_f1(self, obj: Model) -> str:
        return _f1(obj.metrics, "rules")

    @admin.display(description="predicts for")
    def serving(self, obj: Model) -> str:
        names = Collection.objects.filter(model=obj).values_list("name", flat=True)
        return ", ".join(names) or "–"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        model = self.get_object(request, object_id)
        extra = {}
        if model is not None:
            trained_on = model.collection
            extra = {
                "curve": mark_safe(curve_chart(model)),  # noqa: S308  (built with escaping)
                "scores": score_rows(model),
                "use": use_rows(trained_on.prediction_use if trained_on else None, model.label),
                "serving": list(Collection.objects.filter(model=model).order_by("name")),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        models_delete(models=[obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        models_delete(models=list(queryset))


def _f1(metrics: dict | None, who: str) -> str:
    report = (metrics or {}).get(who)
    return f"{report['quotes']['overlap']['f1']:.3f}" if report else "–"


@admin.action(description="Train a model from the gold (a job)", permissions=["change"])
def train_model(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    for collection in queryset:
        job = run(
            request,
            lambda c=collection: job_start(kind=Job.Kind.TRAIN, collection=c, user=request.user),
        )
        if job is not None:
            modeladmin.message_user(request, job_message(job, f"training on {collection}"))


@admin.action(
    description="Pre-annotate (with the collection's model, else the rules; a job)",
    permissions=["change"],
)
def preannotate(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    for collection in queryset:
        job = run(
            request,
            lambda c=collection: job_start(
                kind=Job.Kind.PREANNOTATE, collection=c, user=request.user
            ),
        )
        if job is not None:
            modeladmin.message_user(request, job_message(job, f"pre-annotation of {collection}"))
