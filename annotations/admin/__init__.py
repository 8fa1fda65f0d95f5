"""The Django admin: documents, annotations, speakers, exports, models, review and dashboard."""

from annotations.admin import (  # noqa: F401  (registers the model admins)
    documents,
    exports,
    inbox,
    training,
)
