"""The webhook endpoint on its own, with payloads shaped as Label Studio 1.23 sends them."""

import copy
import json

import pytest
from django.urls import reverse

from annotations.labelstudio.sync import WEBHOOK_HEADER
from annotations.models import Annotation, Annotator, Document

pytestmark = pytest.mark.django_db

RESULT = [
    {"value": {"start": 0, "end": 14, "text": '"We will win,"', "labels": ["Quote"]},
     "id": "Qr8bV1w65y", "from_name": "span", "to_name": "text", "type": "labels", "origin": "manual"},
    {"value": {"start": 0, "end": 14, "text": '"We will win,"', "choices": ["prediction"]},
     "id": "Qr8bV1w65y", "from_name": "claim_type", "to_name": "text", "type": "choices", "origin": "manual"},
    {"value": {"start": 20, "end": 29, "text": "Ana Lopez", "labels": ["Speaker"]},
     "id": "daDahZ3S7x", "from_name": "span", "to_name": "text", "type": "labels", "origin": "manual"},
    {"from_id": "Qr8bV1w65y", "to_id": "daDahZ3S7x", "type": "relation", "direction": "right"},
]  # fmt: skip


def payload(
    document, action="ANNOTATION_CREATED", updated_at="2026-11-26T10:00:00.000000Z", **changes
):
    annotation = {"id": 12, "result": copy.deepcopy(RESULT), "was_cancelled": False, "ground_truth": False,
                  "created_at": "2026-11-26T10:00:00Z", "updated_at": updated_at, "lead_time": 3.5,
                  "task": 40, "project": 5, "completed_by": 7, **changes}  # fmt: skip
    return {
        "action": action,
        "annotation": annotation,
        "task": {"id": 40, "data": {"text": document.text, "document_id": document.pk}},
        "project": {"id": 5, "label_config": "<View/>", "token": "x"},
    }


def post(client, body, secret="dev-webhook-secret"):
    headers = {WEBHOOK_HEADER: secret} if secret is not None else {}
    return client.post(
        reverse("labelstudio-webhook"),
        data=json.dumps(body) if not isinstance(body, bytes) else body,
        content_type="application/json",
        headers=headers,
    )


def test_annotation_created_is_stored_with_spans_choices_and_raw_json(client, document):
    response = post(client, payload(document))
    assert response.status_code == 200 and response.json()["created"] == 1
    annotation = Annotation.objects.get(ls_annotation_id=12)
    assert (annotation.kind, annotation.annotator_label, annotation.lead_time) == (
        "human",
        "ls-user-7",
        3.5,
    )
    assert annotation.raw["result"] == RESULT
    attribution = annotation.attributions.select_related("speaker").get()
    assert (attribution.speaker.text, attribution.claim_type) == ("Ana Lopez", "prediction")
    document.refresh_from_db()
    assert document.status == Document.Status.ANNOTATED  # overlap 1 reached


def test_known_annotators_are_named_by_email_and_unknown_ones_by_id_while_ls_is_away(
    client, document
):
    Annotator.objects.create(ls_user_id=8, email="ann@example.org", key="ann@example.org")
    post(client, payload(document, id=13, completed_by=8))
    post(client, payload(document, id=14, completed_by=9))  # Label Studio cannot be asked
    assert dict(Annotation.objects.values_list("ls_annotation_id", "annotator__key")) == {
        13: "ann@example.org",
        14: "ls-user-9",
    }


def test_secret_is_required(client, document):
    assert post(client, payload(document), secret=None).status_code == 403
    wrong = post(client, payload(document), secret="guess")
    assert wrong.status_code == 403 and wrong.json() == {
        "detail": "missing or wrong webhook secret"
    }
    assert not Annotation.objects.exists()


def test_malformed_bodies_get_400(client, document):
    assert post(client, b"{not json").json() == {"detail": "the body is not JSON"}
    assert post(client, [1, 2]).status_code == 400
    assert client.get(reverse("labelstudio-webhook")).status_code == 405


def test_duplicates_and_late_deliveries_change_nothing(client, document):
    post(client, payload(document, updated_at="2026-11-26T10:05:00Z"))
    first = Annotation.objects.get().content_hash
    assert (
        post(client, payload(document, updated_at="2026-11-26T10:05:00Z")).json()["unchanged"] == 1
    )
    older = payload(document, "ANNOTATION_UPDATED", updated_at="2026-11-26T10:01:00Z", result=[])
    assert post(client, older).json()["unchanged"] == 1
    assert Annotation.objects.get().content_hash == first
    newer = payload(
        document, "ANNOTATION_UPDATED", updated_at="2026-11-26T10:09:00Z", result=RESULT[:1]
    )
    assert post(client, newer).json()["updated"] == 1
    assert Annotation.objects.get().spans.count() == 1


def test_delete_then_late_update_stays_deleted(client, document):
    post(client, payload(document))
    deleted = post(
        client, {"action": "ANNOTATIONS_DELETED", "annotations": [{"id": 12}], "project": {"id": 5}}
    )
    assert deleted.json()["deleted"] == 1
    late = payload(document, "ANNOTATION_UPDATED", updated_at="2026-11-26T11:00:00Z")
    post(client, late)
    assert not Annotation.objects.exists()
    document.refresh_from_db()
    assert document.status == Document.Status.QUEUED


def test_results_breaking_the_scheme_are_kept_raw_and_flagged(client, document):
    bogus = RESULT + [{"id": "zz", "from_name": "span", "type": "labels",
                       "value": {"start": 0, "end": 3, "text": '"We', "labels": ["Bogus"]}}]  # fmt: skip
    post(client, payload(document, result=bogus))
    annotation = Annotation.objects.get()
    assert annotation.raw["result"] == bogus
    assert annotation.problems == ["result[4]: region 'zz' has unknown label 'Bogus'"]
    assert annotation.spans.count() == 2  # what satisfies the scheme is kept as rows


def test_tasks_deleted_unlinks_the_document(client, document):
    post(client, payload(document))
    post(client, {"action": "TASKS_DELETED", "tasks": [{"id": 40}], "project": {"id": 5}})
    document.refresh_from_db()
    assert document.ls_task_id is None and not Annotation.objects.exists()


def test_unknown_project_and_actions_are_ignored(client, document):
    body = payload(document)
    body["project"] = {"id": 999}
    assert "belongs to no collection" in post(client, body).json()["ignored"]
    assert post(client, {"action": "PROJECT_UPDATED", "project": {"id": 5}}).json()["ignored"] == (
        "PROJECT_UPDATED"
    )


def test_a_payload_that_does_not_say_when_it_changed_never_replaces_what_is_stored(
    client, document
):
    post(client, payload(document, updated_at="2026-11-26T10:05:00Z"))
    stored = Annotation.objects.get().content_hash
    undated = payload(document, "ANNOTATION_UPDATED", updated_at=None, result=RESULT[:1])
    assert post(client, undated).json()["unchanged"] == 1
    assert Annotation.objects.get().content_hash == stored


@pytest.mark.django_db(transaction=True)
def test_copies_of_one_webhook_at_the_same_moment_store_it_once(live_server, document):
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    body = json.dumps(payload(document)).encode()

    def send(_: int) -> int:
        request = urllib.request.Request(
            live_server.url + reverse("labelstudio-webhook"),
            data=body,
            headers={WEBHOOK_HEADER: "dev-webhook-secret", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(send, range(16))) == {200}
    from annotations.labelstudio.sync import inbox_apply

    inbox_apply()  # whatever a busy moment left waiting
    assert Annotation.objects.filter(ls_annotation_id=12).count() == 1


@pytest.mark.parametrize(
    ("text", "problem"), [("a\x00b", "a NUL character"), ("a\ud800b", "an unpaired surrogate")]
)
def test_text_no_database_can_store_is_refused_with_a_400(client, document, text, problem):
    body = payload(document)
    body["annotation"]["result"][0]["value"]["text"] = text
    answer = post(client, json.dumps(body).encode())
    assert (
        answer.status_code == 400 and answer.json()["detail"] == f"the payload contains {problem}"
    )
    assert not Annotation.objects.exists()
