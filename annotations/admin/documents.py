from __future__ import annotations

import json
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR
from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join

from annotations import services
from annotations.admin.calls import CountedDeletes, ServiceAdmin
from annotations.admin.exports import export_gold_dataset, job_message
from annotations.admin.pagination import LargeListAdmin
from annotations.admin.rendering import object_url, render_highlights, span_pieces
from annotations.admin.review import review_view
from annotations.admin.training import preannotate, train_model
from annotations.importers.normalize import normalize_newlines
from annotations.labelstudio.client import LabelStudioError
from annotations.labelstudio.sync import annotators_refresh, client_from_settings
from annotations.models import (
    COLLECTION_REPORTS,
    Annotation,
    Annotator,
    Attribution,
    Collection,
    Document,
    Job,
    Span,
    Speaker,
    SpeakerAlias,
)
from annotations.search import SearchQueryError
from annotations.selectors import (
    annotations_in_collection,
    count_of,
    documents_search,
    documents_search_found,
)

# Which annotation a document page shows first.
KIND_PREFERENCE = [
    Annotation.Kind.GOLD,
    Annotation.Kind.HUMAN,
    Annotation.Kind.IMPORTED,
    Annotation.Kind.PREDICTION,
]


@admin.register(Collection)
class CollectionAdmin(ServiceAdmin, admin.ModelAdmin):
    list_display = [
        "name",
        "title",
        "scheme",
        "overlap",
        "document_count",
        "gold_count",
        "ls_project_id",
    ]
    search_fields = ["name", "title"]
    readonly_fields = ["ls_project_id", "ls_pulled_at", "created_at"]
    filter_horizontal = ["members"]
    actions = [
        export_gold_dataset,
        train_model,
        preannotate,
        "push_to_label_studio",
        "pull_from_label_studio",
        "pull_everything_from_label_studio",
    ]

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("annotations.add_export")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                document_total=Count("documents"),
                gold_total=Count("documents", filter=Q(documents__status=Document.Status.GOLD)),
            )
        )

    @admin.display(description="documents", ordering="document_total")
    def document_count(self, obj: Collection) -> int:
        return obj.document_total

    @admin.display(description="gold", ordering="gold_total")
    def gold_count(self, obj: Collection) -> int:
        return obj.gold_total

    def save_model(self, request: HttpRequest, obj: Collection, form, change: bool) -> None:
        settings = {
            name: form.cleaned_data[name]
            for name in ("name", "title", "overlap", "scheme", "guidelines", "members", "model")
            if name in form.cleaned_data
        }
        if change:
            saved = services.collection_update(collection=obj, **settings)
        else:
            saved = services.collection_create(**settings)
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Members were saved with the collection, by the service."""

    @admin.action(
        description="Push to Label Studio (documents become tasks)", permissions=["change"]
    )
    def push_to_label_studio(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._start(request, queryset, Job.Kind.PUSH, "push")

    @admin.action(
        description="Pull annotations from Label Studio (what changed)", permissions=["change"]
    )
    def pull_from_label_studio(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._start(request, queryset, Job.Kind.PULL, "pull")

    @admin.action(
        description="Pull annotations from Label Studio (every task)", permissions=["change"]
    )
    def pull_everything_from_label_studio(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._start(request, queryset, Job.Kind.PULL, "full pull", {"full": True})

    def _start(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        kind: str,
        what: str,
        params: dict | None = None,
    ) -> None:
        for collection in queryset:
            job = services.job_start(
                kind=kind, collection=collection, user=request.user, params=params
            )
            self.message_user(request, job_message(job, f"{what} of {collection}"))


def _formfield(field: models.Field, **kwargs) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        formfield_callback = _formfield
        fields = [
            "collection",
            "external_id",
            "title",
            "text",
            "source_url",
            "published",
            "meta",
            "status",
        ]

    def clean_text(self) -> str:
        # Browsers send \r\n from a textarea; documents are stored with \n.
        return normalize_newlines(self.cleaned_data["text"])


@admin.register(Document)
class DocumentAdmin(LargeListAdmin, ServiceAdmin, CountedDeletes, admin.ModelAdmin):
    form = DocumentForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_form_template = "admin/annotations/document/change_form.html"
    list_display = [
        "external_id",
        "title",
        "collection",
        "status",
        "annotation_count",
        "published",
        "review_link",
    ]
    list_filter = ["collection", "status"]
    list_select_related = ["collection"]
    # The box searches titles, ids and texts in full (get_search_results); declared so
    # that it shows.
    search_fields = ["title", "external_id", "text"]
    search_help_text = 'All the words must match; "a phrase"; word* for words that begin so.'
    # A count of every document beside each search's count costs a scan of the table.
    show_full_result_count = False
    readonly_fields = ["text_hash", "ls_task_id", "created_at", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Document | None = None) -> list:
        fixed = ["collection", "external_id"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            # A list shows no text; documents can be megabytes long.
            queryset = queryset.defer("text", "meta", *COLLECTION_REPORTS).annotate(
                annotation_total=count_of(Annotation, "document")
            )
        return queryset

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """The database's full-text search, best matches first unless a column is sorted
        or too many match to rank: then in the list's order, walked through its index."""
        if not search_term.strip():
            return queryset, False
        try:
            matches = documents_search_found(queryset, search_term)
            many = matches is None
            found = documents_search(queryset, search_term, rank=not many, found=matches)
        except SearchQueryError as error:
            self.message_user(request, f"Search: {error}.", messages.ERROR)
            return queryset.none(), False
        request.search_many = many
        if many or request.GET.get(ORDER_VAR):
            found = found.order_by(*(queryset.query.order_by or Document._meta.ordering))
        return found, False

    def get_fields(self, request: HttpRequest, obj: Document | None = None) -> list[str]:
        fields = list(super().get_fields(request, obj))
        if obj is not None and services.document_text_locked(obj):
            # Spans refer to the text: it is shown highlighted above and cannot change.
            fields.remove("text")
        return fields

    @admin.display(description="review")
    def review_link(self, obj: Document) -> str:
        url = object_url("admin:annotations_document_review", obj.pk)
        return format_html('<a href="{}">review</a>', url)

    @admin.display(description="annotations")
    def annotation_count(self, obj: Document) -> int:
        return obj.annotation_total

    def save_model(self, request: HttpRequest, obj: Document, form, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            services.document_update(document=Document.objects.get(pk=obj.pk), **fields)
        else:
            obj.pk = services.document_create(**form.cleaned_data).pk

    def get_urls(self):
        review_url = path(
            "<path:object_id>/review/",
            self.admin_site.admin_view(partial(review_view, self)),
            name="annotations_document_review",
        )
        return [review_url, *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        document = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if document is not None:
            context.update(document_view_context(document, request.GET.get("annotation")))
        return super().change_view(request, object_id, form_url, extra_context=context)


def document_view_context(document: Document, chosen: str | None) -> dict:
    """The annotations of a document, and the chosen one's spans rendered as highlights."""
    annotations = list(document.annotations.all())
    annotations.sort(key=lambda a: (KIND_PREFERENCE.index(a.kind), -a.pk))
    current = next((a for a in annotations if str(a.pk) == chosen), None)
    current = current or (annotations[0] if annotations else None)
    if current is None:
        return {
            "document_annotations": [],
            "highlighted_text": render_highlights(document.text, []),
        }
    spans = list(current.spans.all())
    attributions = list(
        current.attributions.select_related("quote", "speaker", "cue", "speaker_entity")
    )
    return {
        "document_annotations": annotations,
        "current_annotation": current,
        "highlighted_text": render_highlights(document.text, span_pieces(spans)),
        "current_attributions": attributions,
    }


class SpanInline(admin.TabularInline):
    model = Span
    fk_name = "annotation"
    fields = ["region_id", "label", "start", "end", "text", "antecedent"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class AttributionInline(admin.TabularInline):
    model = Attribution
    fields = [
        "quote",
        "speaker",
        "cue",
        "speaker_entity",
        "speaker_name",
        "quote_type",
        "stance",
        "claim_type",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("quote", "speaker", "cue", "speaker_entity")
        )

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "breaks the scheme"
    parameter_name = "problems"

    def lookups(self, request, model_admin):
        return [("yes", "yes"), ("no", "no")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.exclude(problems=[])
        if self.value() == "no":
            return queryset.filter(problems=[])
        return queryset


class AnnotationCollectionFilter(admin.SimpleListFilter):
    """By collection, read from where the collection's documents begin (a join on the
    collection alone walks the annotations of every collection before it)."""

    title = "collection"
    parameter_name = "collection"

    def lookups(self, request, model_admin):
        return list(Collection.objects.order_by("name").values_list("id", "name"))

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return annotations_in_collection(queryset, int(value))


@admin.register(Annotation)
class AnnotationAdmin(LargeListAdmin, CountedDeletes, admin.ModelAdmin):
    collection_field = "document__collection_id"
    list_display = [
        "__str__",
        "kind",
        "annotator",
        "document_link",
        "span_count",
        "needs_review",
        "updated_at",
    ]
    list_filter = ["kind", AnnotationCollectionFilter, NeedsReviewFilter]
    list_select_related = ["annotator"]
    ordering = ["document_id", "kind", "id"]  # the annotation_list index
    search_fields = ["annotator__key", "=document__external_id", "document__title"]
    inlines = [SpanInline, AttributionInline]
    readonly_fields = [
        "document",
        "kind",
        "annotator",
        "reviewer",
        "source_key",
        "model_version",
        "score",
        "lead_time",
        "ls_annotation_id",
        "ls_prediction_id",
        "ls_updated_at",
        "problem_list",
        "provenance_json",
        "raw_json",
        "created_at",
        "updated_at",
    ]
    exclude = ["raw", "problems", "provenance", "based_on", "content_hash"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            # Documents in a query of their own: joined, the database would merge the
            # list with the documents table read from its start.
            documents = Prefetch("document", queryset=Document.objects.defer("text", "meta"))
            queryset = (
                queryset.defer("raw")
                .prefetch_related(documents)
                .annotate(span_total=count_of(Span, "annotation"))
            )
        return queryset

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="spans")
    def span_count(self, obj: Annotation) -> int:
        return obj.span_total

    @admin.display(description="document")
    def document_link(self, obj: Annotation) -> str:
        url = object_url("admin:annotations_document_change", obj.document_id)
        return format_html('<a href="{}?annotation={}">{}</a>', url, obj.pk, obj.document)

    @admin.display(boolean=True, description="needs review")
    def needs_review(self, obj: Annotation) -> bool:
        return bool(obj.problems)

    @admin.display(description="problems")
    def problem_list(self, obj: Annotation) -> str:
        if not obj.problems:
            return "none"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((p,) for p in obj.problems))
        )

    @admin.display(description="provenance")
    def provenance_json(self, obj: Annotation) -> str:
        return _pretty_json(obj.provenance)

    @admin.display(description="Label Studio JSON")
    def raw_json(self, obj: Annotation) -> str:
        return _pretty_json(obj.raw)


def _pretty_json(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


class SpeakerAliasInline(admin.TabularInline):
    model = SpeakerAlias
    fields = ["name"]
    extra = 1


@admin.register(Speaker)
class SpeakerAdmin(LargeListAdmin, ServiceAdmin, admin.ModelAdmin):
    list_display = ["name", "external_id", "alias_names", "attribution_count"]
    search_fields = ["name", "aliases__name", "=external_id"]
    inlines = [SpeakerAliasInline]
    actions = ["merge_speakers"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(attribution_total=count_of(Attribution, "speaker_entity"))
            .prefetch_related("aliases")
        )

    @admin.display(description="aliases")
    def alias_names(self, obj: Speaker) -> str:
        return ", ".join(alias.name for alias in obj.aliases.all())

    @admin.display(description="quotes")
    def attribution_count(self, obj: Speaker) -> int:
        return obj.attribution_total

    def save_model(self, request: HttpRequest, obj: Speaker, form, change: bool) -> None:
        fields = {k: form.cleaned_data[k] for k in ("name", "external_id", "description")}
        if change:
            saved = services.speaker_update(speaker=obj, **fields)
        else:
            saved = services.speaker_create(**fields)
        obj.pk, obj.key = saved.pk, saved.key

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """Aliases go through the registry's rules (a name is one speaker's only)."""
        speaker = form.instance
        for alias_form in formset.forms:
            data = getattr(alias_form, "cleaned_data", None) or {}
            alias = alias_form.instance
            if alias.pk and (data.get("DELETE") or alias_form.has_changed()):
                services.speaker_alias_remove(alias=alias)
            if data.get("name") and not data.get("DELETE") and alias_form.has_changed():
                services.speaker_add_alias(speaker=speaker, name=data["name"])

    @admin.action(description="Merge selected speakers into one", permissions=["change"])
    def merge_speakers(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        speakers = list(queryset)
        if len(speakers) < 2:
            self.message_user(request, "Select at least two speakers to merge.", messages.WARNING)
            return None
        target_id = request.POST.get("target")
        if request.POST.get("confirm") and target_id:
            target = next((s for s in speakers if str(s.pk) == target_id), None)
            if target is None:
                self.message_user(request, "Choose one of the selected speakers.", messages.ERROR)
                return None
            try:
                services.speakers_merge(target=target, others=speakers)
            except services.SpeakerMergeError as error:
                self.message_user(request, str(error), messages.ERROR)
                return None
            self.message_user(request, f"Merged {len(speakers) - 1} speaker(s) into {target}.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge speakers",
            "speakers": speakers,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/annotations/speaker/merge.html", context)


@admin.register(Annotator)
class AnnotatorAdmin(admin.ModelAdmin):
    """Label Studio's users as annotators; new ones sign up through the invite link."""

    list_display = ["__str__", "ls_user_id", "email", "name", "user"]
    search_fields = ["email", "name"]
    readonly_fields = ["ls_user_id", "email", "name", "created_at"]
    actions = ["refresh_from_label_studio"]
    change_list_template = "admin/annotations/annotator/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        context = dict(extra_context or {})
        try:
            with client_from_settings() as client:
                context["invite_url"] = client.invite_url()
        except LabelStudioError as error:
            context["invite_error"] = str(error)
        return super().changelist_view(request, extra_context=context)

    @admin.action(description="Refresh names and emails from Label Studio")
    def refresh_from_label_studio(self, request: HttpRequest, queryset: QuerySet) -> None:
        try:
            with client_from_settings() as client:
                changed = annotators_refresh(client=client)
        except LabelStudioError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, f"{changed} annotator(s) updated from Label Studio.")
