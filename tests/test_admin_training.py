"""Models in the admin: training from a collection, the model's card, choosing and deleting
models, and the dashboard's account of what predictions saved annotators."""

import io
from dataclasses import replace

import pytest
from django.core.management import call_command
from django.urls import reverse

from annotations.models import Annotation, Collection, Job, Model
from annotations.preannotate import MODEL_VERSION
from annotations.services.collections import collection_prediction_use_compute
from annotations.services.training import model_train
from tests import factories

pytestmark = pytest.mark.django_db
QUICK = {"max_iterations": 20}


@pytest.fixture
def demo(settings) -> Collection:
    for path in ("fixtures/gold.jsonl", "bench/heldout/gold.jsonl"):
        call_command("import_documents", str(settings.BASE_DIR / path), "--collection", "demo",
                     "--as-gold", stdout=io.StringIO())  # fmt: skip
    return Collection.objects.get(name="demo")


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("ada", "a@example.com", "pw"))
    return client


def test_training_and_preannotating_from_the_collection_list(admin_client, demo):
    url = reverse("admin:annotations_collection_changelist")
    response = admin_client.post(url, {"action": "train_model", "_selected_action": [demo.pk]},
                                 follow=True)  # fmt: skip
    job = Job.objects.get(kind=Job.Kind.TRAIN)
    assert job.status == Job.Status.DONE, job.error
    assert f"job {job.pk}" in response.content.decode()
    model = Model.objects.get()
    assert model.label == "demo:1"
    admin_client.post(url, {"action": "preannotate", "_selected_action": [demo.pk]})
    run = Job.objects.get(kind=Job.Kind.PREANNOTATE)
    demo.refresh_from_db()
    expected = model.label if demo.model_id == model.pk else MODEL_VERSION
    assert run.result["model_version"] == expected


def test_the_model_card_shows_scores_the_curve_and_what_annotators_kept(admin_client, demo):
    model = model_train(collection=demo, split="0.5,0.5", parameters=QUICK)
    Collection.objects.filter(pk=demo.pk).update(model=model)
    document = demo.documents.first()
    prediction = factories.quote_annotation(kind="prediction")
    factories.annotation(document, replace(prediction, model_version=model.label, source_key="p"))
    human = factories.annotation(document)
    Annotation.objects.filter(pk=human.pk).update(raw={"parent_prediction": 3}, lead_time=40)
    collection_prediction_use_compute(collection=demo)
    html = admin_client.get(
        reverse("admin:annotations_model_change", args=[model.pk])
    ).content.decode()
    assert "Held-out quote F1, beside the rules" in html and "Learning curve" in html
    assert "<polyline" in html and "Predicts for demo." in html
    assert f"What annotators made of the predictions of {model.label}" in html
    listing = admin_client.get(reverse("admin:annotations_model_changelist")).content.decode()
    assert "demo:1" in listing
    dashboard = admin_client.get(reverse("dashboard"), {"collection": "demo"}).content.decode()
    assert "Pre-annotates with <a" in dashboard and model.label in dashboard
    assert "1 annotation started from demo:1's predictions: 40 s each" in dashboard


def test_a_collection_chooses_its_model_in_its_form(admin_client, demo):
    model = model_train(collection=demo, split="0.5,0.5", parameters=QUICK, name="desk")
    url = reverse("admin:annotations_collection_change", args=[demo.pk])
    form = {"name": "demo", "title": "", "scheme": demo.scheme, "overlap": 1, "guidelines": "",
            "model": model.pk}  # fmt: skip
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Collection.objects.get(pk=demo.pk).model == model
    admin_client.post(url, {**form, "model": ""})
    assert Collection.objects.get(pk=demo.pk).model is None


def test_deleting_a_model_removes_its_file_and_its_collections_use_the_rules(
    admin_client, demo, model_dir, django_capture_on_commit_callbacks
):
    model = model_train(collection=demo, split="0.5,0.5", parameters=QUICK)
    Collection.objects.filter(pk=demo.pk).update(model=model)
    path = model_dir / model.file
    assert path.exists()
    url = reverse("admin:annotations_model_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"action": "delete_selected", "_selected_action": [model.pk],
                                "post": "yes"})  # fmt: skip
    assert not Model.objects.exists() and not path.exists()
    assert Collection.objects.get(pk=demo.pk).model is None
