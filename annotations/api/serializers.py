"""What the API reads and writes. Input serializers validate; services do the writing."""

from __future__ import annotations

from functools import cached_property

from django.db import models
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotations import exporters, importers
from annotations.adjudication import (
    CHOICES,
    PARTS,
    AddedRow,
    Answer,
    NewQuote,
    ReviewRow,
)
from annotations.api.rows import annotation_json, instance_row
from annotations.errors import DomainError
from annotations.importers.brat import PROFILES
from annotations.matching import Extent
from annotations.models import (
    Annotation,
    Attribution,
    Collection,
    Document,
    Export,
    Job,
    Model,
    Span,
    Speaker,
)
from annotations.records import AttributionRecord, SpanRecord
from annotations.selectors import RULES, model_named
from annotations.services.import_files import ImportOptionsError, import_profile
from annotations.services.training import BASES


class DateTimeField(serializers.DateTimeField):
    """DRF's, reading the current time zone once per serializer instead of once per value:
    Django keeps it in a context-local, slow to read the hundreds of times a page needs."""

    @cached_property
    def _zone(self):
        return super().default_timezone()

    def default_timezone(self):
        return self._zone


class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }


@extend_schema_field({"type": "string", "example": "newsroom:3"})
class ModelLabelField(serializers.Field):
    """A trained model as NAME or NAME:VERSION (its newest version without one); 'rules'
    or null for the rules, which read back as null."""

    default_error_messages = {"invalid": "expected NAME[:VERSION] or 'rules'"}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> Model | None:
        if data == RULES:
            return None
        if not isinstance(data, str) or not data or "\x00" in data:
            self.fail("invalid")
        try:
            return model_named(data)
        except DomainError as error:
            raise serializers.ValidationError(str(error)) from None

    def to_representation(self, value: Model) -> str:
        return value.label


class CollectionSerializer(ModelSerializer):
    documents = serializers.IntegerField(read_only=True, source="document_total")
    gold = serializers.IntegerField(read_only=True, source="gold_total")
    model = ModelLabelField(
        required=False,
        help_text="What pre-annotates the collection and answers Label Studio: a trained "
        "model (NAME[:VERSION]), or 'rules' / null for the rules.",
    )

    class Meta:
        model = Collection
        fields = [
            "name",
            "title",
            "scheme",
            "overlap",
            "guidelines",
            "ls_project_id",
            "ls_pulled_at",
            "documents",
            "gold",
            "model",
            "created_at",
        ]
        read_only_fields = ["ls_project_id", "ls_pulled_at", "created_at"]
        # A name taken is the service's to say (409), not a validator's.
        extra_kwargs = {"overlap": {"min_value": 1, "max_value": 100}, "name": {"validators": []}}


class SpanSerializer(ModelSerializer):
    id = serializers.CharField(source="region_id")
    antecedent = serializers.CharField(
        source="antecedent.region_id", allow_null=True, default=None, read_only=True
    )

    class Meta:
        model = Span
        fields = ["id", "label", "start", "end", "text", "fragments", "antecedent"]


class AttributionSerializer(ModelSerializer):
    quote = serializers.CharField(source="quote.region_id")
    speaker = serializers.CharField(source="speaker.region_id", allow_null=True, default=None)
    cue = serializers.CharField(source="cue.region_id", allow_null=True, default=None)

    class Meta:
        model = Attribution
        fields = [
            "quote",
            "speaker",
            "cue",
            "speaker_name",
            "speaker_entity",
            "quote_type",
            "stance",
            "claim_type",
        ]


class AnnotationSerializer(ModelSerializer):
    annotator = serializers.CharField(
        source="made_by",
        read_only=True,
        help_text="The annotator's email or name; for gold, the reviewer who settled it.",
    )
    spans = SpanSerializer(many=True, read_only=True)
    attributions = AttributionSerializer(many=True, read_only=True)

    class Meta:
        model = Annotation
        fields = [
            "id",
            "document",
            "kind",
            "annotator",
            "model_version",
            "score",
            "lead_time",
            "ls_annotation_id",
            "problems",
            "provenance",
            "created_at",
            "updated_at",
            "spans",
            "attributions",
        ]

    def to_representation(self, annotation: Annotation) -> dict:
        """What the declared fields give, built by hand from the prefetched rows (the
        spans' and attributions' ids resolved within the annotation): DRF's fields for
        the thousand spans and attributions of a page took most of a list's time."""
        when = self.fields["created_at"].to_representation
        data = annotation_json(*instance_row(annotation), when)
        for name, field in self.fields.items():  # what a subclass adds
            if name not in data:
                data[name] = field.to_representation(field.get_attribute(annotation))
        return data


class DocumentSerializer(ModelSerializer):
    collection = serializers.SlugRelatedField(slug_field="name", read_only=True)
    annotations = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "collection",
            "external_id",
            "title",
            "text",
            "source_url",
            "published",
            "meta",
            "status",
            "ls_task_id",
            "created_at",
            "updated_at",
            "annotations",
        ]

    @extend_schema_field(
        serializers.DictField(child=AnnotationSerializer(many=True), help_text="By kind.")
    )
    def get_annotations(self, document: Document) -> dict[str, list]:
        grouped: dict[str, list] = {kind: [] for kind in Annotation.Kind.values}
        page = self.context.get("annotations")  # a page's, read as rows (api.rows)
        if page is not None:
            for data in page.get(document.pk, ()):
                grouped[data["kind"]].append(data)
            return grouped
        for annotation in document.annotations.all():
            grouped[annotation.kind].append(self.annotation_json.to_representation(annotation))
        return grouped

    @cached_property
    def annotation_json(self) -> AnnotationSerializer:
        """One serializer for every annotation of the page: making one builds its fields,
        which took most of a list's time when done per annotation."""
        return AnnotationSerializer(context=self.context)


class SpeakerSerializer(ModelSerializer):
    aliases = serializers.SerializerMethodField()
    quotes = serializers.IntegerField(read_only=True, source="attribution_total")

    class Meta:
        model = Speaker
        fields = ["id", "name", "external_id", "description", "aliases", "quotes"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_aliases(self, speaker: Speaker) -> list[str]:
        return [alias.name for alias in speaker.aliases.all()]


class ExportSerializer(ModelSerializer):
    collection = serializers.SlugRelatedField(slug_field="name", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            "id",
            "collection",
            "format",
            "options",
            "status",
            "error",
            "file_hashes",
            "counts",
            "created_by",
            "created_at",
            "download",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download(self, export: Export) -> str | None:
        if export.status != Export.Status.DONE:
            return None
        return reverse("api:export-download", args=[export.pk])


class JobSerializer(ModelSerializer):
    collection = serializers.SlugRelatedField(slug_field="name", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "url",
            "kind",
            "collection",
            "params",
            "status",
            "done",
            "total",
            "result",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_url(self, job: Job) -> str:
        return reverse("api:job-detail", args=[job.pk])


class QuoteModelSerializer(ModelSerializer):
    """A trained model: what it learnt from and how it scored."""

    label = serializers.CharField(read_only=True)
    collection = serializers.CharField(source="collection_name", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Model
        fields = [
            "id",
            "label",
            "name",
            "version",
            "collection",
            "base",
            "gold_documents",
            "heldout_documents",
            "training_seconds",
            "options",
            "metrics",
            "sha256",
            "size",
            "created_by",
            "created_at",
        ]


class LabelStudioStatusSerializer(serializers.Serializer):
    collection = serializers.CharField()
    label_studio = serializers.URLField()
    healthy = serializers.BooleanField()
    project = serializers.IntegerField(allow_null=True)
    documents = serializers.IntegerField()
    pushed = serializers.IntegerField()
    annotations_from_label_studio = serializers.IntegerField()
    flagged = serializers.IntegerField(help_text="Annotations that break the scheme.")
    last_pull = serializers.DateTimeField(allow_null=True)
    project_exists = serializers.BooleanField(required=False)
    tasks = serializers.IntegerField(required=False, allow_null=True)
    webhook = serializers.BooleanField(required=False)
    error = serializers.CharField(required=False)


class DocumentAgreementSerializer(serializers.Serializer):
    """One document's figures from the last agreement run (selectors.document_agreements)."""

    document = serializers.CharField(help_text="The document's external id.")
    document_id = serializers.IntegerField()
    annotators = serializers.ListField(child=serializers.CharField())
    quotes = serializers.IntegerField(help_text="Quote units: a quote and its counterparts.")
    quote_f1_overlap = serializers.FloatField(allow_null=True)
    units_with_disagreement = serializers.IntegerField(
        help_text="Quote units someone lacks or whose choices differ."
    )
    computed_at = serializers.DateTimeField()


# --- requests ---------------------------------------------------------------------


class CollectionNameField(serializers.SlugRelatedField):
    """A collection by name; a name with a NUL character names none (PostgreSQL would
    refuse the look-up itself)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class ExportRequestSerializer(serializers.Serializer):
    collection = CollectionNameField(slug_field="name", queryset=Collection.objects.all())
    format = serializers.ChoiceField(choices=exporters.FORMATS)
    split = serializers.CharField(default="0.8,0.1,0.1")
    seed = serializers.IntegerField(default=13, min_value=0, max_value=2**31)
    include_unreviewed = serializers.BooleanField(default=False)

    def validate_split(self, value: str) -> str:
        try:
            exporters.parse_split(value)
        except exporters.ExportError as error:
            raise serializers.ValidationError(str(error)) from None
        return value

    def validate_format(self, value: str) -> str:
        try:
            exporters.writer(value)
        except exporters.ExportError as error:
            raise serializers.ValidationError(str(error)) from None
        return value


class ImportRequestSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=1000)
    format = serializers.ChoiceField(choices=[importers.AUTO, *importers.FORMATS], default="auto")
    as_gold = serializers.BooleanField(default=False)
    brat_profile = serializers.ChoiceField(
        choices=list(PROFILES),
        default="default",
        help_text="How a brat corpus's labels read as the scheme (polnear: PolNeAR as shipped).",
    )
    brat_map = serializers.CharField(
        default="",
        allow_blank=True,
        max_length=2000,
        help_text="LABEL=TARGET,... with TARGET Quote, Speaker, Cue, Attribution or skip.",
    )

    def validate(self, data: dict) -> dict:
        try:
            import_profile(data["brat_profile"], data["brat_map"])
        except ImportOptionsError as error:
            raise serializers.ValidationError({"brat_map": [str(error)]}) from None
        return data


class SetupRequestSerializer(serializers.Serializer):
    ml_backend = serializers.BooleanField(default=False)


class PullRequestSerializer(serializers.Serializer):
    full = serializers.BooleanField(
        default=False,
        help_text="Read every task, not only those changed since the last pull.",
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, allow_blank=True, default="")


class ExtentSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=0, help_text="First character (code point).")
    end = serializers.IntegerField(min_value=1, help_text="One past the last character.")
    fragments = serializers.ListField(
        child=serializers.ListField(
            child=serializers.IntegerField(min_value=0), min_length=2, max_length=2
        ),
        required=False,
        min_length=2,
        help_text="The pieces [[start, end], ...] of a split quote; the first begins at "
        "start, the last finishes at end.",
    )

    def validate(self, data: dict) -> dict:
        if data["start"] >= data["end"]:
            raise serializers.ValidationError("start must be less than end")
        pieces = data.get("fragments")
        if pieces:
            ordered = all(a < b <= c for (a, b), (c, _) in zip(pieces, pieces[1:], strict=False))
            if not ordered or any(a >= b for a, b in pieces):
                raise serializers.ValidationError("fragments must be ordered and apart")
            if pieces[0][0] != data["start"] or pieces[-1][1] != data["end"]:
                raise serializers.ValidationError("fragments must run from start to end")
        return data


def _choice_field(name: str) -> serializers.ChoiceField:
    """A per-quote answer, or "" for none: the same choices as the model's field."""
    field = Attribution._meta.get_field(name)
    return serializers.ChoiceField(choices=[("", ""), *field.choices], required=False)


class DecisionSerializer(serializers.Serializer):
    unit = serializers.IntegerField(
        min_value=0, help_text="The quote's index in the review's units."
    )
    take = serializers.CharField(allow_null=True, help_text="Whose version; null leaves it out.")
    speaker_from = serializers.CharField(allow_null=True, required=False, default=None)
    cue_from = serializers.CharField(allow_null=True, required=False, default=None)
    speaker_name = serializers.CharField(allow_null=True, required=False, default=None)
    quote_type = _choice_field("quote_type")
    stance = _choice_field("stance")
    claim_type = _choice_field("claim_type")
    quote_at = ExtentSerializer(
        required=False, help_text="New boundaries for the quote, in place of the version's."
    )
    speaker_at = ExtentSerializer(required=False, help_text="New boundaries for the speaker.")
    cue_at = ExtentSerializer(required=False, help_text="New boundaries for the cue.")


class NewQuoteSerializer(serializers.Serializer):
    quote_at = ExtentSerializer(help_text="Where the quote is.")
    speaker_at = ExtentSerializer(required=False, allow_null=True, default=None)
    cue_at = ExtentSerializer(required=False, allow_null=True, default=None)
    speaker_name = serializers.CharField(required=False, allow_blank=True, default="")
    quote_type = _choice_field("quote_type")
    stance = _choice_field("stance")
    claim_type = _choice_field("claim_type")


def _pieces(extent: dict | None) -> Extent | None:
    if extent is None:
        return None
    return tuple(map(tuple, extent.get("fragments") or [])) or ((extent["start"], extent["end"]),)


def answer_from(item: dict) -> Answer:
    """A validated DecisionSerializer item as the reviewer's answer."""
    return Answer(
        unit=item["unit"],
        take=item["take"],
        speaker_from=item["speaker_from"],
        cue_from=item["cue_from"],
        speaker_name=item["speaker_name"],
        choices={c: item[c] for c in CHOICES if c in item},
        extents={p: _pieces(item[f"{p}_at"]) for p in PARTS if item.get(f"{p}_at")},
    )


def new_quote_from(item: dict) -> NewQuote:
    """A validated NewQuoteSerializer item as a quote the reviewer added."""
    return NewQuote(
        quote=_pieces(item["quote_at"]),
        speaker=_pieces(item["speaker_at"]),
        cue=_pieces(item["cue_at"]),
        speaker_name=item["speaker_name"],
        choices={c: item[c] for c in CHOICES if item.get(c)},
    )


class AdjudicateRequestSerializer(serializers.Serializer):
    decisions = DecisionSerializer(
        many=True, default=list, help_text="Changes to the default (agreed or majority) choices."
    )
    added = NewQuoteSerializer(
        many=True, default=list, help_text="Quotes no annotator marked, added by the reviewer."
    )
    push = serializers.BooleanField(default=False, help_text="Also send the gold to Label Studio.")


class AdjudicatedSerializer(AnnotationSerializer):
    push_job = serializers.SerializerMethodField()

    class Meta(AnnotationSerializer.Meta):
        fields = [*AnnotationSerializer.Meta.fields, "push_job"]

    @extend_schema_field(JobSerializer(allow_null=True))
    def get_push_job(self, annotation: Annotation) -> dict | None:
        job = self.context.get("push_job")
        return JobSerializer(job, context=self.context).data if job else None


def _span_json(span: SpanRecord | None) -> dict | None:
    if span is None:
        return None
    found = {"start": span.start, "end": span.end, "text": span.text}
    return {**found, "fragments": [list(p) for p in span.fragments]} if span.fragments else found


def _attribution_json(attribution: AttributionRecord, spans: dict) -> dict:
    return {
        **{part: _span_json(spans.get(part)) for part in PARTS},
        "speaker_name": attribution.speaker_name,
        **{choice: getattr(attribution, choice) for choice in CHOICES},
    }


def review_json(versions: list[str], rows: list[ReviewRow], added: list[AddedRow]) -> dict:
    """The review as the admin's page shows it: versions per unit, differences, the gold."""

    def version(candidate) -> dict:
        spans = {part: getattr(candidate, part) for part in PARTS}
        return _attribution_json(candidate.attribution, spans)

    def gold(row: ReviewRow) -> dict | None:
        if row.gold is None:
            return None
        if row.gold.absent:
            return {"absent": True}
        return {"absent": False, **_attribution_json(row.gold.attribution, row.gold.spans)}

    return {
        "annotators": versions,
        "units": [
            {
                "unit": row.unit.index,
                "agreed": row.unit.agreed,
                "default": row.default,
                "text": row.text,
                "differs": row.differs,
                "versions": {name: version(c) for name, c in row.unit.candidates.items()},
                "gold": gold(row),
                "drawn": {part: [list(p) for p in extent] for part, extent in row.drawn.items()},
            }
            for row in rows
        ],
        "added_in_gold": [_attribution_json(a.attribution, a.spans) for a in added],
    }


class MergeRequestSerializer(serializers.Serializer):
    others = serializers.PrimaryKeyRelatedField(
        queryset=Speaker.objects.all(), many=True, allow_empty=False
    )


class TrainRequestSerializer(serializers.Serializer):
    collection = CollectionNameField(slug_field="name", queryset=Collection.objects.all())
    name = serializers.SlugField(
        required=False, max_length=100, help_text="Default: the collection's name."
    )
    base = serializers.ChoiceField(choices=BASES, default="rules")
    min_confidence = serializers.FloatField(
        default=0.0,
        min_value=0.0,
        max_value=0.999,
        help_text="Keep a quote the rules did not find only when the model is this sure of it.",
    )
    split = serializers.CharField(default="0.8,0.1,0.1", max_length=100)
    seed = serializers.IntegerField(default=13, min_value=0, max_value=2**31)
    iterations = serializers.IntegerField(required=False, min_value=1, max_value=1000)

    def validate_split(self, value: str) -> str:
        try:
            ratios = exporters.parse_split(value)
        except exporters.ExportError as error:
            raise serializers.ValidationError(str(error)) from None
        if len(ratios) < 2:
            raise serializers.ValidationError("a model needs a held-out split to be scored on")
        return value

    def validate_name(self, value: str) -> str:
        if value == RULES:
            raise serializers.ValidationError(f"{RULES!r} names the rules, not a model")
        return value


class PreannotateRequestSerializer(serializers.Serializer):
    model = ModelLabelField(
        required=False,
        help_text="A trained model (NAME[:VERSION]) or 'rules'; default: the collection's.",
    )
