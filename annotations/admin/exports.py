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

from annotations.exporters import FORMATS, ExportError
from annotations.models import Export
from annotations.services.exports import (
    DEFAULT_SEED,
    DEFAULT_SPLIT,
    export_archive,
    export_folder,
    export_gold,
)


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
    form = ExportForm(request.POST if "confirm" in request.POST else None)
    if "confirm" in request.POST and form.is_valid():
        for collection in queryset:
            data = form.cleaned_data
            try:
                export = export_gold(
                    collection=collection,
                    fmt=data["format"],
                    out=export_folder(collection=collection, fmt=data["format"]),
                    split=data["split"],
                    seed=data["seed"],
                    include_unreviewed=data["include_unreviewed"],
                    user=request.user,
                )
            except ExportError as error:
                modeladmin.message_user(request, f"{collection}: {error}", messages.ERROR)
                continue
            url = reverse("admin:annotations_export_download", args=[export.pk])
            modeladmin.message_user(
                request,
                format_html('Exported {}: <a href="{}">download the zip</a>.', collection, url),
            )
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
