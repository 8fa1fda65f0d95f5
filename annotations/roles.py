"""The roles and what each may do in the admin and the API.

- Admins: Django superusers (or staff with every permission): everything, settings included.
- Reviewers: staff in the "Reviewers" group: read everything, review and adjudicate
  documents, curate the speaker registry, see exports; no collection settings.
- Annotators: the "Annotators" group, not staff: they work in Label Studio; through the
  API they may read the documents and annotations of their collections.
"""

from __future__ import annotations

REVIEWERS = "Reviewers"
ANNOTATORS = "Annotators"
PERMISSIONS = {
    REVIEWERS: [
        "view_collection",
        "view_document",
        "review_document",
        "view_annotation",
        "view_span",
        "view_attribution",
        "view_speaker",
        "change_speaker",
        "view_speakeralias",
        "add_speakeralias",
        "change_speakeralias",
        "delete_speakeralias",
        "view_export",
    ],
    ANNOTATORS: ["view_collection", "view_document", "view_annotation"],
}
