import pytest

from annotations.models import Attribution, Speaker, SpeakerAlias
from annotations.services import (
    SpeakerMergeError,
    speaker_add_alias,
    speakers_merge,
    speakers_resolve,
)
from tests import factories

pytestmark = pytest.mark.django_db


def test_resolve_finds_by_name_or_alias_and_creates_the_rest(django_assert_max_num_queries):
    ushakov = Speaker.objects.create(name="Yury Ushakov")
    SpeakerAlias.objects.create(speaker=ushakov, name="Ushakov")
    with django_assert_max_num_queries(4):
        found = speakers_resolve(names=["yury  ushakov", "USHAKOV", "Donald Trump", " "])
    trump = Speaker.objects.get(name="Donald Trump")
    assert found == {"yury ushakov": ushakov.pk, "ushakov": ushakov.pk, "donald trump": trump.pk}


def test_merge_moves_attributions_and_keeps_names_as_aliases():
    doc = factories.document()
    factories.annotation(doc)
    ana = Speaker.objects.get(name="Ana Lopez")
    other = Speaker.objects.create(name="A. Lopez", external_id="Q42")
    SpeakerAlias.objects.create(speaker=other, name="Lopez")
    Attribution.objects.filter(pk=Attribution.objects.first().pk).update(speaker_entity=other)
    speakers_merge(target=ana, others=[ana, other])
    ana.refresh_from_db()
    assert not Speaker.objects.filter(pk=other.pk).exists()
    assert set(ana.aliases.values_list("name", flat=True)) == {"A. Lopez", "Lopez"}
    assert ana.external_id == "Q42"
    assert Attribution.objects.filter(speaker_entity=ana).count() == 2


def test_merge_needs_another_speaker():
    ana = Speaker.objects.create(name="Ana")
    with pytest.raises(SpeakerMergeError):
        speakers_merge(target=ana, others=[ana])


def test_alias_of_another_speaker_is_refused():
    ana, bob = Speaker.objects.create(name="Ana"), Speaker.objects.create(name="Bob")
    speaker_add_alias(speaker=ana, name="The minister")
    with pytest.raises(SpeakerMergeError, match="already an alias of Ana"):
        speaker_add_alias(speaker=bob, name="the minister")
    with pytest.raises(SpeakerMergeError, match="another speaker's name"):
        speaker_add_alias(speaker=bob, name="ana")
    assert speaker_add_alias(speaker=ana, name="the  MINISTER") is None
