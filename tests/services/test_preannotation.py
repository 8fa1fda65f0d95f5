import io
import json

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Annotation, Attribution, Speaker
from annotations.preannotate import MODEL_VERSION
from annotations.services import speaker_create
from annotations.services.preannotation import collection_preannotate, known_speakers
from tests import factories

pytestmark = pytest.mark.django_db


def test_predictions_are_stored_once_and_linked_to_speakers_they_never_create():
    collection = factories.collection()
    doc = factories.document(collection)
    collection_preannotate(collection=collection)
    unknown = doc.annotations.get(kind="prediction").attributions.all()
    assert [a.speaker_name for a in unknown] == ["Ana Lopez", "Ana Lopez"]
    assert not Speaker.objects.exists() and not any(a.speaker_entity_id for a in unknown)
    Annotation.objects.all().delete()
    speaker_create(name="Ana Lopez")
    first = collection_preannotate(collection=collection)
    assert (first.documents, first.created, first.quotes) == (1, 1, 2)
    prediction = doc.annotations.get(kind="prediction")
    assert (prediction.model_version, prediction.source_key) == (
        MODEL_VERSION,
        f"prediction:{MODEL_VERSION}",
    )
    assert 0 < prediction.score <= 1
    assert prediction.attributions.filter(speaker_entity__name="Ana Lopez").count() == 2
    again = collection_preannotate(collection=collection)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Annotation.objects.count() == 1


def test_jsonl_output_reimports_as_the_same_prediction(tmp_path):
    collection = factories.collection()
    factories.document(collection)
    out = io.StringIO()
    collection_preannotate(collection=collection, out=out)
    record = json.loads(out.getvalue())
    assert record["provenance"]["model_version"] == MODEL_VERSION
    path = tmp_path / "predictions.jsonl"
    path.write_text(out.getvalue())
    call_command("import_documents", str(path), "--collection", "other", stdout=io.StringIO())
    imported = Annotation.objects.get(document__collection__name="other")
    assert (imported.kind, imported.model_version) == ("prediction", MODEL_VERSION)
    assert (
        imported.spans.count()
        == Annotation.objects.get(document__collection=collection).spans.count()
    )


def test_the_registry_supplies_full_names():
    speaker = speaker_create(name="Yury Ushakov", aliases=["Ushakov"])
    assert known_speakers() == {"yury ushakov": "Yury Ushakov", "ushakov": "Yury Ushakov"}
    collection = factories.collection()
    factories.document(collection, text="Ushakov said the talks were useful.")
    collection_preannotate(collection=collection)
    assert Annotation.objects.get().attributions.get().speaker_entity == speaker


def test_aliases_grow_from_human_annotations_not_from_predictions():
    doc = factories.document()
    record = factories.quote_annotation()
    factories.annotation(doc, record)
    ana = Speaker.objects.get(name="Ana Lopez")
    assert (
        list(ana.aliases.values_list("name", flat=True)) == []
    )  # "Ana Lopez" is the name, "She" a pronoun
    record = factories.quote_annotation(annotator="bo@example.com", source_key="import:human:bo")
    record.spans[2] = record.spans[2].__class__("s1", "Speaker", 24, 29, "Lopez")
    factories.annotation(doc, record)
    assert list(ana.aliases.values_list("name", flat=True)) == ["Lopez"]


def test_speakers_only_predictions_named_are_pruned_and_no_other():
    doc = factories.document()
    people = speaker_create(name="Greg Olsen", aliases=["Olsen"])
    kept = {name: speaker_create(name=name) for name in ("Texas", "Friday", "Ana Lopez")}
    prediction = factories.quote_annotation(kind="prediction", annotator="",
                                            source_key="prediction:test")  # fmt: skip
    factories.annotation(doc, prediction)  # names "Ana Lopez"
    Speaker.objects.filter(pk=kept["Texas"].pk).update(external_id="Q1")
    junk = Speaker.objects.create(name="I can't", key="i can't")
    first, second = Attribution.objects.filter(annotation__kind="prediction").order_by("pk")
    Attribution.objects.filter(pk=first.pk).update(speaker_entity=junk)
    Attribution.objects.filter(pk=second.pk).update(speaker_entity=kept["Texas"])  # has a QID
    factories.annotation(doc, factories.quote_annotation())  # a person names "Ana Lopez"
    out = io.StringIO()
    call_command("prune_speakers", "--dry-run", stdout=out)
    assert "would remove 1 speaker(s) only predictions named: I can't" in out.getvalue()
    assert Speaker.objects.filter(pk=junk.pk).exists()
    call_command("prune_speakers", stdout=out)
    assert not Speaker.objects.filter(pk=junk.pk).exists()
    assert set(Speaker.objects.values_list("name", flat=True)) == {
        people.name,
        "Texas",
        "Friday",
        "Ana Lopez",
    }
    assert Attribution.objects.filter(annotation__kind="prediction", speaker_entity=None).exists()


def test_command(tmp_path):
    collection = factories.collection()
    factories.document(collection)
    out = io.StringIO()
    call_command(
        "preannotate",
        "--collection",
        collection.name,
        "--out",
        str(tmp_path / "p.jsonl"),
        stdout=out,
    )
    assert (
        f"{MODEL_VERSION} on 'news': 1 document(s), 2 quote(s); predictions 1 new" in out.getvalue()
    )
    assert (tmp_path / "p.jsonl").read_text().count("\n") == 1
    with pytest.raises(CommandError, match="no collection named 'nope'"):
        call_command("preannotate", "--collection", "nope")
    with pytest.raises(CommandError, match="cannot write"):
        call_command(
            "preannotate", "--collection", "news", "--out", str(tmp_path / "no" / "x.jsonl")
        )
