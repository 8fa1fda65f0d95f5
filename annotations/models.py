from django.conf import settings
from django.db import models
from django.db.models import F, Q

from annotations.records import AnnotationKind
from annotations.scheme import DEFAULT_SCHEME, QUOTES_V1


class Collection(models.Model):
    """A batch of documents annotated under one scheme, bound to one Label Studio project."""

    name = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200, blank=True)
    scheme = models.CharField(max_length=50, default=DEFAULT_SCHEME)
    overlap = models.PositiveSmallIntegerField(
        default=1, help_text="How many annotators label each document."
    )
    guidelines = models.TextField(blank=True, help_text="Markdown shown to annotators.")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="collections",
        help_text="Annotators who may read this collection through the API.",
    )
    ls_project_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    ls_pulled_at = models.DateTimeField(
        null=True, blank=True, help_text="When annotations were last reconciled with Label Studio."
    )
    ls_changes_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Label Studio's time from which the next pull asks for changed tasks only "
        "(empty: the next pull is a full one).",
    )
    agreement = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="The last agreement report, computed by a job (dashboard, API) or by "
        "manage.py agreement; pages read it, never compute it.",
    )
    agreement_at = models.DateTimeField(null=True, blank=True, editable=False)
    stats = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="The dashboard's counts (documents by status, annotations per annotator "
        "and day, gold labels and choices), counted by a job; pages read them.",
    )
    stats_at = models.DateTimeField(null=True, blank=True, editable=False)
    prediction_use = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="What annotators kept, edited and deleted of the predictions they started "
        "from, per model version, and their labelling time with and without; computed with "
        "the agreement.",
    )
    model = models.ForeignKey(
        "Model",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The trained model that pre-annotates this collection and answers Label "
        "Studio's requests for predictions (empty: the rules).",
    )
    stats_stale = models.BooleanField(
        default=True,
        editable=False,
        help_text="Set by every write to the collection's documents or annotations; the "
        "dashboard then starts a recount.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(overlap__gte=1), name="collection_overlap_positive"),
        ]

    def __str__(self) -> str:
        return self.title or self.name


# The collection's stored reports: rows that list documents or jobs with their collection
# leave them out (each can be tens of kilobytes of JSON, decoded for every row).
COLLECTION_REPORTS = ("collection__agreement", "collection__stats", "collection__prediction_use")


class DocumentStatus(models.TextChoices):
    NEW = "new", "new"
    QUEUED = "queued", "queued"
    ANNOTATED = "annotated", "annotated"
    IN_REVIEW = "in_review", "in review"
    GOLD = "gold", "gold"
    REJECTED = "rejected", "rejected"


class Document(models.Model):
    Status = DocumentStatus

    # Indexed by (collection, id) below, which also serves what an index of its own would.
    collection = models.ForeignKey(
        Collection, on_delete=models.CASCADE, related_name="documents", db_index=False
    )
    external_id = models.CharField(max_length=255)
    title = models.CharField(max_length=500, blank=True)
    # Immutable once a span refers to it: offsets index into this string.
    text = models.TextField()
    text_hash = models.CharField(max_length=64, editable=False)
    source_url = models.URLField(max_length=2000, blank=True)
    published = models.DateField(null=True, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    ls_task_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    ls_pushed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # By the collection's id, not its name: ordering by the foreign key would join the
        # collection and sort every row by name; this order is the unique index's own.
        ordering = ["collection_id", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "external_id"], name="document_external_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DocumentStatus.values), name="document_status_valid"
            ),
            models.CheckConstraint(condition=~Q(external_id=""), name="document_external_id_set"),
        ]
        indexes = [
            models.Index(fields=["collection", "status"]),
            # A search finds an exact external id by it (the unique index leads with the
            # collection). The words are indexed by the database: migration 0011.
            models.Index(fields=["external_id"], name="document_external_id"),
            # A collection's documents in the order they came: their annotations listed
            # by document are read through it.
            models.Index(fields=["collection", "id"], name="document_collection_ids"),
            # Lists filtered by status (and collection) in their own order.
            models.Index(
                fields=["status", "collection", "external_id"], name="document_status_list"
            ),
        ]
        permissions = [("review_document", "Can review and adjudicate documents")]

    def __str__(self) -> str:
        return self.title or self.external_id


class DocumentAgreement(models.Model):
    """One document's agreement figures from the last agreement run of its collection.

    Kept per document rather than in the collection's report, which would grow by a
    dict per document; the agreement job writes them a chunk at a time and a rerun
    replaces them."""

    document = models.OneToOneField(
        Document, primary_key=True, on_delete=models.CASCADE, related_name="agreement"
    )
    # The document's collection, so its rows are found and ranked by one index.
    collection = models.ForeignKey(
        Collection, on_delete=models.CASCADE, related_name="document_agreements", db_index=False
    )
    annotators = models.JSONField(default=list)
    quotes = models.PositiveIntegerField(help_text="Quote units: a quote and its counterparts.")
    quote_f1_overlap = models.FloatField(null=True, blank=True)
    units_with_disagreement = models.PositiveIntegerField(
        help_text="Quote units someone lacks or whose choices differ."
    )
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["collection", "-units_with_disagreement", "document"],
                name="document_agreement_worst",
            )
        ]

    def __str__(self) -> str:
        return f"agreement on {self.document_id}"


class Fts5Match(models.Lookup):
    """SQLite FTS5: the row matches a full-text query (`<table column> MATCH <query>`)."""

    lookup_name = "match"

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class DocumentSearchEntry(models.Model):
    """A document's entry in SQLite's full-text index: the FTS5 table that migration 0011
    makes and triggers keep, joined by document id so each match's rank is computed
    once. Read by annotations.fulltext only; on PostgreSQL the index is a column of the
    document table and this table does not exist."""

    document = models.OneToOneField(
        Document,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_column="rowid",
        related_name="search_entry",
    )
    # The hidden column an FTS5 table has under its own name, which MATCH queries.
    entry = models.TextField(db_column="annotations_document_search")
    rank = models.FloatField()  # bm25, weighted in the migration; lower is better

    class Meta:
        managed = False
        db_table = "annotations_document_search"


DocumentSearchEntry._meta.get_field("entry").register_lookup(Fts5Match)


class Speaker(models.Model):
    """A canonical source: every mention that refers to one person or body points here."""

    name = models.CharField(max_length=300)
    # Lower-cased name, unique, so "Yury Ushakov" and "yury ushakov" are one speaker
    # (set by services.speakers, which check it against aliases too).
    key = models.CharField(max_length=300, unique=True, editable=False)
    external_id = models.CharField(
        max_length=100, blank=True, help_text="An identifier elsewhere, e.g. a Wikidata QID."
    )
    description = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The lower-cased name: unique and indexed, so lists page through it cheaply.
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="speaker_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SpeakerAlias(models.Model):
    """Another name for a speaker ("Ushakov", "the Kremlin aide")."""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300)
    key = models.CharField(max_length=300, unique=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "speaker aliases"

    def __str__(self) -> str:
        return self.name


def speaker_key(name: str) -> str:
    return " ".join(name.split()).casefold()


class AnnotationKindChoices(models.TextChoices):
    PREDICTION = AnnotationKind.PREDICTION, "prediction"
    HUMAN = AnnotationKind.HUMAN, "human"
    GOLD = AnnotationKind.GOLD, "gold"
    IMPORTED = AnnotationKind.IMPORTED, "imported"


class Annotator(models.Model):
    """A person whose annotations the service keeps: a Label Studio user (by id, with the
    email and name Label Studio knows) or a name an imported corpus gave."""

    ls_user_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    email = models.EmailField(blank=True)
    name = models.CharField(max_length=200, blank=True)
    # The label in lower case, unique: "ann@example.com" from an import and the Label
    # Studio user with that email are one annotator (set by the services that write here).
    key = models.CharField(max_length=254, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How annotations name this annotator: the email, the name, or a stable stand-in."""
        return annotator_label(self.email, self.name, self.ls_user_id)


def annotator_label(email: str, name: str, ls_user_id: int | None) -> str:
    return email or name or f"ls-user-{ls_user_id}"


class LabelStudioTombstone(models.Model):
    """A Label Studio annotation that was deleted, so a late update cannot bring it back."""

    ls_annotation_id = models.PositiveIntegerField(unique=True)
    deleted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"deleted Label Studio annotation {self.ls_annotation_id}"


class Annotation(models.Model):
    Kind = AnnotationKindChoices

    # Indexed by the annotation_list index, which leads with it.
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="annotations", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Whose annotation it is (human annotations; gold names its adjudicator in provenance).
    annotator = models.ForeignKey(
        Annotator,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="annotations",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_annotations",
    )
    based_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="derived")
    source_key = models.CharField(
        max_length=200,
        blank=True,
        help_text="Stable identity of the source, so a repeated import or sync updates "
        "this annotation instead of adding another.",
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    raw = models.JSONField(
        null=True, blank=True, help_text="The Label Studio JSON as received, kept losslessly."
    )
    problems = models.JSONField(
        default=list, blank=True, help_text="Where the result breaks the label scheme."
    )
    provenance = models.JSONField(default=dict, blank=True)
    model_version = models.CharField(max_length=100, blank=True)
    score = models.FloatField(null=True, blank=True)
    lead_time = models.FloatField(null=True, blank=True, help_text="Seconds spent labelling.")
    ls_annotation_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    ls_prediction_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    ls_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # By the document's id: ordering by the foreign key would join the document.
        ordering = ["document_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "source_key"],
                condition=~Q(source_key=""),
                name="annotation_source_unique",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AnnotationKindChoices.values), name="annotation_kind_valid"
            ),
        ]
        indexes = [
            # A document's annotations by kind, and the lists' order (ending unique).
            models.Index(fields=["document", "kind", "id"], name="annotation_list"),
        ]

    def __str__(self) -> str:
        who = self.made_by or self.model_version or "unknown"
        return f"{self.get_kind_display()} by {who} on {self.document}"

    @property
    def annotator_label(self) -> str:
        return self.annotator.label if self.annotator_id else ""

    @property
    def made_by(self) -> str:
        """Who made it: the annotator, or for gold the reviewer who adjudicated it."""
        if self.annotator_id:
            return self.annotator.label
        return str((self.provenance or {}).get("adjudicator", "")) if self.kind == "gold" else ""

    @property
    def needs_review(self) -> bool:
        return bool(self.problems)


class Span(models.Model):
    Label = models.TextChoices("Label", [(name.upper(), name) for name in QUOTES_V1.label_names()])

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="spans")
    # The span's id inside its annotation (Label Studio region id or canonical id).
    region_id = models.CharField(max_length=100)
    label = models.CharField(max_length=20, choices=Label.choices)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    # Pieces of a discontinuous span as [[start, end], ...]; empty when contiguous.
    fragments = models.JSONField(default=list, blank=True)
    # coref: the named mention this (pronoun or short) mention refers to.
    antecedent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions"
    )

    class Meta:
        # By the annotation's id (by the foreign key would join the annotation to sort).
        ordering = ["annotation_id", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="span_start_non_negative"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="span_start_before_end"),
            models.CheckConstraint(
                condition=Q(label__in=QUOTES_V1.label_names()), name="span_label_valid"
            ),
            models.UniqueConstraint(fields=["annotation", "region_id"], name="span_region_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.start}..{self.end} {self.text[:40]!r}"


def _scheme_choices(name: str) -> type[models.TextChoices]:
    values = QUOTES_V1.choice_set(name).allowed()
    return models.TextChoices(name, [(value.upper(), value) for value in values])


class Attribution(models.Model):
    """Who said one quote, how it was introduced, and what kind of claim it is."""

    QuoteType = _scheme_choices("quote_type")
    Stance = _scheme_choices("stance")
    ClaimType = _scheme_choices("claim_type")

    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="attributions"
    )
    quote = models.OneToOneField(Span, on_delete=models.CASCADE, related_name="attribution")
    speaker = models.ForeignKey(
        Span, null=True, blank=True, on_delete=models.SET_NULL, related_name="attributed_quotes"
    )
    cue = models.ForeignKey(
        Span, null=True, blank=True, on_delete=models.SET_NULL, related_name="cued_quotes"
    )
    speaker_entity = models.ForeignKey(
        Speaker, null=True, blank=True, on_delete=models.SET_NULL, related_name="attributions"
    )
    speaker_name = models.CharField(max_length=300, blank=True)
    quote_type = models.CharField(max_length=20, choices=QuoteType.choices, blank=True)
    stance = models.CharField(max_length=20, choices=Stance.choices, blank=True)
    claim_type = models.CharField(max_length=20, choices=ClaimType.choices, blank=True)

    class Meta:
        ordering = ["annotation_id", "quote__start", "id"]  # (as for spans)

    def __str__(self) -> str:
        return f"{self.speaker_name or 'unknown'}: {self.quote.text[:40]!r}"


class Model(models.Model):
    """A quote tagger trained from a collection's gold: one row per version, its file
    under MODEL_DIR. Predictions name it as `name:version`."""

    name = models.SlugField(max_length=100)
    version = models.PositiveIntegerField()
    collection = models.ForeignKey(
        Collection, null=True, blank=True, on_delete=models.SET_NULL, related_name="models"
    )
    # Kept when the collection is deleted: a model outlives the data it learnt from.
    collection_name = models.CharField(max_length=100)
    base = models.CharField(
        max_length=20, help_text="What the model stacks on: the rules' output, or nothing."
    )
    gold_documents = models.PositiveIntegerField(help_text="Gold documents it learnt from.")
    heldout_documents = models.PositiveIntegerField(help_text="Gold documents it was scored on.")
    training_seconds = models.FloatField()
    options = models.JSONField(default=dict, blank=True, help_text="Split, seed, parameters.")
    metrics = models.JSONField(
        default=dict,
        blank=True,
        help_text="Scores on the held-out split, the rules' on the same documents, and the "
        "learning curve.",
    )
    file = models.CharField(max_length=500, help_text="Relative to MODEL_DIR.")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="model_name_version"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.name}:{self.version}"


class Export(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="exports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    format = models.CharField(max_length=20)
    options = models.JSONField(default=dict, blank=True, help_text="Filters, split and seed.")
    path = models.CharField(max_length=1000, blank=True)
    file_hashes = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.format} export of {self.collection} ({self.created_at:%Y-%m-%d %H:%M})"


class Job(models.Model):
    """Long work started from the API or the admin, run by the background worker."""

    class Kind(models.TextChoices):
        IMPORT = "import"
        PREANNOTATE = "preannotate"
        SETUP = "labelstudio_setup"
        PUSH = "labelstudio_push"
        PULL = "labelstudio_pull"
        EXPORT = "export"
        GOLD_PUSH = "labelstudio_gold_push"
        AGREEMENT = "agreement"
        STATS = "stats"
        TRAIN = "train"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="jobs")
    # The worker running it (its WorkerBeat), "request" when it ran inside a request.
    worker_id = models.CharField(max_length=64, blank=True)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # Workers add a pull job per collection every few minutes: the list grows for good.
        indexes = [models.Index(fields=["created_at", "id"], name="job_list")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.collection} ({self.status})"


class WebhookEvent(models.Model):
    """A Label Studio webhook as it arrived, kept in the inbox database until applied.

    Receiving only appends here (nothing else can block it); the worker, or the
    request itself when no worker runs, applies the events in order.
    """

    received_at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=60)
    payload = models.JSONField()
    applied_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["applied_at", "id"], name="webhook_event_pending"),
            # The few that failed, found without reading every event.
            models.Index(fields=["id"], condition=~Q(error=""), name="webhook_event_failed"),
        ]

    def __str__(self) -> str:
        return f"{self.action} received {self.received_at:%Y-%m-%d %H:%M:%S}"


class WorkerBeat(models.Model):
    """A background worker's last sign of life (in the inbox database, which long writes to
    the main database never block), so jobs of a worker that died are found."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"worker {self.worker_id} ({self.host}:{self.pid})"
