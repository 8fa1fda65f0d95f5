"""The trained tagger: learns from gold in seconds, round-trips through its file, predicts
valid annotations, and refuses files that are not its own."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.canonical import record_from_dict
from annotations.learn import Example, ModelFileError, Tagger, evaluate_model, spans_of, train
from annotations.learn.features import gold_tags
from annotations.preannotate import preannotate
from annotations.preannotate.evaluate import evaluate
from annotations.preannotate.text import analyse
from annotations.scheme import QUOTES_V1, complete_attributions, validate_annotation

ROOT = Path(__file__).resolve().parents[1]
QUICK = {"max_iterations": 40}


def examples(path: Path) -> list[Example]:
    records = [record_from_dict(json.loads(line)) for line in path.read_text().splitlines()]
    return [Example(r.text, complete_attributions(r.annotations[0])) for r in records]


@pytest.fixture(scope="module")
def gold() -> list[Example]:
    return examples(ROOT / "fixtures" / "gold.jsonl") + examples(
        ROOT / "bench" / "heldout" / "gold.jsonl"
    )


@pytest.fixture(scope="module")
def model_file(gold) -> bytes:
    return train(gold, parameters=QUICK, facts={"collection": "demo"})


@pytest.fixture(scope="module")
def tagger(model_file) -> Tagger:
    return Tagger(model_file, version="demo:1")


def test_the_file_holds_the_weights_and_what_the_model_learnt_from(model_file, gold):
    with zipfile.ZipFile(io.BytesIO(model_file)) as archive:
        meta = json.loads(archive.read("model.json"))
    assert meta["format"] == 1 and meta["base"] == "rules" and meta["collection"] == "demo"
    assert meta["documents"] == len(gold) and meta["tokens"] > 1000
    assert meta["parameters"]["max_iterations"] == 40


def test_a_model_learns_its_gold(tagger, gold):
    """Trained, the model fits the documents it learnt from; one pass of the optimiser
    does not, whatever the rules' output gives it."""
    learnt = evaluate_model(tagger, gold)["quotes"]
    barely = evaluate_model(
        Tagger(train(gold, parameters={"max_iterations": 1}), version="x"), gold
    )
    rules = evaluate((e.text, e.annotation, preannotate(e.text)) for e in gold).as_dict()
    assert learnt["overlap"]["f1"] > 0.9 and learnt["exact"]["f1"] > 0.85
    assert learnt["exact"]["f1"] > barely["quotes"]["exact"]["f1"] + 0.1
    assert learnt["overlap"]["f1"] >= rules["quotes"]["overlap"]["f1"] - 0.05


def test_predictions_are_valid_and_name_the_model(tagger, gold):
    for example in gold:
        record = tagger.predict(example.text)
        assert validate_annotation(QUOTES_V1, example.text, record) == []
        assert record.model_version == "demo:1"
        assert record.provenance["model_version"] == "demo:1"
    assert any(tagger.predict(e.text).attributions for e in gold)


def test_the_file_round_trips(tmp_path, model_file, tagger, gold):
    path = tmp_path / "demo.zip"
    path.write_bytes(model_file)
    again = Tagger.load(path, version="demo:1")
    for example in gold[:4]:
        assert again.predict(example.text) == tagger.predict(example.text)


def test_the_same_gold_trains_the_same_model(gold, model_file):
    assert Tagger(
        train(gold, parameters=QUICK, facts={"collection": "demo"}), version="x"
    ).meta == (Tagger(model_file, version="x").meta)


def test_a_model_without_the_rules_still_tags(gold):
    tagger = Tagger(train(gold, base="none", parameters=QUICK), version="plain:1")
    assert tagger.meta["base"] == "none"
    found = sum(len(tagger.predict(e.text).attributions) for e in gold)
    assert found > 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a model file"),
        (b"PK\x03\x04 broken", "not a model file"),
        (None, "model format 7"),
        ("no-weights", "not a model file"),
        ("bad-weights", "weights are unreadable"),
        ("bad-base", "not a known base"),
    ],
)
def test_a_file_that_is_not_a_model_is_refused_clearly(tmp_path, model_file, data, message):
    if not isinstance(data, bytes):
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(model_file)) as source, zipfile.ZipFile(buffer, "w") as out:
            meta = json.loads(source.read("model.json"))
            if data is None:
                meta["format"] = 7
            if data == "bad-base":
                meta["base"] = "magic"
            out.writestr("model.json", json.dumps(meta))
            if data == "bad-weights":
                out.writestr("weights.crfsuite", b"not crfsuite weights")
            elif data != "no-weights":
                out.writestr("weights.crfsuite", source.read("weights.crfsuite"))
        data = buffer.getvalue()
    with pytest.raises(ModelFileError, match=message):
        Tagger(data, version="x")


def test_a_missing_file_is_refused_clearly(tmp_path):
    with pytest.raises(ModelFileError, match="No such file"):
        Tagger.load(tmp_path / "gone.zip", version="x")


def test_nothing_to_learn_from_is_refused():
    with pytest.raises(ValueError, match="no document"):
        train([Example("", complete_attributions(examples_empty()))], parameters=QUICK)
    with pytest.raises(ValueError, match="base 'magic'"):
        train([], base="magic")


def examples_empty():
    from annotations.records import AnnotationRecord

    return AnnotationRecord(kind="gold")


def test_gold_tags_leave_the_words_between_a_split_quotes_pieces_outside():
    text = '"We will win," she said, "and soon."'
    record = record_from_dict(
        {
            "id": "x",
            "text": text,
            "spans": [
                {"id": "q", "label": "Quote", "start": 0, "end": 36,
                 "fragments": [[0, 14], [25, 36]]},
                {"id": "s", "label": "Speaker", "start": 15, "end": 18},
                {"id": "c", "label": "Cue", "start": 19, "end": 23},
            ],
            "attributions": [{"quote": "q", "speaker": "s", "cue": "c"}],
        }
    )  # fmt: skip
    analysed = analyse(text)
    tags = gold_tags(analysed, record.annotations[0])
    words = [t.text for t in analysed.tokens]
    assert list(zip(words, tags, strict=True))[4:9] == [
        (",", "I-Q"), ('"', "I-Q"), ("she", "B-S"), ("said", "B-C"), (",", "O"),
    ]  # fmt: skip
    assert tags[9:11] == ["B-Q", "I-Q"]


tags = st.lists(st.sampled_from(["O", "B-Q", "I-Q", "B-S", "I-S", "B-C", "I-C"]), max_size=30)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(tags)
def test_spans_of_cover_every_tagged_token_once_without_overlap(sequence):
    spans = spans_of(sequence)
    covered = [i for _, first, after in spans for i in range(first, after)]
    assert covered == sorted(set(covered))
    assert set(covered) == {i for i, tag in enumerate(sequence) if tag != "O"}
    for label, first, after in spans:
        assert {sequence[i][2:] for i in range(first, after)} == {label[0]}
        assert all(sequence[i].startswith("I-") for i in range(first + 1, after))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_gives_a_valid_prediction(tagger, text):
    record = tagger.predict(text)
    assert validate_annotation(QUOTES_V1, text, record) == []


def test_a_confidence_floor_keeps_fewer_of_the_quotes_the_rules_did_not_find(model_file, gold):
    """The floor drops only quotes the rules did not find: raising it never adds a quoted
    stretch of text (pieces counted one by one: a split quote may lose a piece), and what
    the rules found is kept whatever the floor."""
    found = {}
    for floor in (0.0, 0.9, 0.999):
        tagger = Tagger(model_file, version="x", min_confidence=floor)
        found[floor] = {
            (e.text, piece)
            for e in gold
            for span in tagger.predict(e.text).spans
            if span.label == "Quote"
            for piece in span.pieces
        }
    assert found[0.999] <= found[0.9] <= found[0.0]
    rules = {
        (e.text, piece)
        for e in gold
        for s in preannotate(e.text).spans
        if s.label == "Quote"
        for piece in s.pieces
    }
    assert found[0.999] and found[0.999] <= found[0.0]
    assert len(found[0.999] & rules) >= len(found[0.999]) // 2
    stored = Tagger(train(gold, parameters=QUICK, min_confidence=0.5), version="x")
    assert stored.meta["min_confidence"] == stored.min_confidence == 0.5
    with pytest.raises(ValueError, match="min_confidence 1.0"):
        train(gold, parameters=QUICK, min_confidence=1.0)
