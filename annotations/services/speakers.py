"""The speaker registry: resolving names to Speaker entities, aliases, merging."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from annotations.models import Attribution, Speaker, SpeakerAlias, speaker_key


class SpeakerMergeError(ValueError):
    pass


def speakers_resolve(*, names: Iterable[str]) -> dict[str, int]:
    """Speaker ids for these names (by name or alias), creating speakers for new names.

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
    if missing:
        Speaker.objects.bulk_create(missing, ignore_conflicts=True)
        found.update(
            Speaker.objects.filter(key__in=[s.key for s in missing]).values_list("key", "id")
        )
    return found


@transaction.atomic
def speaker_add_alias(*, speaker: Speaker, name: str) -> SpeakerAlias | None:
    """Record another name for a speaker; None when the name already resolves to it."""
    key = speaker_key(name)
    if not key or key == speaker.key:
        return None
    existing = SpeakerAlias.objects.filter(key=key).first()
    if existing is not None:
        if existing.speaker_id != speaker.pk:
            raise SpeakerMergeError(
                f"{name!r} is already an alias of {existing.speaker}; merge the two speakers"
            )
        return None
    if Speaker.objects.filter(key=key).exclude(pk=speaker.pk).exists():
        raise SpeakerMergeError(f"{name!r} is another speaker's name; merge the two speakers")
    return SpeakerAlias.objects.create(speaker=speaker, name=name)


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
    target.save()
    for name in names:
        speaker_add_alias(speaker=target, name=name)
    return target
