"""Training, listing and choosing models through the API."""

import pytest

from annotations.models import Annotation, Job, Model
from annotations.preannotate import MODEL_VERSION

pytestmark = pytest.mark.django_db
TRAIN = {"collection": "demo", "split": "0.5,0.5", "iterations": 20}


def test_an_admin_trains_a_model_as_a_job_and_reviewers_read_it(api, demo):
    response = api("admin").post("/api/models/", TRAIN, format="json")
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert job.kind == Job.Kind.TRAIN and job.status == Job.Status.DONE, job.error
    listed = api("reviewer").get("/api/models/").json()
    assert listed["count"] == 1
    model = listed["results"][0]
    assert (model["label"], model["collection"], model["base"]) == ("demo:1", "demo", "rules")
    assert model["gold_documents"] + model["heldout_documents"] == 8
    assert model["created_by"] == "ada" and "curve" in model["metrics"]
    detail = api("reviewer").get(f"/api/models/{model['id']}/")
    assert detail.json()["sha256"] == Model.objects.get().sha256
    assert api("annotator").get("/api/models/").status_code == 403
    assert api("reviewer").post("/api/models/", TRAIN, format="json").status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"collection": "nope"}, "collection"),
        ({"collection": "demo", "split": "1"}, "split"),
        ({"collection": "demo", "split": "0.5,0.6"}, "split"),
        ({"collection": "demo", "name": "rules"}, "name"),
        ({"collection": "demo", "name": "a b"}, "name"),
        ({"collection": "demo", "base": "magic"}, "base"),
        ({"collection": "demo", "iterations": 0}, "iterations"),
        ({"collection": "demo", "min_confidence": 1.5}, "min_confidence"),
    ],
)
def test_bad_training_requests_are_refused_with_nothing_started(api, demo, body, field):
    response = api("admin").post("/api/models/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Job.objects.filter(kind=Job.Kind.TRAIN).exists() and not Model.objects.exists()


def test_a_collection_chooses_its_model_and_preannotates_with_it(api, demo):
    api("admin").post("/api/models/", {**TRAIN, "name": "desk"}, format="json")
    admin = api("admin")
    chosen = admin.patch("/api/collections/demo/", {"model": "desk"}, format="json")
    assert chosen.status_code == 200 and chosen.json()["model"] == "desk:1"
    assert admin.get("/api/collections/").json()["results"][0]["model"] == "desk:1"
    refused = admin.patch("/api/collections/demo/", {"model": "desk:9"}, format="json")
    assert refused.status_code == 400 and "no model 'desk:9'" in refused.json()["model"][0]
    job = admin.post("/api/collections/demo/preannotate/", {}, format="json")
    assert job.status_code == 202 and job.json()["params"] == {}

    def versions() -> set[str]:
        return set(
            Annotation.objects.filter(kind="prediction").values_list("model_version", flat=True)
        )

    assert versions() == {"desk:1"}
    forced = admin.post("/api/collections/demo/preannotate/", {"model": "rules"}, format="json")
    assert forced.json()["params"] == {"model": "rules"}
    assert versions() == {"desk:1", MODEL_VERSION}
    back = admin.patch("/api/collections/demo/", {"model": "rules"}, format="json")
    assert back.status_code == 200 and back.json()["model"] is None  # null: the rules
    bad = admin.post("/api/collections/demo/preannotate/", {"model": 7}, format="json")
    assert bad.status_code == 400 and "model" in bad.json()
