"""Setup, push, webhooks and pull against a real Label Studio (a fresh project per test)."""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command

from annotations.adjudication import default_decisions
from annotations.labelstudio import server, sync
from annotations.labelstudio.client import LabelStudioError
from annotations.labelstudio.convert import result_to_domain
from annotations.models import Annotation, Collection, Document
from annotations.preannotate import MODEL_VERSION
from annotations.scheme import QUOTES_V1, SCHEMES, LabelDef, Scheme
from annotations.selectors import annotation_records
from annotations.services import review
from annotations.services.exports import export_gold
from tests import factories
from tests.live import free_port, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# A result exactly as the labeling UI makes it: random region ids, origin "manual",
# per-region choices repeating the region, a relation nobody labelled.
UI_RESULT = [
    {"value": {"start": 0, "end": 14, "text": '"We will win,"', "labels": ["Quote"]},
     "id": "Qr8bV1w65y", "from_name": "span", "to_name": "text", "type": "labels", "origin": "manual"},
    {"value": {"start": 0, "end": 14, "text": '"We will win,"', "choices": ["support"]},
     "id": "Qr8bV1w65y", "from_name": "stance", "to_name": "text", "type": "choices", "origin": "manual"},
    {"value": {"start": 0, "end": 14, "text": '"We will win,"', "choices": ["prediction"]},
     "id": "Qr8bV1w65y", "from_name": "claim_type", "to_name": "text", "type": "choices", "origin": "manual"},
    {"value": {"start": 20, "end": 29, "text": "Ana Lopez", "labels": ["Speaker"]},
     "id": "daDahZ3S7x", "from_name": "span", "to_name": "text", "type": "labels", "origin": "manual"},
    {"value": {"start": 15, "end": 19, "text": "said", "labels": ["Cue"]},
     "id": "Kk2LmQp0aZ", "from_name": "span", "to_name": "text", "type": "labels", "origin": "manual"},
    {"from_id": "Qr8bV1w65y", "to_id": "daDahZ3S7x", "type": "relation", "direction": "right"},
    {"from_id": "Qr8bV1w65y", "to_id": "Kk2LmQp0aZ", "type": "relation", "direction": "right",
     "labels": ["cue"]},
]  # fmt: skip


def documents(collection, count=3):
    return [
        factories.document(collection, external_id=f"doc-{i}", title=f"Story {i}")
        for i in range(count)
    ]


def tasks_per_document(client, project_id):
    return Counter(t["data"].get("document_id") for t in client.tasks(project_id))


def test_setup_creates_the_project_once_and_keeps_it_in_step(ls_collection, ls_client):
    ls_collection.guidelines = "# Rules\n\nMark **every** quote."
    first = sync.project_setup(collection=ls_collection, client=ls_client)
    assert first.created and first.webhook == "created"
    project = ls_client.project_get(first.project_id)
    assert project["maximum_annotations"] == 2
    assert "<strong>every</strong>" in project["expert_instruction"] and project["show_instruction"]
    assert '<Label value="Quote"' in project["label_config"]
    again = sync.project_setup(collection=ls_collection, client=ls_client)
    assert (again.project_id, again.created, again.changed, again.webhook) == (
        first.project_id, False, [], "unchanged",
    )  # fmt: skip
    assert len(ls_client.webhooks(first.project_id)) == 1
    ls_collection.overlap = 3
    assert sync.project_setup(collection=ls_collection, client=ls_client).changed == [
        "maximum_annotations"
    ]


def test_setup_refuses_a_config_that_drops_labels_in_use(ls_collection, ls_client, monkeypatch):
    sync.project_setup(collection=ls_collection, client=ls_client)
    factories.annotation(factories.document(ls_collection))
    no_cue = Scheme("quotes-v0", tuple(label for label in QUOTES_V1.labels if label.name != "Cue"),
                    QUOTES_V1.relations, QUOTES_V1.choices)  # fmt: skip
    monkeypatch.setitem(SCHEMES, "quotes-v0", no_cue)
    ls_collection.scheme = "quotes-v0"
    with pytest.raises(sync.SyncError, match="drops Cue, which annotations in .* use"):
        sync.project_setup(collection=ls_collection, client=ls_client)
    extra = Scheme("quotes-v2", (*QUOTES_V1.labels, LabelDef("Source", "4", "#000", "x")),
                   QUOTES_V1.relations, QUOTES_V1.choices)  # fmt: skip
    monkeypatch.setitem(SCHEMES, "quotes-v2", extra)
    ls_collection.scheme = "quotes-v2"
    assert sync.project_setup(collection=ls_collection, client=ls_client).changed == [
        "label_config"
    ]


def test_push_sends_tasks_with_predictions_and_is_idempotent(ls_collection, ls_client):
    sync.project_setup(collection=ls_collection, client=ls_client)
    docs = documents(ls_collection)
    prediction = factories.quote_annotation(kind="prediction", annotator="")
    prediction.model_version, prediction.score = "rules-1", 0.75
    prediction.source_key = "import:prediction:rules-1"
    factories.annotation(docs[0], prediction)
    result = sync.push(collection=ls_collection, client=ls_client, batch_size=2)
    assert (result.created, result.predictions) == (3, 1)
    for doc in docs:
        doc.refresh_from_db()
        assert doc.ls_task_id and doc.status == Document.Status.QUEUED
    _, tasks = ls_client.export_snapshot(ls_collection.ls_project_id)
    by_document = {t["data"]["document_id"]: t for t in tasks}
    assert {d.pk: d.ls_task_id for d in docs} == {k: t["id"] for k, t in by_document.items()}
    [sent] = by_document[docs[0].pk]["predictions"]
    assert (sent["model_version"], sent["score"]) == ("rules-1", 0.75)
    assert {r["value"]["labels"][0] for r in sent["result"] if r["type"] == "labels"} == {
        "Quote", "Speaker", "Cue",
    }  # fmt: skip
    again = sync.push(collection=ls_collection, client=ls_client)
    assert (again.created, again.already) == (0, 3)
    assert tasks_per_document(ls_client, ls_collection.ls_project_id) == {d.pk: 1 for d in docs}


def test_annotation_made_as_the_ui_does_arrives_by_webhook_then_updates_and_deletes(
    ls_collection, ls_client, live_server, settings
):
    settings.PUBLIC_URL = live_server.url
    sync.project_setup(collection=ls_collection, client=ls_client)
    [doc] = documents(ls_collection, 1)
    sync.push(collection=ls_collection, client=ls_client)
    doc.refresh_from_db()
    made = ls_client.annotation_create(doc.ls_task_id, UI_RESULT, lead_time=12.5)
    assert wait_for(lambda: Annotation.objects.filter(ls_annotation_id=made["id"]).exists())
    annotation = Annotation.objects.get(ls_annotation_id=made["id"])
    assert (annotation.kind, annotation.annotator_label, annotation.problems) == (
        "human", settings.LABEL_STUDIO_USERNAME, [],
    )  # fmt: skip
    attribution = annotation.attributions.select_related("quote", "speaker", "cue").get()
    assert (attribution.quote.text, attribution.speaker.text, attribution.cue.text) == (
        '"We will win,"', "Ana Lopez", "said",
    )  # fmt: skip
    assert (attribution.stance, attribution.claim_type) == ("support", "prediction")
    assert annotation.raw["result"] == UI_RESULT

    changed = [dict(item) for item in UI_RESULT]
    changed[1] = {**changed[1], "value": {**changed[1]["value"], "choices": ["oppose"]}}
    ls_client.annotation_update(made["id"], result=changed)
    assert wait_for(
        lambda: Annotation.objects.get(pk=annotation.pk).attributions.get().stance == "oppose"
    )

    ls_client.annotation_delete(made["id"])
    assert wait_for(lambda: not Annotation.objects.filter(pk=annotation.pk).exists())


def test_pull_repairs_what_webhooks_missed(ls_collection, ls_client, settings):
    settings.PUBLIC_URL = f"http://127.0.0.1:{free_port()}"  # nobody listens: webhooks are lost
    sync.project_setup(collection=ls_collection, client=ls_client)
    docs = documents(ls_collection, 2)
    sync.push(collection=ls_collection, client=ls_client)
    for doc in docs:
        doc.refresh_from_db()
    kept = ls_client.annotation_create(docs[0].ls_task_id, UI_RESULT, lead_time=3)
    doomed = ls_client.annotation_create(docs[1].ls_task_id, UI_RESULT[:1], lead_time=1)
    bogus = UI_RESULT + [{"id": "x", "from_name": "span", "to_name": "text", "type": "labels",
                          "value": {"start": 0, "end": 3, "text": '"We', "labels": ["Bogus"]}}]  # fmt: skip
    flagged = ls_client.annotation_create(docs[1].ls_task_id, bogus, lead_time=2)
    assert not Annotation.objects.exists()

    first = sync.pull(collection=ls_collection, client=ls_client)
    assert (first.created, first.flagged, first.full, first.why_full) == (3, 1, True, "first pull")
    assert Annotation.objects.get(ls_annotation_id=flagged["id"]).problems
    assert (
        Annotation.objects.get(ls_annotation_id=kept["id"]).annotator_label
        == settings.LABEL_STUDIO_USERNAME
    )

    docs[1].refresh_from_db()
    assert docs[1].status == Document.Status.ANNOTATED  # two human annotations, overlap 2

    ls_client.annotation_delete(doomed["id"])
    ls_client.annotation_update(kept["id"], result=UI_RESULT[:4])
    second = sync.pull(collection=ls_collection, client=ls_client)
    # Only the changed tasks were read; the deletion was found on them.
    assert (second.full, second.tasks) == (False, 2), second.why_full
    assert (second.created, second.updated, second.deleted) == (0, 1, 1)
    assert Annotation.objects.get(ls_annotation_id=kept["id"]).spans.count() == 2
    third = sync.pull(collection=ls_collection, client=ls_client)
    assert (third.full, third.created, third.updated, third.deleted) == (False, 0, 0, 0)
    docs[1].refresh_from_db()
    assert docs[1].status == Document.Status.QUEUED  # one left

    ls_client.task_delete(docs[1].ls_task_id)
    fourth = sync.pull(collection=ls_collection, client=ls_client)
    docs[1].refresh_from_db()
    # A deleted task changes no task: the counts differ, and the full reconcile finds it.
    assert fourth.full and "Label Studio has 1 task(s)" in fourth.why_full
    assert fourth.unlinked == 1 and docs[1].ls_task_id is None
    assert docs[1].status == Document.Status.NEW


def test_a_pull_reads_only_the_tasks_changed_since_the_last(ls_collection, ls_client, settings):
    settings.PUBLIC_URL = f"http://127.0.0.1:{free_port()}"  # nobody listens: webhooks are lost
    sync.project_setup(collection=ls_collection, client=ls_client)
    docs = documents(ls_collection, 3)
    sync.push(collection=ls_collection, client=ls_client)
    for doc in docs:
        doc.refresh_from_db()
    ls_client.annotation_create(docs[0].ls_task_id, UI_RESULT, lead_time=3)
    assert sync.pull(collection=ls_collection, client=ls_client).full
    # As if that pull were long ago: changes are asked for from after everything so far.
    since = ls_client.now() + timedelta(seconds=1)
    Collection.objects.filter(pk=ls_collection.pk).update(ls_changes_since=since)
    ls_collection.refresh_from_db()
    time.sleep(2)
    made = ls_client.annotation_create(docs[2].ls_task_id, UI_RESULT, lead_time=3)
    changed = sync.pull(collection=ls_collection, client=ls_client)
    assert (changed.full, changed.tasks, changed.created) == (False, 1, 1)
    assert Annotation.objects.filter(ls_annotation_id=made["id"]).exists()
    out = io.StringIO()
    call_command("labelstudio", "pull", "--collection", ls_collection.name, "--full", stdout=out)
    assert "(full, asked for: 3 task(s))" in out.getvalue()


def test_push_interrupted_by_a_stopped_server_resumes_without_duplicates(
    ls_collection, ls_client, label_studio_server
):
    sync.project_setup(collection=ls_collection, client=ls_client)
    docs = documents(ls_collection, 5)

    def stop_after_first_batch(count):
        server.stop(label_studio_server)

    with pytest.raises(LabelStudioError):
        sync.push(collection=ls_collection, client=ls_client, batch_size=2,
                  on_batch=stop_after_first_batch)  # fmt: skip
    server.start(label_studio_server)
    assert Document.objects.filter(ls_task_id__isnull=False).count() == 2
    # The first batch reached Label Studio but, as after a crash, was never recorded here.
    Document.objects.filter(pk__in=[d.pk for d in docs]).update(ls_task_id=None)
    result = sync.push(collection=ls_collection, client=ls_client, batch_size=2)
    assert (result.created, result.linked) == (3, 2)
    assert tasks_per_document(ls_client, ls_collection.ls_project_id) == {d.pk: 1 for d in docs}


def test_predictions_with_every_part_survive_the_round_trip(ls_collection, ls_client):
    """What we push as a prediction reads back as the same annotation."""
    sync.project_setup(collection=ls_collection, client=ls_client)
    doc = factories.document(ls_collection)
    record = factories.quote_annotation(kind="prediction", annotator="")
    record.relations = []
    record.source_key = "import:prediction:x"
    factories.annotation(doc, record)
    sync.push(collection=ls_collection, client=ls_client)
    _, [task] = ls_client.export_snapshot(ls_collection.ls_project_id)
    back = result_to_domain(task["predictions"][0]["result"], QUOTES_V1)
    assert back.problems == []
    assert [(s.id, s.label, s.start, s.end) for s in back.spans] == [
        (s.id, s.label, s.start, s.end)
        for s in sorted(record.spans, key=lambda s: (s.start, s.end))
    ]
    assert [a.speaker_name for a in back.attributions] == ["Ana Lopez", "Ana Lopez"]


def test_serve_refuses_a_taken_port(label_studio_server, tmp_path):
    import dataclasses
    import socket

    with socket.socket() as squatter:
        squatter.bind((server.LOOPBACK, 0))
        squatter.listen()
        config = dataclasses.replace(
            label_studio_server, data_dir=tmp_path, port=squatter.getsockname()[1]
        )
        with pytest.raises(server.ServerError, match="is taken; Label Studio would silently move"):
            server.start(config)


def test_ml_backend_gives_label_studio_predictions_on_demand(
    ls_collection, ls_client, live_server, settings
):
    settings.PUBLIC_URL = live_server.url
    first = sync.project_setup(collection=ls_collection, client=ls_client, ml_backend=True)
    assert first.ml_backend == "connected"
    again = sync.project_setup(collection=ls_collection, client=ls_client, ml_backend=True)
    assert again.ml_backend == "unchanged"
    [backend] = ls_client.ml_backends(ls_collection.ls_project_id)
    assert backend["url"] == f"{live_server.url}/ml"
    # Only the project's own webhook, with its secret: not the one Label Studio adds for
    # the backend, which would post every event without the backend's credentials.
    hooks = ls_client.webhooks(ls_collection.ls_project_id)
    assert [hook["url"] for hook in hooks] == [sync.webhook_url()]
    factories.document(ls_collection)
    sync.push(collection=ls_collection, client=ls_client)
    ls_client.predictions_retrieve(ls_collection.ls_project_id)
    _, [task] = ls_client.export_snapshot(ls_collection.ls_project_id)
    [prediction] = [p for p in task["predictions"] if p["model_version"] == MODEL_VERSION]
    back = result_to_domain(prediction["result"], QUOTES_V1)
    assert back.problems == []
    assert [(s.label, s.text) for s in back.spans] == [
        ("Quote", '"We will win,"'), ("Cue", "said"), ("Speaker", "Ana Lopez"),
        ("Speaker", "She"), ("Cue", "added"), ("Quote", "it was close"),
    ]  # fmt: skip


def test_a_trained_model_predicts_in_label_studio_under_its_version(
    ls_collection, ls_client, live_server, settings
):
    """Trained from the collection's gold, the model's predictions reach Label Studio
    both ways: pushed with the tasks, and asked for by the project's ML backend."""
    from annotations.services.preannotation import collection_preannotate
    from annotations.services.training import model_train

    settings.PUBLIC_URL = live_server.url
    call_command("import_documents", str(settings.BASE_DIR / "fixtures" / "gold.jsonl"),
                 "--collection", ls_collection.name, "--as-gold", stdout=io.StringIO())  # fmt: skip
    model = model_train(
        collection=ls_collection, split="0.5,0.5", parameters={"max_iterations": 20}, name="desk"
    )
    Collection.objects.filter(pk=ls_collection.pk).update(model=model)
    ls_collection.refresh_from_db()
    collection_preannotate(collection=ls_collection, model=model)
    sync.project_setup(collection=ls_collection, client=ls_client, ml_backend=True)
    sync.push(collection=ls_collection, client=ls_client)
    _, tasks = ls_client.export_snapshot(ls_collection.ls_project_id)
    pushed = {p["model_version"] for task in tasks for p in task["predictions"]}
    assert pushed == {"desk:1"} and len(tasks) == 8
    # Asked for by Label Studio: the backend answers with the collection's model.
    ls_client.predictions_retrieve(ls_collection.ls_project_id)
    _, tasks = ls_client.export_snapshot(ls_collection.ls_project_id)
    for task in tasks:
        for prediction in task["predictions"]:
            assert prediction["model_version"] == "desk:1"
            assert (
                result_to_domain(
                    prediction["result"], QUOTES_V1, text=task["data"]["text"]
                ).problems
                == []
            )


def test_label_studio_json_export_goes_through_label_studio_and_back_unchanged(
    ls_collection, ls_client, tmp_path, settings
):
    call_command("import_documents", str(settings.BASE_DIR / "fixtures" / "gold.jsonl"),
                 "--collection", "source", "--as-gold", stdout=io.StringIO())  # fmt: skip
    source = Collection.objects.get(name="source")
    export_gold(collection=source, fmt="labelstudio", out=tmp_path / "ls", split="1")
    for document in source.documents.all():
        factories.document(ls_collection, external_id=document.external_id, text=document.text,
                           title=document.title)  # fmt: skip
    sync.project_setup(collection=ls_collection, client=ls_client)
    tasks = json.loads((tmp_path / "ls" / "labelstudio.json").read_text())
    assert len(ls_client.tasks_import(ls_collection.ls_project_id, tasks)) == 8
    result = sync.pull(collection=ls_collection, client=ls_client)
    assert (result.created, result.flagged) == (8, 0)

    def gold(collection):
        annotations = list(Annotation.objects.filter(document__collection=collection, kind="gold"))
        records = annotation_records(annotations)
        return {
            a.document.external_id: (
                records[a.pk].spans,
                records[a.pk].attributions,
                records[a.pk].relations,
            )
            for a in annotations
        }

    assert gold(ls_collection) == gold(source)


def test_send_back_reopens_the_task_and_gold_becomes_its_ground_truth(
    ls_collection, ls_client, live_server, settings, django_user_model
):
    settings.PUBLIC_URL = live_server.url
    ls_collection.overlap = 1
    ls_collection.save()
    sync.project_setup(collection=ls_collection, client=ls_client)
    [doc] = documents(ls_collection, 1)
    sync.push(collection=ls_collection, client=ls_client)
    doc.refresh_from_db()
    made = ls_client.annotation_create(doc.ls_task_id, UI_RESULT, lead_time=3)
    assert wait_for(lambda: Annotation.objects.filter(ls_annotation_id=made["id"]).exists())
    assert ls_client.task_get(doc.ls_task_id)["is_labeled"] is True
    reviewer = django_user_model.objects.create_user("rita")

    review.document_send_back(
        document=doc, reviewer=reviewer, note="Check the cue.", client=ls_client
    )
    task = ls_client.task_get(doc.ls_task_id)
    assert (task["is_labeled"], task["overlap"]) == (False, 2)
    assert task["meta"]["review_note"] == "Check the cue."

    state = review.review_state(doc)
    gold = review.document_adjudicate(
        document=doc, reviewer=reviewer, decisions=default_decisions(state.units)
    ).gold
    pushed = review.gold_push(document=doc, client=ls_client)
    gold.refresh_from_db()
    assert gold.ls_annotation_id == pushed and gold.kind == "gold"
    assert Annotation.objects.filter(document=doc, kind="gold").count() == 1
    _, [exported] = ls_client.export_snapshot(ls_collection.ls_project_id)
    ground_truth = [a for a in exported["annotations"] if a["ground_truth"]]
    assert [a["id"] for a in ground_truth] == [pushed]
    again = sync.pull(collection=ls_collection, client=ls_client)
    assert (again.created, again.updated) == (0, 0)
    assert Annotation.objects.filter(document=doc, kind="gold").count() == 1
