"""API views: validate with a serializer, call one service, serialize the result."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Count, Prefetch, Q, QuerySet, Subquery
from django.http import FileResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.filters import SearchFilter
from rest_framework.request import Request
from rest_framework.response import Response

from annotations.adjudication import decisions_from, review_rows
from annotations.api import serializers as s
from annotations.api.pagination import KeysetPagination
from annotations.api.permissions import ADMIN, ANNOTATOR, REVIEWER, role_of
from annotations.api.rows import annotations_by_document
from annotations.labelstudio import sync
from annotations.models import (
    COLLECTION_REPORTS,
    Annotation,
    Attribution,
    Collection,
    Document,
    Export,
    Job,
    Model,
    Speaker,
)
from annotations.selectors import (
    RULES,
    annotations_in_collection,
    count_of,
    document_agreement_entry,
    document_agreements,
    documents_search,
    documents_search_found,
    stored_agreement,
)
from annotations.services import (
    collection_create,
    collection_update,
    speaker_update,
    speakers_merge,
)
from annotations.services import review as review_service
from annotations.services.exports import export_archive
from annotations.services.import_files import uploads_import
from annotations.services.jobs import job_retry, job_start

MAX_ID = 2**63 - 1
# Ids in URLs: digits only and short enough for any database's integers (else 404).
ID_PATTERN = "[0-9]{1,18}"

# An annotation with its rows, as AnnotationSerializer reads them: spans and attributions
# refer to each other by id within the annotation, so no row is joined to another.
ANNOTATION_ORDER = ("kind", "pk")
ANNOTATIONS = Prefetch(
    "annotations",
    queryset=Annotation.objects.select_related("annotator")
    .order_by(*ANNOTATION_ORDER)
    .defer("raw", "content_hash")
    .prefetch_related("spans", "attributions"),
)


def visible_collections(user) -> QuerySet:
    """Annotators see the collections they are members of; reviewers and admins all."""
    collections = Collection.objects.all()
    if role_of(user) == ANNOTATOR:
        collections = collections.filter(members=user)
    return collections


def visible(queryset: QuerySet, user, collection_path: str) -> QuerySet:
    """The rows of the collections the user sees (no filter for those who see them all,
    which would only cloud the database's plan)."""
    if role_of(user) != ANNOTATOR:
        return queryset
    return queryset.filter(**{f"{collection_path}__in": visible_collections(user)})


def collection_id_named(name: str) -> Subquery:
    """The id of the collection of that name, as a value the database looks up first: a
    list filtered by it then reads that collection's rows straight from an index, where a
    join on the name would walk the other collections' rows to find them."""
    return Subquery(Collection.objects.filter(name=name).values("id")[:1])


def accepted(job: Job) -> Response:
    return Response(
        s.JobSerializer(job).data,
        status=status.HTTP_202_ACCEPTED,
        headers={"Location": s.JobSerializer(job).data["url"]},
    )


def job_for(request: Request, form_class: type, kind: str) -> Response:
    """A job of this kind on the collection the request's form names, the form's other
    fields as its parameters: 202, or 400 with nothing started."""
    form = form_class(data=request.data)
    form.is_valid(raise_exception=True)
    params = {k: v for k, v in form.validated_data.items() if k != "collection"}
    collection = form.validated_data["collection"]
    return accepted(job_start(kind=kind, collection=collection, user=request.user, params=params))


class CollectionViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = s.CollectionSerializer
    lookup_field = "name"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    roles = {
        "agreement": REVIEWER,
        "agreement_documents": REVIEWER,
        "labelstudio_status": REVIEWER,
    }

    def get_queryset(self) -> QuerySet:
        if self.action in ("agreement", "agreement_documents"):
            # Their answers hold no counts, which cost a pass over the documents.
            return visible_collections(self.request.user)
        return (
            visible_collections(self.request.user)
            .select_related("model")
            .defer("model__metrics", "model__options")
            .annotate(
                document_total=Count("documents", distinct=True),
                gold_total=Count(
                    "documents", filter=Q(documents__status=Document.Status.GOLD), distinct=True
                ),
            )
            .order_by("name")
        )

    def perform_create(self, serializer) -> None:
        collection = collection_create(**serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=collection.pk)

    def perform_update(self, serializer) -> None:
        collection = collection_update(collection=serializer.instance, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=collection.pk)

    @extend_schema(
        methods=["GET"],
        responses={
            200: OpenApiResponse(
                description="The last agreement report with computed_at, and the documents of "
                "most disagreement: per_document (at most 100 of per_document_count; all of "
                "them page by page at agreement/documents/)."
            ),
            404: OpenApiResponse(description="Agreement has not been computed yet."),
        },
    )
    @extend_schema(methods=["POST"], request=None, responses={202: s.JobSerializer})
    @action(detail=True, methods=["get", "post"])
    def agreement(self, request: Request, name: str) -> Response:
        """GET: the stored report. POST: compute it again, as a job (large collections
        take minutes)."""
        collection = self.get_object()
        if request.method == "POST":
            return accepted(
                job_start(kind=Job.Kind.AGREEMENT, collection=collection, user=request.user)
            )
        return Response(stored_agreement(self._computed(collection)))

    @extend_schema(responses={200: s.DocumentAgreementSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="agreement/documents")
    def agreement_documents(self, request: Request, name: str) -> Response:
        """Each document's figures from the last agreement run, the most units with
        disagreement first, a page at a time."""
        collection = self._computed(self.get_object())
        page = self.paginate_queryset(document_agreements(collection))
        entries = [document_agreement_entry(row) for row in page]
        return self.get_paginated_response(s.DocumentAgreementSerializer(entries, many=True).data)

    def _computed(self, collection: Collection) -> Collection:
        if collection.agreement is None:
            raise NotFound(
                f"agreement of {collection.name!r} has not been computed yet: POST to "
                f"/api/collections/{collection.name}/agreement/ (or run manage.py agreement) "
                "to compute it"
            )
        return collection

    @extend_schema(
        request={"multipart/form-data": s.ImportRequestSerializer}, responses={202: s.JobSerializer}
    )
    @action(detail=True, methods=["post"], url_path="import")
    def import_documents(self, request: Request, name: str) -> Response:
        form = s.ImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        options = {k: v for k, v in form.validated_data.items() if k != "files"}
        job = uploads_import(
            collection=self.get_object(),
            uploads=form.validated_data["files"],
            user=request.user,
            **options,
        )
        return accepted(job)

    @extend_schema(request=s.PreannotateRequestSerializer, responses={202: s.JobSerializer})
    @action(detail=True, methods=["post"])
    def preannotate(self, request: Request, name: str) -> Response:
        """Predict every document, as a job: with `model` (NAME[:VERSION] or 'rules'), else
        with the collection's own model (or the rules)."""
        form = s.PreannotateRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        params = {}
        if "model" in form.validated_data:
            model = form.validated_data["model"]
            params["model"] = model.label if model is not None else RULES
        job = job_start(
            kind=Job.Kind.PREANNOTATE,
            collection=self.get_object(),
            user=request.user,
            params=params,
        )
        return accepted(job)

    @extend_schema(responses={200: s.LabelStudioStatusSerializer})
    @action(detail=True, methods=["get"], url_path="labelstudio")
    def labelstudio_status(self, request: Request, name: str) -> Response:
        """How the collection stands in Label Studio (asks the server; never changes it)."""
        collection = self.get_object()
        with sync.client_from_settings() as client:
            return Response(sync.status(collection=collection, client=client))

    @extend_schema(request=s.SetupRequestSerializer, responses={202: s.JobSerializer})
    @action(detail=True, methods=["post"], url_path="labelstudio/setup")
    def labelstudio_setup(self, request: Request, name: str) -> Response:
        form = s.SetupRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return accepted(
            job_start(
                kind=Job.Kind.SETUP,
                collection=self.get_object(),
                user=request.user,
                params=form.validated_data,
            )
        )

    @extend_schema(request=None, responses={202: s.JobSerializer})
    @action(detail=True, methods=["post"], url_path="labelstudio/push")
    def labelstudio_push(self, request: Request, name: str) -> Response:
        return accepted(
            job_start(kind=Job.Kind.PUSH, collection=self.get_object(), user=request.user)
        )

    @extend_schema(request=s.PullRequestSerializer, responses={202: s.JobSerializer})
    @action(detail=True, methods=["post"], url_path="labelstudio/pull")
    def labelstudio_pull(self, request: Request, name: str) -> Response:
        form = s.PullRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        collection = self.get_object()
        return accepted(
            job_start(kind=Job.Kind.PULL, collection=collection, user=request.user,
                      params=form.validated_data)
        )  # fmt: skip


class DocumentFilter(django_filters.FilterSet):
    collection = django_filters.CharFilter(method="in_collection", label="Collection name")
    q = django_filters.CharFilter(
        method="search",
        label='Words in the title, id or text (all must match), "a phrase", or word* '
        "for words that begin so; best matches first in numbered pages, or, when more "
        "than 2,000 documents match, unranked keyset pages in the list's ordering",
    )

    class Meta:
        model = Document
        fields = ["collection", "status", "external_id"]

    def in_collection(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(collection_id=collection_id_named(value))

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Ranked (numbered pages) unless asked for an order, or too many match to rank.
        ordered = bool(self.request and self.request.query_params.get("ordering"))
        found = None if ordered else documents_search_found(queryset, value)
        if self.request is not None:
            # The pages' count too: KeysetPagination reads it instead of counting again.
            self.request.search_ranked = found is not None
            self.request.search_count = found.count if found is not None else None
        return documents_search(queryset, value, rank=found is not None, found=found)


class DocumentViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.DocumentSerializer
    filterset_class = DocumentFilter
    filter_backends = [DjangoFilterBackend]
    pagination_class = KeysetPagination
    # Collection, then external id (the unique index); created_at is the order of ids.
    keyset_orderings = {"external_id": ("collection_id", "external_id"), "created_at": ("id",)}

    def ranked(self, request: Request) -> bool:
        """A search without an `ordering` lists the best matches first, in numbered pages,
        unless too many match to rank them (DocumentFilter.search decided)."""
        return getattr(request, "search_ranked", False)

    def keyset_fixed(self, request: Request) -> dict[str, int | None]:
        """The collection a `collection` filter fixes the list to (KeysetPagination)."""
        name = request.query_params.get("collection")
        if not name:
            return {}
        return {
            "collection_id": Collection.objects.filter(name=name)
            .values_list("pk", flat=True)
            .first()
        }

    roles = {"review": REVIEWER, "adjudicate": REVIEWER, "send_back": REVIEWER, "reject": REVIEWER}

    def get_queryset(self) -> QuerySet:
        documents = (
            visible(Document.objects.all(), self.request.user, "collection")
            .select_related("collection")
            .defer(*COLLECTION_REPORTS)
        )
        if self.action in ("list", "retrieve"):
            return documents  # their annotations are read as rows (get_serializer)
        return documents.prefetch_related(ANNOTATIONS)

    def get_serializer(self, *args, **kwargs):
        """The documents shown with their annotations, read as rows (api.rows): three
        queries for the page, and no model instance for its thousands of spans."""
        if self.action in ("list", "retrieve") and args:
            documents = args[0] if kwargs.get("many") else [args[0]]
            kwargs.setdefault("context", self.get_serializer_context())
            annotations = Annotation.objects.filter(
                document_id__in=[document.pk for document in documents]
            ).order_by(*ANNOTATION_ORDER)
            kwargs["context"]["annotations"] = (
                annotations_by_document(annotations, s.DateTimeField().to_representation)
                if documents
                else {}
            )
        return super().get_serializer(*args, **kwargs)

    @extend_schema(responses={200: OpenApiResponse(description="Versions, quote units, gold.")})
    @action(detail=True, methods=["get"])
    def review(self, request: Request, pk: str) -> Response:
        state = review_service.review_state(self.get_object())
        rows, added = review_rows(state.units, state.gold_record)
        return Response(s.review_json(list(state.versions), rows, added))

    @extend_schema(request=s.AdjudicateRequestSerializer, responses={200: s.AdjudicatedSerializer})
    @action(detail=True, methods=["post"])
    def adjudicate(self, request: Request, pk: str) -> Response:
        document = self.get_object()
        form = s.AdjudicateRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        state = review_service.review_state(document)
        answers = [s.answer_from(item) for item in form.validated_data["decisions"]]
        done = review_service.document_adjudicate(
            document=document,
            reviewer=request.user,
            decisions=decisions_from(state.units, answers),
            added=[s.new_quote_from(item) for item in form.validated_data["added"]],
            push=form.validated_data["push"],
        )
        gold = ANNOTATIONS.queryset.get(pk=done.gold.pk)
        context = {**self.get_serializer_context(), "push_job": done.push_job}
        return Response(s.AdjudicatedSerializer(gold, context=context).data)

    @extend_schema(request=s.NoteSerializer, responses={200: s.DocumentSerializer})
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: Request, pk: str) -> Response:
        document, note = self._note(request)
        with sync.client_from_settings() as client:
            review_service.document_send_back(
                document=document, reviewer=request.user, note=note, client=client
            )
        return Response(s.DocumentSerializer(self.get_object()).data)

    @extend_schema(request=s.NoteSerializer, responses={200: s.DocumentSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        document, note = self._note(request)
        review_service.document_reject(document=document, reviewer=request.user, note=note)
        return Response(s.DocumentSerializer(self.get_object()).data)

    def _note(self, request: Request) -> tuple[Document, str]:
        document = self.get_object()
        form = s.NoteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return document, form.validated_data["note"]


class IdFilter(django_filters.NumberFilter):
    """A database id: a whole number in the range the database can hold."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class AnnotationFilter(django_filters.FilterSet):
    collection = django_filters.CharFilter(method="in_collection", label="Collection name")
    # By id, without validating the id against a list: an unknown id just finds nothing.
    document = IdFilter(field_name="document_id")
    flagged = django_filters.TypedChoiceFilter(
        method="filter_flagged",
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        label="Breaks the scheme (true or false)",
    )

    class Meta:
        model = Annotation
        fields = ["document", "kind", "annotator", "collection"]

    def in_collection(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return annotations_in_collection(queryset, collection_id_named(value))

    def filter_flagged(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.exclude(problems=[]) if value else queryset.filter(problems=[])


class AnnotationViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.AnnotationSerializer
    filterset_class = AnnotationFilter
    filter_backends = [DjangoFilterBackend]
    pagination_class = KeysetPagination
    # By document, then kind (the annotation_list index); created_at is the order of ids.
    keyset_orderings = {"document": ("document_id", "kind", "id"), "created_at": ("id",)}

    def get_queryset(self) -> QuerySet:
        return visible(ANNOTATIONS.queryset, self.request.user, "document__collection")


class SpeakerViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.SpeakerSerializer
    search_fields = ["name", "aliases__name"]
    filterset_fields = ["external_id"]
    filter_backends = [DjangoFilterBackend, SearchFilter]
    pagination_class = KeysetPagination
    keyset_orderings = {"name": ("key",)}  # the lower-cased name, unique
    roles = {"update": REVIEWER, "partial_update": REVIEWER, "merge": REVIEWER}

    def get_queryset(self) -> QuerySet:
        speakers = Speaker.objects.all()
        if role_of(self.request.user) == ANNOTATOR:
            # Annotators see the people quoted in their own collections only.
            quoted = Attribution.objects.filter(
                annotation__document__collection__in=visible_collections(self.request.user)
            ).values("speaker_entity_id")
            speakers = speakers.filter(pk__in=quoted)
        # Counted per speaker shown, not grouped over every attribution.
        return speakers.annotate(
            attribution_total=count_of(Attribution, "speaker_entity")
        ).prefetch_related("aliases")

    def perform_update(self, serializer) -> None:
        speaker = speaker_update(speaker=serializer.instance, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=speaker.pk)

    @extend_schema(request=s.MergeRequestSerializer, responses={200: s.SpeakerSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        target = self.get_object()
        form = s.MergeRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        speakers_merge(target=target, others=form.validated_data["others"])
        return Response(s.SpeakerSerializer(self.get_queryset().get(pk=target.pk)).data)


class ExportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.ExportSerializer
    filterset_fields = ["format", "status"]
    roles = {"list": REVIEWER, "retrieve": REVIEWER, "download": REVIEWER, "create": ADMIN}

    def get_queryset(self) -> QuerySet:
        return Export.objects.select_related("collection", "created_by").order_by(
            "-created_at", "-id"
        )

    @extend_schema(request=s.ExportRequestSerializer, responses={202: s.JobSerializer})
    def create(self, request: Request) -> Response:
        return job_for(request, s.ExportRequestSerializer, Job.Kind.EXPORT)

    @extend_schema(
        responses={(200, "application/zip"): OpenApiResponse(description="The export as a zip.")}
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str) -> FileResponse:
        export = self.get_object()
        archive = export_archive(export=export)
        name = f"{export.collection.name}-{export.format}-{export.pk}.zip"
        return FileResponse(
            archive, as_attachment=True, filename=name, content_type="application/zip"
        )


class ModelViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Trained models, newest first; POST trains a new version from a collection's gold,
    as a job."""

    lookup_value_regex = ID_PATTERN
    serializer_class = s.QuoteModelSerializer
    filterset_fields = ["name", "base"]
    filter_backends = [DjangoFilterBackend]
    roles = {"list": REVIEWER, "retrieve": REVIEWER, "create": ADMIN}

    def get_queryset(self) -> QuerySet:
        return Model.objects.select_related("created_by").order_by("-created_at", "-id")

    @extend_schema(request=s.TrainRequestSerializer, responses={202: s.JobSerializer})
    def create(self, request: Request) -> Response:
        return job_for(request, s.TrainRequestSerializer, Job.Kind.TRAIN)


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = s.JobSerializer
    filterset_fields = ["kind", "status"]
    filter_backends = [DjangoFilterBackend]
    pagination_class = KeysetPagination
    # Workers start a pull per collection every few minutes: the list grows for good.
    keyset_orderings = {"created_at": ("created_at", "id")}
    keyset_default = "-created_at"

    queryset = Job.objects.none()  # for the schema

    def get_queryset(self) -> QuerySet:
        jobs = Job.objects.select_related("collection").defer(*COLLECTION_REPORTS)
        if getattr(self, "swagger_fake_view", False):
            return jobs
        if role_of(self.request.user) != ADMIN:
            jobs = jobs.filter(created_by=self.request.user)
        return jobs

    @extend_schema(request=None, responses={202: s.JobSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        """Start a failed job's work again, as a new job."""
        return accepted(job_retry(job=self.get_object(), user=request.user))
