"""Label Studio users as annotators: their ids become names (emails)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from annotations.labelstudio.client import LabelStudioClient, LabelStudioError
from annotations.models import (
    Annotation,
    Annotator,
)

log = logging.getLogger(__name__)


def annotator_names(user_ids: Iterable[Any]) -> dict[int, str]:
    """Annotator names by Label Studio user id; unknown users are recorded by id until a pull."""
    ids = {user_id for user_id in user_ids if isinstance(user_id, int)}
    known = {a.ls_user_id: a for a in Annotator.objects.filter(ls_user_id__in=ids)}
    missing = [Annotator(ls_user_id=user_id) for user_id in ids - set(known)]
    Annotator.objects.bulk_create(missing, ignore_conflicts=True)
    known.update({a.ls_user_id: a for a in missing})
    return {user_id: annotator.label for user_id, annotator in known.items()}


def annotators_refresh(*, client: LabelStudioClient) -> int:
    """Learn every Label Studio user's email; annotations named by user id get the email."""
    return sum(_annotator_save(user) for user in client.users())


def annotators_learn(*, user_ids: Iterable[Any], client: LabelStudioClient) -> None:
    """Ask Label Studio who the users we have no email for are (a new annotator's first
    annotation arrives before any pull). Best effort: a failure leaves them named by id
    until the next pull, which renames their annotations."""
    ids = {user_id for user_id in user_ids if isinstance(user_id, int)}
    named = set(
        Annotator.objects.filter(ls_user_id__in=ids)
        .exclude(email="")
        .values_list("ls_user_id", flat=True)
    )
    for user_id in sorted(ids - named):
        try:
            user = client.user_get(user_id)
        except LabelStudioError as error:
            log.warning("cannot learn who Label Studio user %s is: %s", user_id, error)
            return
        if user is not None:
            _annotator_save(user)


def _annotator_save(user: dict) -> bool:
    """Record a Label Studio user's email and name; their annotations follow. Changed?"""
    annotator, _ = Annotator.objects.get_or_create(ls_user_id=user["id"])
    email = user.get("email") or ""
    name = " ".join(filter(None, [user.get("first_name"), user.get("last_name")]))
    if (annotator.email, annotator.name) == (email, name):
        return False
    old = annotator.label
    annotator.email, annotator.name = email, name
    annotator.save(update_fields=["email", "name"])
    Annotation.objects.filter(annotator=old, ls_annotation_id__isnull=False).update(
        annotator=annotator.label
    )
    return True
