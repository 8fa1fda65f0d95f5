"""The Django admin: documents, annotations, speakers, exports, review and dashboard."""

from annotations.admin import documents, exports, inbox  # noqa: F401  (registers the model admins)
