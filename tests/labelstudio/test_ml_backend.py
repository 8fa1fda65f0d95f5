"""The ML backend endpoints, called as Label Studio calls them."""

import base64
import json

import pytest
from django.urls import reverse

from annotations.labelstudio.convert import result_to_domain
from annotations.preannotate import MODEL_VERSION
from annotations.scheme import QUOTES_V1

pytestmark = pytest.mark.django_db

AUTH = {"Authorization": "Basic " + base64.b64encode(b"labelstudio:dev-webhook-secret").decode()}


def test_health_and_setup(client):
    response = client.get(reverse("ml-health"), headers=AUTH)
    assert response.json() == {
        "status": "UP",
        "model_class": "QuoteAttribution",
        "model_version": MODEL_VERSION,
    }
    setup = client.post(
        reverse("ml-setup"), data={"project": "1.1"}, content_type="application/json", headers=AUTH
    )
    assert setup.json() == {"model_version": MODEL_VERSION}


def test_predict_returns_one_result_per_task_in_order(client):
    tasks = [
        {"id": 1, "data": {"text": '"We won," said Ana Ruiz.'}},
        {"id": 2, "data": {"image": "x.png"}},
    ]
    response = client.post(reverse("ml-predict"), data=json.dumps({"tasks": tasks}),
                           content_type="application/json", headers=AUTH)  # fmt: skip
    first, second = response.json()["results"]
    assert first["model_version"] == MODEL_VERSION and 0 < first["score"] <= 1
    converted = result_to_domain(first["result"], QUOTES_V1)
    assert converted.problems == []
    assert [s.text for s in converted.spans] == ['"We won,"', "said", "Ana Ruiz"]
    assert converted.attributions[0].speaker_name == "Ana Ruiz"
    assert any("score" in item for item in first["result"])
    assert second["result"] == []


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic " + base64.b64encode(b"labelstudio:guess").decode()},
     {"Authorization": "Basic !!!"}, {"Authorization": "Bearer x"}],
)  # fmt: skip
def test_requests_without_the_secret_are_refused(client, headers):
    response = client.get(reverse("ml-health"), headers=headers)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Basic")
    assert client.post(reverse("ml-predict"), data="{}", content_type="application/json",
                       headers=headers).status_code == 401  # fmt: skip


def test_bad_predict_bodies(client):
    assert (
        client.post(
            reverse("ml-predict"), data="nope", content_type="application/json", headers=AUTH
        ).status_code
        == 400
    )
    assert client.post(
        reverse("ml-predict"), data="{}", content_type="application/json", headers=AUTH
    ).json() == {"detail": "expected {'tasks': [...]}"}


def predict(client, project: str, text: str = '"We won," said Ana Ruiz.') -> dict:
    body = {"tasks": [{"id": 1, "data": {"text": text}}], "project": project}
    response = client.post(reverse("ml-predict"), data=json.dumps(body),
                           content_type="application/json", headers=AUTH)  # fmt: skip
    assert response.status_code == 200
    return response.json()["results"][0]


def test_a_project_whose_collection_has_a_model_gets_its_predictions(client, model_dir):
    from annotations.models import Collection
    from annotations.services.training import model_train
    from tests.services.test_training import QUICK, SPLIT, load

    collection = load("demo", "fixtures/gold.jsonl", "bench/heldout/gold.jsonl")
    model = model_train(collection=collection, split=SPLIT, parameters=QUICK, name="desk")
    Collection.objects.filter(pk=collection.pk).update(ls_project_id=5, model=model)
    setup = client.post(reverse("ml-setup"), data={"project": "5.1700000000"},
                        content_type="application/json", headers=AUTH)  # fmt: skip
    assert setup.json() == {"model_version": "desk:1"}
    text = collection.documents.first().text
    served = predict(client, "5.1700000000", text)
    assert served["model_version"] == "desk:1" and served["result"]
    assert result_to_domain(served["result"], QUOTES_V1, text=text).problems == []
    # Another project, or none: the rules.
    assert predict(client, "6.1")["model_version"] == MODEL_VERSION
    assert predict(client, "x")["model_version"] == MODEL_VERSION
    # A model file gone: the rules answer, and say so.
    (model_dir / model.file).unlink()
    fallback = predict(client, "5.1700000000")
    assert fallback["model_version"] == MODEL_VERSION and fallback["result"]


def test_start_training_in_label_studio_trains_on_the_collections_gold(client, settings):
    from annotations.models import Collection, Job, Model
    from tests.services.test_training import load

    collection = load("demo", "fixtures/gold.jsonl", "bench/heldout/gold.jsonl")
    Collection.objects.filter(pk=collection.pk).update(ls_project_id=5)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    def post(name: str, body) -> tuple[int, dict]:
        response = client.post(reverse(name), data=json.dumps(body),
                               content_type="application/json", headers=AUTH)  # fmt: skip
        return response.status_code, response.json()

    status, answer = post("ml-train", {"project": 5})
    assert status == 200 and answer["status"] == "started"
    job = Job.objects.get(pk=answer["job"])
    assert (job.kind, job.collection_id, job.status) == ("train", collection.pk, "queued")
    status, answer = post("ml-webhook", {"action": "START_TRAINING", "project": {"id": 5}})
    assert status == 200 and Job.objects.filter(kind="train").count() == 2
    assert post("ml-webhook", {"action": "ANNOTATION_CREATED", "project": {"id": 5}}) == (
        200, {"status": "ignored", "detail": "'ANNOTATION_CREATED' starts no training"},
    )  # fmt: skip
    status, answer = post("ml-train", {"project": 6})
    assert status == 404 and "no collection" in answer["detail"]
    assert post("ml-train", [1])[0] == 400
    assert not Model.objects.exists()  # the jobs wait for a worker
