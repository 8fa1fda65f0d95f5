"""Which database a model lives in: the webhook inbox and the workers' heartbeats in the
inbox database (see settings.DATABASES["inbox"]), everything else in the default one."""

from __future__ import annotations

from django.conf import settings

INBOX = "inbox"
INBOX_MODELS = {"webhookevent", "workerbeat"}


def in_inbox(model) -> bool:
    """Whether a model (or an instance of one) lives in the inbox database."""
    meta = getattr(model, "_meta", None)
    return meta is not None and meta.app_label == "annotations" and meta.model_name in INBOX_MODELS


class InboxRouter:
    def db_for_read(self, model, **hints):
        return INBOX if in_inbox(model) else None

    def db_for_write(self, model, **hints):
        return INBOX if in_inbox(model) else None

    def allow_relation(self, a, b, **hints):
        return None if in_inbox(a) == in_inbox(b) else False

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        inbox_model = app_label == "annotations" and model_name in INBOX_MODELS
        if db == INBOX:
            # Only the inbox tables (data migrations, which name no model, run elsewhere).
            return inbox_model and not settings.INBOX_IN_DEFAULT
        if inbox_model:
            return settings.INBOX_IN_DEFAULT
        return None
