"""What annotators kept, edited and deleted of the predictions they started from."""

from dataclasses import replace

import pytest

from annotations.models import Annotation, Collection
from annotations.preannotate import MODEL_VERSION
from annotations.prediction_use import PredictionUseTally, kept_share
from annotations.records import SpanRecord
from annotations.scheme import QUOTES_V1
from annotations.services.collections import collection_prediction_use_compute
from tests import factories


def edited(record, **changes):
    """The prediction as an annotator left it: the changes are span id -> new span (None
    deletes it), and 'added' a list of new spans."""
    spans = []
    for span in record.spans:
        if span.id in changes:
            if changes[span.id] is not None:
                spans.append(changes[span.id])
        else:
            spans.append(span)
    spans += changes.get("added", [])
    ids = {s.id for s in spans}
    attributions = [
        replace(
            a, speaker=a.speaker if a.speaker in ids else None, cue=a.cue if a.cue in ids else None
        )
        for a in record.attributions
        if a.quote in ids
    ]
    return replace(record, kind="human", spans=spans, attributions=attributions)


def test_each_predicted_span_is_kept_edited_or_deleted_and_the_rest_added():
    prediction = factories.quote_annotation(kind="prediction")
    human = edited(
        prediction,
        q2=SpanRecord("q2", "Quote", 41, 58, "that it was close"),  # edited
        s2=None,  # deleted
        added=[SpanRecord("s9", "Speaker", 20, 23, "Ana"), SpanRecord("c9", "Cue", 31, 34, "She")],
    )
    human.attributions[0] = replace(human.attributions[0], stance="oppose")
    tally = PredictionUseTally(QUOTES_V1)
    tally.add(prediction, human, model_version="desk:2", lead_time=30.0)
    tally.add(prediction, prediction, model_version="desk:2", lead_time=10.0)
    tally.add_time(80.0)
    tally.add_time(None)
    report = tally.report()
    version = report["versions"]["desk:2"]
    assert version["annotations"] == 2
    assert version["spans"] == {
        "Quote": {"kept": 3, "edited": 1, "deleted": 0, "added": 0},
        "Speaker": {"kept": 3, "edited": 0, "deleted": 1, "added": 1},
        "Cue": {"kept": 4, "edited": 0, "deleted": 0, "added": 1},
    }
    assert version["choices"]["stance"] == {"kept": 3, "changed": 1}
    assert version["choices"]["quote_type"] == {"kept": 4, "changed": 0}
    assert version["lead_time"] == {"mean_seconds": 20.0, "annotations": 2}
    assert report["without_predictions"] == {"mean_seconds": 80.0, "annotations": 1}
    assert kept_share(version["spans"]["Quote"]) == 0.75
    assert kept_share({"kept": 0, "edited": 0, "deleted": 0, "added": 4}) is None


@pytest.mark.django_db
def test_a_collection_pairs_each_annotation_with_the_prediction_it_started_from():
    collection = factories.collection()
    older = factories.document(collection, external_id="a")
    factories.annotation(older, replace(factories.quote_annotation(kind="prediction"),
                                        model_version=MODEL_VERSION, source_key="p:rules"))  # fmt: skip
    prediction = factories.quote_annotation(kind="prediction")
    factories.annotation(older, replace(prediction, model_version="desk:1", source_key="p:desk"))
    started = factories.annotation(older, edited(prediction, s2=None))
    plain = factories.annotation(factories.document(collection, external_id="b"))
    rules = Annotation.objects.get(source_key="p:rules")
    desk = Annotation.objects.get(source_key="p:desk")
    # Label Studio's JSON: begun from a prediction, made after the desk model's was written.
    Annotation.objects.filter(pk=rules.pk).update(updated_at="2026-01-01T00:00:00Z")
    Annotation.objects.filter(pk=desk.pk).update(updated_at="2026-02-01T00:00:00Z")
    Annotation.objects.filter(pk=started.pk).update(
        raw={"parent_prediction": 41, "created_at": "2026-03-01T10:00:00Z"}, lead_time=12.5
    )
    Annotation.objects.filter(pk=plain.pk).update(raw={"parent_prediction": None}, lead_time=50)
    report = collection_prediction_use_compute(collection=collection)
    assert list(report["versions"]) == ["desk:1"]
    assert report["versions"]["desk:1"]["spans"]["Speaker"]["deleted"] == 1
    assert report["versions"]["desk:1"]["lead_time"]["mean_seconds"] == 12.5
    assert report["without_predictions"] == {"mean_seconds": 50.0, "annotations": 1}
    assert report["from_predictions_not_stored"] == 0
    assert Collection.objects.get(pk=collection.pk).prediction_use["versions"] == report["versions"]
    # Made before the desk model's prediction was written: it began from the rules'.
    Annotation.objects.filter(pk=started.pk).update(
        raw={"parent_prediction": 41, "created_at": "2026-01-15T10:00:00"}
    )
    assert list(collection_prediction_use_compute(collection=collection)["versions"]) == [
        MODEL_VERSION
    ]
    # Begun from a prediction the ML backend gave on request (not stored): counted apart.
    Annotation.objects.filter(pk=plain.pk).update(raw={"parent_prediction": 77}, lead_time=9)
    report = collection_prediction_use_compute(collection=collection)
    assert report["from_predictions_not_stored"] == 1
    assert report["without_predictions"]["annotations"] == 0
