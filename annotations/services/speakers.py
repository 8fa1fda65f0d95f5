"""The speaker registry: resolving names to Speaker entities, aliases, merging."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from annotations.errors import Conflict, DomainError
from annotations.models import Attribution, Speaker, SpeakerAlias, speaker_key
from annotations.records import AnnotationKind


class SpeakerMergeError(DomainError):
    pass


class SpeakerConflict(SpeakerMergeError, Conflict):
    """A name or identifier that belongs to another speaker."""


def speakers_resolve(*, names: Iterable[str], create: bool = True) -> dict[str, int]:
    """Speaker ids for these names (by name or alias), creating speakers for new names
    unless `create` is False (then a new name has no id).

    Returns a map from each name's key (speaker_key) to a Speaker id; three
    queries at most, however many names.
    """
    wanted = {speaker_key(name): " ".join(name.split()) for name in names if name.strip()}
    if not wanted:
        return {}
    found = dict(Speaker.objects.filter(key__in=wanted).values_list("key", "id"))
    found.update(
        SpeakerAlias.objects.filter(key__in=set(wanted) - set(found)).values_list(
            "key", "speaker_id"
        )
    )
    missing = [Speaker(name=wanted[key], key=key) for key in wanted if key not in found]
    if missing and create:
        Speaker.objects.bulk_create(missing, ignore_conflicts=True)
        found.update(
            Speaker.objects.filter(key__in=[s.key for s in missing]).values_list("key", "id")
        )
    return found


@transaction.atomic
def speakers_prune_predicted() -> list[str]:
    """Remove the speakers only predictions ever named (registries from before
    predictions stopped growing it): no human, gold or imported annotation names
    them and nobody gave them an alias or an identifier. Their quotes keep the name
    as plain text. Returns the names removed."""
    named_by_people = Attribution.objects.exclude(
        annotation__kind=AnnotationKind.PREDICTION
    ).filter(speaker_entity__isnull=False)
    doomed = (
        Speaker.objects.filter(attributions__annotation__kind=AnnotationKind.PREDICTION)
        .exclude(pk__in=named_by_people.values("speaker_entity_id"))
        .exclude(pk__in=SpeakerAlias.objects.values("speaker_id"))
        .filter(external_id="", description="")
        .distinct()
    )
    names = sorted(doomed.values_list("name", flat=True))
    Speaker.objects.filter(pk__in=list(doomed.values_list("pk", flat=True))).delete()
    return names


@transaction.atomic
def speaker_add_alias(*, speaker: Speaker, name: str) -> SpeakerAlias | None:
    """Record another name for a speaker; None when the name already resolves to it."""
    name = " ".join(name.split())
    key = speaker_key(name)
    if not key or key == speaker.key:
        return None
    existing = SpeakerAlias.objects.filter(key=key).first()
    if existing is not None:
        if existing.speaker_id != speaker.pk:
            raise SpeakerConflict(
                f"{name!r} is already an alias of {existing.speaker}; merge the two speakers"
            )
        return None
    _refuse_other_speakers_name(speaker, name, key)
    return SpeakerAlias.objects.create(speaker=speaker, name=name, key=key)


def speaker_alias_remove(*, alias: SpeakerAlias) -> None:
    """Forget another name of a speaker (mentions by that name no longer find it)."""
    SpeakerAlias.objects.filter(pk=alias.pk).delete()


@transaction.atomic
def speaker_create(
    *, name: str, external_id: str = "", description: str = "", aliases: Iterable[str] = ()
) -> Speaker:
    """A new speaker with its other names; refused when a name is another speaker's."""
    name = " ".join(name.split())
    key = speaker_key(name)
    if not key:
        raise SpeakerMergeError("a speaker's name cannot be empty")
    if Speaker.objects.filter(key=key).exists() or SpeakerAlias.objects.filter(key=key).exists():
        raise SpeakerConflict(f"{name!r} is already a speaker's name or alias")
    if external_id and Speaker.objects.filter(external_id=external_id).exists():
        raise SpeakerConflict(f"another speaker has the identifier {external_id!r}")
    speaker = Speaker.objects.create(
        name=name, key=key, external_id=external_id, description=description
    )
    for alias in aliases:
        speaker_add_alias(speaker=speaker, name=alias)
    return speaker


@transaction.atomic
def speaker_update(
    *,
    speaker: Speaker,
    name: str | None = None,
    external_id: str | None = None,
    description: str | None = None,
) -> Speaker:
    """Rename a speaker (its old name stays an alias, so mentions still find it) or change
    its identifier or description; refused, with nothing changed, when the name or the
    identifier belongs to another speaker."""
    locked = Speaker.objects.select_for_update().get(pk=speaker.pk)
    if name is not None:
        name = " ".join(name.split())
        key = speaker_key(name)
        if not key:
            raise SpeakerMergeError("a speaker's name cannot be empty")
        if key != locked.key:
            _refuse_other_speakers_name(locked, name, key)
            alias = SpeakerAlias.objects.filter(key=key).first()
            if alias is not None and alias.speaker_id != locked.pk:
                raise SpeakerConflict(
                    f"{name!r} is an alias of {alias.speaker}; merge the two speakers instead"
                )
            old_name = locked.name
            SpeakerAlias.objects.filter(key=key).delete()  # the alias becomes the name
            locked.name, locked.key = name, key
            locked.save(update_fields=["name", "key"])
            SpeakerAlias.objects.create(speaker=locked, name=old_name, key=speaker_key(old_name))
        elif name != locked.name:
            locked.name = name
            locked.save(update_fields=["name"])
    if external_id is not None and external_id != locked.external_id:
        taken = Speaker.objects.filter(external_id=external_id).exclude(pk=locked.pk).first()
        if external_id and taken is not None:
            raise SpeakerConflict(f"{taken} has the identifier {external_id!r} already")
        locked.external_id = external_id
        locked.save(update_fields=["external_id"])
    if description is not None and description != locked.description:
        locked.description = description
        locked.save(update_fields=["description"])
    return locked


def _refuse_other_speakers_name(speaker: Speaker, name: str, key: str) -> None:
    other = Speaker.objects.filter(key=key).exclude(pk=speaker.pk).first()
    if other is not None:
        raise SpeakerConflict(f"{name!r} is the name of another speaker ({other.pk}); merge them")


@transaction.atomic
def speakers_merge(*, target: Speaker, others: Iterable[Speaker]) -> Speaker:
    """Fold other speakers into target: their attributions, names and aliases move to it."""
    others = [other for other in others if other.pk != target.pk]
    if not others:
        raise SpeakerMergeError("choose at least one speaker besides the one to keep")
    other_ids = [other.pk for other in others]
    Attribution.objects.filter(speaker_entity_id__in=other_ids).update(speaker_entity=target)
    SpeakerAlias.objects.filter(speaker_id__in=other_ids).update(speaker=target)
    if not target.external_id:
        target.external_id = next((o.external_id for o in others if o.external_id), "")
    names = [other.name for other in others]
    Speaker.objects.filter(pk__in=other_ids).delete()
    target.save(update_fields=["external_id"])
    for name in names:
        speaker_add_alias(speaker=target, name=name)
    return target
