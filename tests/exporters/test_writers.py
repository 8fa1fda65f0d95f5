"""Each format's writer on hand-made items, read back by its own ecosystem's reader."""

import hashlib
import json
from pathlib import Path

import datasets
import pytest
import spacy
from spacy.tokens import DocBin

from annotations import exporters
from annotations.canonical import CanonicalDocument
from annotations.exporters import ExportError, ExportItem, assign_split, parse_split
from annotations.importers import ReadOptions, discover, read
from annotations.records import AnnotationRecord, AttributionRecord, RelationRecord, SpanRecord

TEXT = "Ushakov said “both agreed.”\nHe added: “Talks go on.”"
ANNOTATION = AnnotationRecord(
    kind="gold",
    spans=[
        SpanRecord("s1", "Speaker", 0, 7, "Ushakov"),
        SpanRecord("c1", "Cue", 8, 12, "said"),
        SpanRecord("q1", "Quote", 13, 27, "“both agreed.”"),
        SpanRecord("s2", "Speaker", 28, 30, "He"),
        SpanRecord("c2", "Cue", 31, 36, "added"),
        SpanRecord("q2", "Quote", 38, 52, "“Talks go on.”"),
    ],
    attributions=[
        AttributionRecord("q1", "s1", "c1", "Yury Ushakov", "direct", "neutral", "factual"),
        AttributionRecord("q2", "s2", "c2", "Yury Ushakov", "direct", "", "prediction"),
    ],
    relations=[RelationRecord("coref", "s2", "s1")],
    provenance={"scheme": "quotes-v1", "quality": "gold"},
)
ITEMS = [
    ExportItem(
        CanonicalDocument("a/doc-1", "Call", TEXT, {"published": "2025-12-29"}), ANNOTATION, "train"
    ),
    ExportItem(CanonicalDocument("doc-2", "Again", TEXT, {}), ANNOTATION, "test"),
]
SPLITS = ("train", "dev", "test")


def write(fmt, tmp_path):
    return exporters.writer(fmt)(iter(ITEMS), tmp_path, SPLITS)


def test_split_assignment_is_stable_and_follows_the_ratios():
    assert assign_split("doc-1", (0.8, 0.1, 0.1), 13) == assign_split("doc-1", (0.8, 0.1, 0.1), 13)
    names = [assign_split(f"doc-{i}", (0.8, 0.1, 0.1), 13) for i in range(2000)]
    assert 0.75 < names.count("train") / 2000 < 0.85 and names.count("dev") > 120
    assert {assign_split(f"d{i}", (1.0,), 1) for i in range(50)} == {"train"}
    other_seed = [assign_split(f"doc-{i}", (0.8, 0.1, 0.1), 14) for i in range(2000)]
    assert names != other_seed


@pytest.mark.parametrize("value", ["0.8,0.3", "a,b", "1,0,0,0", "-0.5,1.5"])
def test_bad_split_ratios(value):
    with pytest.raises(ExportError):
        parse_split(value)


def test_jsonl_lines_are_canonical_records_per_split(tmp_path):
    written = write("jsonl", tmp_path)
    assert [str(p) for p in written.files] == ["train.jsonl", "test.jsonl"]
    [record] = [json.loads(line) for line in (tmp_path / "train.jsonl").read_text().splitlines()]
    assert (record["id"], record["split"], record["relations"]) == (
        "a/doc-1",
        "train",
        [{"type": "coref", "from": "s2", "to": "s1"}],
    )
    assert record["attributions"][1] == {"quote": "q2", "speaker": "s2", "cue": "c2", "speaker_name": "Yury Ushakov",
                                         "quote_type": "direct", "claim_type": "prediction"}  # fmt: skip


def test_conll_columns(tmp_path):
    write("conll", tmp_path)
    lines = (tmp_path / "train.conll").read_text().splitlines()
    assert lines[0] == "# columns = TOKEN START END QUOTE SPEAKER CUE ATTRIBUTION"
    assert lines[2:4] == ["# newdoc id = a/doc-1", "# split = train"]
    body = lines[4:]
    assert body[0] == "Ushakov\t0\t7\tO\tB\tO\ta1"
    assert body[1] == "said\t8\t12\tO\tO\tB\ta1"
    assert body[2] == "“\t13\t14\tB\tO\tO\ta1"
    assert body[3] == "both\t14\t18\tI\tO\tO\ta1"
    assert body[6] == "”\t26\t27\tI\tO\tO\ta1"
    assert body[7] == ""  # the paragraph ends
    assert body[8] == "He\t28\t30\tO\tB\tO\ta2"


def test_brat_files_read_back_through_the_brat_importer(tmp_path):
    written = write("brat", tmp_path)
    # Each split's files are certified by its manifest, not listed one by one.
    assert [str(p) for p in written.files] == [
        "brat/annotation.conf", "brat/train.sha256", "brat/test.sha256",
    ]  # fmt: skip
    manifest = (tmp_path / "brat/train.sha256").read_text().splitlines()
    assert [line.split("  ")[1] for line in manifest] == ["train/a/doc-1.txt", "train/a/doc-1.ann"]
    for line in manifest:
        digest, path = line.split("  ")
        assert hashlib.sha256((tmp_path / "brat" / path).read_bytes()).hexdigest() == digest
    ann = (tmp_path / "brat/train/a/doc-1.ann").read_text()
    assert "E1\tAttribution:T7 Content:T3 Cue:T2 Source:T1" in ann
    assert "A1\tquote_type E1 direct" in ann and "#1\tAnnotatorNotes E1\tYury Ushakov" in ann
    assert "R1\tCoref Arg1:T4 Arg2:T1" in ann
    [source], _ = discover([tmp_path / "brat" / "train"])
    [document] = list(read(source, ReadOptions()))
    assert document.external_id == "a/doc-1" and document.text == TEXT
    back = document.annotations[0]
    assert [(s.label, s.start, s.end) for s in back.spans] == [
        (s.label, s.start, s.end) for s in ANNOTATION.spans
    ]
    assert [(a.speaker_name, a.quote_type, a.stance, a.claim_type) for a in back.attributions] == [
        ("Yury Ushakov", "direct", "neutral", "factual"), ("Yury Ushakov", "direct", "", "prediction"),
    ]  # fmt: skip


def test_brat_refuses_ids_that_escape_the_folder(tmp_path):
    bad = ExportItem(CanonicalDocument("../etc/passwd", "", TEXT, {}), ANNOTATION, "train")
    with pytest.raises(ExportError, match="cannot be a file name"):
        exporters.writer("brat")([bad], tmp_path, SPLITS)


def test_labelstudio_tasks_carry_ground_truth(tmp_path):
    write("labelstudio", tmp_path)
    tasks = json.loads((tmp_path / "labelstudio.json").read_text())
    assert [t["data"]["external_id"] for t in tasks] == ["a/doc-1", "doc-2"]
    assert tasks[0]["data"]["published"] == "2025-12-29" and tasks[1]["data"]["split"] == "test"
    [annotation] = tasks[0]["annotations"]
    assert annotation["ground_truth"] is True
    assert {r.get("from_name") for r in annotation["result"]} >= {"span", "stance", "speaker_name"}


def test_spacy_docbin_reads_back_with_spans_and_attributions(tmp_path):
    written = write("spacy", tmp_path)
    assert [str(p) for p in written.files] == ["spacy/train-000.spacy", "spacy/test-000.spacy"]
    nlp = spacy.blank("en")
    [doc] = list(DocBin().from_disk(tmp_path / "spacy/train-000.spacy").get_docs(nlp.vocab))
    assert [(s.label_, s.text) for s in doc.spans["sc"]][:3] == [
        ("Speaker", "Ushakov"), ("Cue", "said"), ("Quote", "“both agreed.”"),
    ]  # fmt: skip
    assert doc.user_data["id"] == "a/doc-1"
    assert [list(piece) for piece in doc.user_data["attributions"][0]["quote"]] == [[13, 27]]
    assert list(doc.user_data["misaligned"]) == [] and written.counts["misaligned spans"] == 0


def test_spacy_counts_spans_off_token_boundaries(tmp_path):
    text = "Mid-sentence quotes"
    odd = AnnotationRecord(kind="gold", spans=[SpanRecord("q1", "Quote", 1, 5, "id-s")],
                           attributions=[AttributionRecord("q1")])  # fmt: skip
    item = ExportItem(CanonicalDocument("x", "", text, {}), odd, "train")
    written = exporters.writer("spacy")([item], tmp_path, SPLITS)
    assert written.counts["misaligned spans"] == 1
    assert "widened to whole tokens" in written.notes[0]


def test_hugging_face_dataset_loads_with_class_labels(tmp_path):
    written = write("hf", tmp_path)
    assert Path("parquet/train.parquet") in written.files
    dataset = datasets.load_from_disk(str(tmp_path / "hf"))
    assert sorted(dataset) == ["test", "train"]
    row = dataset["train"][0]
    labels = dataset["train"].features["spans"].feature["label"]
    assert [labels.int2str(s["label"]) for s in row["spans"]] == [
        "Speaker",
        "Cue",
        "Quote",
        "Speaker",
        "Cue",
        "Quote",
    ]
    stance = dataset["train"].features["attributions"].feature["stance"]
    assert [stance.int2str(a["stance"]) for a in row["attributions"]] == ["neutral", "unset"]
    parquet = datasets.Dataset.from_parquet(str(tmp_path / "parquet/test.parquet"))
    assert parquet[0]["id"] == "doc-2"


def test_unknown_format():
    with pytest.raises(ExportError, match="unknown format 'xml'"):
        exporters.writer("xml")
