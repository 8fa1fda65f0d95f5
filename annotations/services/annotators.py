"""Annotators: the people annotations belong to, one row each, found by their label."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from annotations.models import Annotation, Annotator, annotator_label
from annotations.services.collections import collection_stats_invalidate


def annotator_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def annotators_resolve(*, names: Iterable[str]) -> dict[str, int]:
    """Annotator ids by key for these labels (emails or names), adding the new ones."""
    wanted = {annotator_key(name): " ".join(name.split()) for name in names if name.strip()}
    if not wanted:
        return {}
    found = dict(Annotator.objects.filter(key__in=wanted).values_list("key", "id"))
    missing = [
        Annotator(
            key=key,
            email=label if "@" in label else "",
            name="" if "@" in label else label[:200],
        )
        for key, label in wanted.items()
        if key not in found
    ]
    if missing:
        Annotator.objects.bulk_create(missing, ignore_conflicts=True)
        found.update(
            Annotator.objects.filter(key__in=[a.key for a in missing]).values_list("key", "id")
        )
    return found


def annotators_for_users(*, user_ids: Iterable[object]) -> dict[int, Annotator]:
    """Annotators by Label Studio user id; a user not seen before is recorded by id
    (`ls-user-N`) until their email is learned."""
    ids = {user_id for user_id in user_ids if isinstance(user_id, int)}
    known = {a.ls_user_id: a for a in Annotator.objects.filter(ls_user_id__in=ids)}
    missing = [
        Annotator(ls_user_id=user_id, key=annotator_label("", "", user_id))
        for user_id in ids - set(known)
    ]
    if missing:
        Annotator.objects.bulk_create(missing, ignore_conflicts=True)
        known.update(
            {a.ls_user_id: a for a in Annotator.objects.filter(ls_user_id__in=ids - set(known))}
        )
    return known


@transaction.atomic
def annotator_learn(*, ls_user_id: int, email: str, name: str) -> bool:
    """Record what Label Studio says of one of its users; whether anything changed.

    If an annotator of that email or name came earlier from an import, the two
    are one person: the imported one's annotations move to the Label Studio user's.
    """
    annotator = annotators_for_users(user_ids=[ls_user_id])[ls_user_id]
    annotator = Annotator.objects.select_for_update().get(pk=annotator.pk)
    key = annotator_key(annotator_label(email, name, ls_user_id))
    if (annotator.email, annotator.name, annotator.key) == (email, name, key):
        return False
    twin = Annotator.objects.filter(key=key).exclude(pk=annotator.pk).first()
    if twin is not None:
        if twin.ls_user_id is not None:
            key = annotator_key(f"{key} (ls-user-{ls_user_id})")  # two accounts, one email
        else:
            Annotation.objects.filter(annotator=twin).update(annotator=annotator)
            annotator.user = annotator.user or twin.user
            twin.delete()
    annotator.email, annotator.name, annotator.key = email, name[:200], key
    annotator.save(update_fields=["email", "name", "key", "user"])
    collection_stats_invalidate(annotator_id=annotator.pk)  # its counts are by key
    return True
