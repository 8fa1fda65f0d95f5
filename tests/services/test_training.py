"""Training from a collection's gold, model versions and files, and predicting with them."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotations.errors import DomainError, NotFound
from annotations.models import Annotation, Collection, Job, Model, Speaker
from annotations.preannotate import MODEL_VERSION
from annotations.scheme import QUOTES_V1, validate_annotation
from annotations.selectors import model_named, predicting_model
from annotations.services.jobs import job_start
from annotations.services.preannotation import collection_preannotate
from annotations.services.training import ModelUnavailable, model_tagger, model_train

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
QUICK = {"max_iterations": 30}
# Twenty gold documents, half of them held out.
SPLIT = "0.5,0.5"


def load(name: str, *files: str, as_gold: bool = True) -> Collection:
    paths = [str(ROOT / f) for f in files]
    call_command("import_documents", *paths, "--collection", name,
                 *(["--as-gold"] if as_gold else []), stdout=io.StringIO())  # fmt: skip
    return Collection.objects.get(name=name)


@pytest.fixture
def demo() -> Collection:
    return load("demo", "fixtures/gold.jsonl", "bench/heldout/gold.jsonl")


def test_a_model_learns_from_the_train_split_and_is_scored_on_the_held_out_one(demo, model_dir):
    seen = []
    model = model_train(collection=demo, split=SPLIT, parameters=QUICK,
                        on_progress=lambda stage, done, total: seen.append(stage))  # fmt: skip
    assert (model.name, model.version, model.label, model.base) == ("demo", 1, "demo:1", "rules")
    assert model.gold_documents + model.heldout_documents == 20
    assert model.gold_documents >= 8 and model.heldout_documents >= 5
    assert (model_dir / "demo" / "1.zip").stat().st_size == model.size > 0
    assert not [p for p in (model_dir / "demo").iterdir() if p.name.startswith(".")]
    metrics = model.metrics
    assert metrics["heldout_split"] == "test" and metrics["rules_version"] == MODEL_VERSION
    assert 0 < metrics["model"]["quotes"]["overlap"]["f1"] <= 1
    assert [p["documents"] for p in metrics["curve"]] == [
        round(model.gold_documents / 4), round(model.gold_documents / 2), model.gold_documents
    ]  # fmt: skip
    assert {"training: reading", "training: learning", "scoring"} <= set(seen)
    assert (
        model.options["split"] == [0.5, 0.5] and model.options["parameters"]["max_iterations"] == 30
    )
    demo.refresh_from_db()
    beats = (
        metrics["model"]["quotes"]["overlap"]["f1"] >= metrics["rules"]["quotes"]["overlap"]["f1"]
    )
    assert (demo.model_id == model.pk) is beats


def test_each_training_is_a_new_version(demo, model_dir):
    first = model_train(collection=demo, split=SPLIT, parameters=QUICK)
    second = model_train(collection=demo, split=SPLIT, parameters=QUICK, name="other")
    third = model_train(collection=demo, split=SPLIT, parameters=QUICK)
    assert [m.label for m in (first, second, third)] == ["demo:1", "other:1", "demo:2"]
    assert model_named("demo") == third and model_named("demo:1") == first
    assert first.sha256 == third.sha256  # the same gold and settings, the same file
    assert sorted(p.name for p in (model_dir / "demo").iterdir()) == ["1.zip", "2.zip"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "no spaces"}, "use letters, digits"),
        ({"name": "rules"}, "not 'rules'"),
        ({"base": "magic"}, "base 'magic'"),
        ({"min_confidence": 1.0}, "min_confidence 1.0"),
        ({"split": "1"}, "a held-out split"),
        ({"split": "0.5,0.6"}, "sum to 1"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(demo, model_dir, kwargs, message):
    with pytest.raises(DomainError, match=message):
        model_train(collection=demo, parameters=QUICK, **kwargs)
    assert not Model.objects.exists() and not list(model_dir.iterdir())


def test_no_gold_no_model(model_dir):
    collection = load("raw", "fixtures/annotators.jsonl", as_gold=False)
    with pytest.raises(DomainError, match="no gold in its train split"):
        model_train(collection=collection, parameters=QUICK)
    assert not Model.objects.exists() and not list(model_dir.iterdir())


def test_model_named_says_what_exists(demo):
    with pytest.raises(NotFound, match="no model is trained yet"):
        model_named("demo")
    model_train(collection=demo, split=SPLIT, parameters=QUICK)
    with pytest.raises(NotFound, match=r"no model 'demo:7' \(models: demo\)"):
        model_named("demo:7")
    with pytest.raises(DomainError, match="is a number"):
        model_named("demo:x")
    assert predicting_model(demo, "rules") is None


def test_preannotate_with_a_model_names_it_and_creates_no_speaker(demo):
    model = model_train(collection=demo, split=SPLIT, parameters=QUICK)
    speakers = Speaker.objects.count()
    result = collection_preannotate(collection=demo, model=model)
    assert result.model_version == "demo:1" and result.documents == 20 and result.quotes > 0
    predictions = Annotation.objects.filter(document__collection=demo, kind="prediction")
    assert set(predictions.values_list("model_version", flat=True)) == {"demo:1"}
    assert Speaker.objects.count() == speakers
    # The rules' predictions are kept beside the model's: each version has its own.
    collection_preannotate(collection=demo, model=None)
    assert predictions.count() == 40
    again = collection_preannotate(collection=demo, model=model)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 20)


def test_a_model_file_missing_or_altered_is_a_clear_error(demo, model_dir):
    model = model_train(collection=demo, split=SPLIT, parameters=QUICK)
    path = model_dir / model.file
    data = path.read_bytes()
    path.write_bytes(data[:-10] + b"0123456789")
    with pytest.raises(ModelUnavailable, match="not the file that was trained"):
        model_tagger(model)
    path.unlink()
    with pytest.raises(ModelUnavailable, match="No such file"):
        collection_preannotate(collection=demo, model=model)
    assert not Annotation.objects.filter(kind="prediction").exists()
    path.write_bytes(data)
    assert model_tagger(model).version == "demo:1"


def test_the_commands(demo):
    out = io.StringIO()
    call_command(
        "train", "--collection", "demo", "--split", SPLIT, "--iterations", "30", stdout=out
    )
    text = out.getvalue()
    assert "Model demo:1: learnt from" in text and "Learning curve" in text
    out = io.StringIO()
    call_command("preannotate", "--collection", "demo", "--model", "demo:1", stdout=out)
    assert out.getvalue().startswith("demo:1 on 'demo': 20 document(s)")
    out = io.StringIO()
    call_command("preannotate", "--collection", "demo", "--model", "rules", stdout=out)
    assert out.getvalue().startswith(f"{MODEL_VERSION} on 'demo'")
    with pytest.raises(CommandError, match="no model 'nope'"):
        call_command("preannotate", "--collection", "demo", "--model", "nope")
    with pytest.raises(CommandError, match="no collection named 'nope'"):
        call_command("train", "--collection", "nope")
    with pytest.raises(CommandError, match="--iterations: at least 1"):
        call_command("train", "--collection", "demo", "--iterations", "0")


def test_a_broken_model_stops_the_command_with_a_way_out(demo, model_dir):
    model = model_train(collection=demo, split=SPLIT, parameters=QUICK)
    (model_dir / model.file).unlink()
    with pytest.raises(CommandError, match="run with --model rules"):
        call_command("preannotate", "--collection", "demo", "--model", "demo", stdout=io.StringIO())


def test_training_runs_as_a_job(demo):
    job = job_start(kind=Job.Kind.TRAIN, collection=demo, user=None,
                    params={"split": SPLIT, "iterations": 30, "name": "from-job"})  # fmt: skip
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.result["label"] == "from-job:1" and job.done == job.total
    failing = job_start(kind=Job.Kind.TRAIN, collection=demo, user=None, params={"name": "a b"})
    failing.refresh_from_db()
    assert failing.status == Job.Status.FAILED and "use letters, digits" in failing.error


def test_predictions_of_a_trained_model_validate(demo):
    model = model_train(collection=demo, split=SPLIT, parameters=QUICK)
    tagger = model_tagger(model)
    for document in demo.documents.all():
        record = tagger.predict(document.text)
        assert validate_annotation(QUOTES_V1, document.text, record) == []
        assert json.dumps(record.provenance)
