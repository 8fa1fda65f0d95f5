"""Every write the service makes goes through these functions.

Keyword-only, typed and atomic; views, admin actions and commands call them
and do nothing else to the database.
"""

from annotations.services.annotations import AnnotationWrite, WriteCounts, annotation_rows_write
from annotations.services.documents import (
    CollectionError,
    DocumentLocked,
    collection_get_or_create,
    collection_update,
    document_text_locked,
    document_update_text,
)
from annotations.services.imports import ImportFailed, ImportResult, documents_import
from annotations.services.speakers import (
    SpeakerMergeError,
    speaker_add_alias,
    speakers_merge,
    speakers_resolve,
)

__all__ = [
    "AnnotationWrite",
    "CollectionError",
    "collection_update",
    "DocumentLocked",
    "ImportFailed",
    "ImportResult",
    "SpeakerMergeError",
    "WriteCounts",
    "annotation_rows_write",
    "collection_get_or_create",
    "document_text_locked",
    "document_update_text",
    "documents_import",
    "speaker_add_alias",
    "speakers_merge",
    "speakers_resolve",
]
