"""Every write the service makes goes through these functions.

Keyword-only, typed and atomic; views, admin actions and commands call them
and do nothing else to the database.
"""

from annotations.services.annotations import AnnotationWrite, WriteCounts, annotation_rows_write
from annotations.services.collections import (
    CollectionError,
    CollectionExists,
    collection_create,
    collection_get_or_create,
    collection_put,
    collection_update,
)
from annotations.services.documents import (
    DocumentError,
    DocumentLocked,
    document_create,
    document_text_locked,
    document_update,
    document_update_text,
)
from annotations.services.imports import ImportFailed, ImportResult, documents_import
from annotations.services.jobs import JobError, job_retry, job_start
from annotations.services.speakers import (
    SpeakerConflict,
    SpeakerMergeError,
    speaker_add_alias,
    speaker_alias_remove,
    speaker_create,
    speaker_update,
    speakers_merge,
    speakers_prune_predicted,
    speakers_resolve,
)

__all__ = [
    "AnnotationWrite",
    "CollectionError",
    "CollectionExists",
    "collection_create",
    "collection_put",
    "collection_update",
    "DocumentError",
    "DocumentLocked",
    "document_create",
    "document_update",
    "ImportFailed",
    "ImportResult",
    "JobError",
    "job_retry",
    "job_start",
    "SpeakerConflict",
    "SpeakerMergeError",
    "WriteCounts",
    "annotation_rows_write",
    "collection_get_or_create",
    "document_text_locked",
    "document_update_text",
    "documents_import",
    "speaker_add_alias",
    "speaker_alias_remove",
    "speaker_create",
    "speaker_update",
    "speakers_merge",
    "speakers_prune_predicted",
    "speakers_resolve",
]
