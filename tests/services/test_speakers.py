import pytest

from annotations.models import Attribution, Speaker
from annotations.services import (
    SpeakerConflict,
    SpeakerMergeError,
    speaker_add_alias,
    speaker_create,
    speaker_update,
    speakers_merge,
    speakers_resolve,
)
from tests import factories

pytestmark = pytest.mark.django_db


def test_resolve_finds_by_name_or_alias_and_creates_the_rest(django_assert_max_num_queries):
    ushakov = speaker_create(name="Yury Ushakov", aliases=["Ushakov"])
    with django_assert_max_num_queries(4):
        found = speakers_resolve(names=["yury  ushakov", "USHAKOV", "Donald Trump", " "])
    trump = Speaker.objects.get(name="Donald Trump")
    assert found == {"yury ushakov": ushakov.pk, "ushakov": ushakov.pk, "donald trump": trump.pk}


def test_merge_moves_attributions_and_keeps_names_as_aliases():
    doc = factories.document()
    factories.annotation(doc)
    ana = Speaker.objects.get(name="Ana Lopez")
    other = speaker_create(name="A. Lopez", external_id="Q42", aliases=["Lopez"])
    Attribution.objects.filter(pk=Attribution.objects.first().pk).update(speaker_entity=other)
    speakers_merge(target=ana, others=[ana, other])
    ana.refresh_from_db()
    assert not Speaker.objects.filter(pk=other.pk).exists()
    assert set(ana.aliases.values_list("name", flat=True)) == {"A. Lopez", "Lopez"}
    assert ana.external_id == "Q42"
    assert Attribution.objects.filter(speaker_entity=ana).count() == 2


def test_merge_needs_another_speaker():
    ana = speaker_create(name="Ana")
    with pytest.raises(SpeakerMergeError):
        speakers_merge(target=ana, others=[ana])


def test_alias_of_another_speaker_is_refused():
    ana, bob = speaker_create(name="Ana"), speaker_create(name="Bob")
    speaker_add_alias(speaker=ana, name="The minister")
    with pytest.raises(SpeakerMergeError, match="already an alias of Ana"):
        speaker_add_alias(speaker=bob, name="the minister")
    with pytest.raises(SpeakerMergeError, match="is the name of another speaker"):
        speaker_add_alias(speaker=bob, name="ana")
    assert speaker_add_alias(speaker=ana, name="the  MINISTER") is None


def test_renaming_keeps_the_old_name_as_an_alias_and_refuses_another_speakers_name():
    ana = speaker_create(name="Ana Lopez", aliases=["Lopez"])
    bob = speaker_create(name="Bob Li", external_id="Q1")
    with pytest.raises(SpeakerConflict, match="is the name of another speaker"):
        speaker_update(speaker=ana, name="bob  LI")
    with pytest.raises(SpeakerConflict, match="is an alias of Ana Lopez"):
        speaker_update(speaker=bob, name="LOPEZ")
    with pytest.raises(SpeakerConflict, match="has the identifier 'Q1' already"):
        speaker_update(speaker=ana, external_id="Q1", description="changed")
    ana.refresh_from_db()
    assert (ana.name, ana.external_id, ana.description) == ("Ana Lopez", "", "")
    renamed = speaker_update(speaker=ana, name="Ana  María Lopez")
    assert (renamed.name, renamed.key) == ("Ana María Lopez", "ana maría lopez")
    assert sorted(renamed.aliases.values_list("name", flat=True)) == ["Ana Lopez", "Lopez"]
    # An alias becomes the name; the old name becomes an alias.
    back = speaker_update(speaker=renamed, name="Lopez")
    assert sorted(back.aliases.values_list("name", flat=True)) == ["Ana Lopez", "Ana María Lopez"]
    assert speakers_resolve(names=["ana lopez"]) == {"ana lopez": ana.pk}
