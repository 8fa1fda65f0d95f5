"""Exporting a collection's gold dataset from the admin, and downloading exports."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from annotations.admin.calls import run
from annotations.admin.pagination import LargeListAdmin
from annotations.exporters import FORMATS, ExportError, parse_split
from annotations.models import Export, Job
from annotations.services.exports import DEFAULT_SEED, DEFAULT_SPLIT, export_archive
from annotations.services.jobs import job_retry, job_start


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[(f, f) for f in FORMATS], initial="jsonl")
    split = forms.CharField(initial=DEFAULT_SPLIT, help_text="train,dev,test ratios")
    seed = forms.IntegerField(initial=DEFAULT_SEED)
    include_unreviewed = forms.BooleanField(
        required=False, help_text="Add the single human annotation of documents without gold."
    )


@admin.action(description="Export gold dataset…", permissions=["export"])
def export_gold_dataset(
    modeladmin, request: HttpRequest, queryset: QuerySet
) -> HttpResponse | None:
    """Ask for the options, then start an export job per collection (as the API does)."""
    form = ExportForm(request.POST if "confirm" in request.POST else None)
    if "confirm" in request.POST and form.is_valid():
        data = form.cleaned_data
        try:
            parse_split(data["split"])
        except ExportError as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
            return None
        for collection in queryset:
            job = job_start(kind=Job.Kind.EXPORT, collection=collection, user=request.user,
                            params=data)  # fmt: skip
            modeladmin.message_user(request, job_message(job, f"export of {collection}"))
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Export gold dataset",
        "form": form,
        "collections": queryset,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/annotations/collection/export.html", context)


def job_message(job: Job, what: str) -> str:
    """What the admin says on starting a job: where to follow it, or how it ended."""
    url = reverse("admin:annotations_job_change", args=[job.pk])
    if job.status == Job.Status.DONE and job.kind == Job.Kind.EXPORT:
        download = reverse("admin:annotations_export_download", args=[job.result["export"]])
        return format_html(
            'The {} is done (<a href="{}">job {}</a>): <a href="{}">download the zip</a>.',
            what, url, job.pk, download,
        )  # fmt: skip
    return format_html('Started the {}: <a href="{}">job {}</a> ({}).', what, url, job.pk,
                       job.status)  # fmt: skip


@admin.register(Job)
class JobAdmin(LargeListAdmin, admin.ModelAdmin):
    """Long work and how it stands; a failed job can be started again. Workers add a
    pull job per collection every few minutes, so the list grows for good."""

    list_display = ["__str__", "kind", "collection", "status", "progress", "created_by",
                    "created_at", "finished_at"]  # fmt: skip
    list_filter = ["status", "kind", "collection"]
    list_select_related = ["collection", "created_by"]
    readonly_fields = [f.name for f in Job._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="progress")
    def progress(self, obj: Job) -> str:
        if obj.total:
            return f"{obj.done} / {obj.total}"
        return str(obj.done) if obj.done else "–"

    @admin.action(description="Start the selected failed jobs again", permissions=["view"])
    def retry(self, request: HttpRequest, queryset: QuerySet) -> None:
        for job in queryset:
            again = run(request, lambda job=job: job_retry(job=job, user=request.user))
            if again is not None:
                self.message_user(request, job_message(again, f"retry of job {job.pk}"))


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "collection",
        "format",
        "status",
        "created_by",
        "created_at",
        "download",
    ]
    list_filter = ["format", "status", "collection"]
    list_select_related = ["collection", "created_by"]
    readonly_fields = [f.name for f in Export._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="files")
    def download(self, obj: Export) -> str:
        if obj.status != Export.Status.DONE:
            return obj.error[:80] if obj.error else "–"
        url = reverse("admin:annotations_export_download", args=[obj.pk])
        return format_html('<a href="{}">zip</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="annotations_export_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request: HttpRequest, pk: int) -> FileResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        export = get_object_or_404(Export, pk=pk)
        try:
            archive = export_archive(export=export)
        except ExportError as error:
            messages.error(request, str(error))
            raise PermissionDenied(str(error)) from None
        name = f"{export.collection.name}-{export.format}-{export.pk}.zip"
        return FileResponse(
            archive, as_attachment=True, filename=name, content_type="application/zip"
        )
