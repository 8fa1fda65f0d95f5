"""Label Studio users as annotators: what Label Studio says of them (email, name)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from annotations.labelstudio.client import LabelStudioClient, LabelStudioError
from annotations.models import Annotator
from annotations.services.annotators import annotator_learn

log = logging.getLogger(__name__)


def annotators_refresh(*, client: LabelStudioClient) -> int:
    """Learn every Label Studio user's email and name."""
    return sum(_annotator_save(user) for user in client.users())


def annotators_learn(*, user_ids: Iterable[Any], client: LabelStudioClient) -> None:
    """Ask Label Studio who the users we have no email for are (a new annotator's first
    annotation arrives before any pull). Best effort: a failure leaves them named by id
    until the next pull."""
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
    name = " ".join(filter(None, [user.get("first_name"), user.get("last_name")]))
    return annotator_learn(ls_user_id=user["id"], email=user.get("email") or "", name=name)
