"""A quote split around its speaker and cue through every export: only its pieces are the
quote, and each format that re-imports gives back the same annotation."""

import json

import datasets
import spacy
from spacy.tokens import DocBin

from annotations import exporters
from annotations.canonical import CanonicalDocument, record_from_dict
from annotations.exporters import ExportItem
from annotations.importers import ReadOptions, discover, read
from annotations.importers.labelstudio import task_to_record
from annotations.records import AnnotationRecord, AttributionRecord, SpanRecord, span_of_pieces
from annotations.tokens import tokenize

TEXT = "“We will not raise taxes,” the governor told reporters, “not this year.”"
FIRST, SECOND = (0, 26), (56, 72)
QUOTE = span_of_pieces("q1", "Quote", [SECOND, FIRST], TEXT)
ANNOTATION = AnnotationRecord(
    kind="gold",
    spans=[
        QUOTE,
        SpanRecord("s1", "Speaker", 27, 39, "the governor"),
        SpanRecord("c1", "Cue", 40, 54, "told reporters"),
    ],
    attributions=[
        AttributionRecord("q1", "s1", "c1", "Ana Ruiz", "direct", "oppose", "commitment")
    ],
    provenance={"scheme": "quotes-v1", "quality": "gold"},
)
ITEM = ExportItem(CanonicalDocument("budget", "Budget", TEXT, {}), ANNOTATION, "train")
GAP_WORDS = {"the", "governor", "told", "reporters", ","}


def write(fmt, tmp_path):
    return exporters.writer(fmt)([ITEM], tmp_path, ("train",))


def test_the_split_quote_is_one_span_over_its_pieces():
    assert QUOTE.fragments == (FIRST, SECOND) and QUOTE.pieces == (FIRST, SECOND)
    assert (QUOTE.start, QUOTE.end, QUOTE.text) == (0, 72, TEXT)


def test_conll_tags_the_pieces_and_leaves_the_words_between_them_out(tmp_path):
    write("conll", tmp_path)
    rows = [line.split("\t") for line in (tmp_path / "train.conll").read_text().splitlines()
            if line and not line.startswith("#")]  # fmt: skip
    quote = {int(start): tag for _, start, _, tag, *_ in rows}
    between = [row for row in rows if FIRST[1] <= int(row[1]) and int(row[2]) <= SECOND[0]]
    assert {row[0] for row in between} == GAP_WORDS
    assert all(quote[int(row[1])] == "O" for row in between)
    assert quote[FIRST[0]] == "B" and quote[SECOND[0]] == "B"  # each piece begins a chunk
    assert [row[3] for row in rows].count("I") == len(rows) - len(between) - 2
    # The attribution ties the pieces, the speaker and the cue together; the comma is no part.
    assert [row[0] for row in rows if row[6] != "a1"] == [","]


def test_hugging_face_rows_keep_the_pieces_and_tag_only_them(tmp_path):
    write("hf", tmp_path)
    [row] = datasets.load_from_disk(str(tmp_path / "hf"))["train"]
    [quote] = [span for span in row["spans"] if span["id"] == "q1"]
    assert quote["fragments"] == [list(FIRST), list(SECOND)]
    tokens = tokenize(TEXT)
    for (word, start, end), tag in zip(tokens.words, row["quote_tags"], strict=True):
        inside = any(s <= start and end <= e for s, e in QUOTE.pieces)
        assert (tag != 0) == inside, word
    assert row["tokens"] == [word for word, _, _ in tokens.words]


def test_spacy_has_a_span_per_piece_and_none_over_the_words_between(tmp_path):
    write("spacy", tmp_path)
    nlp = spacy.blank("en")
    [doc] = DocBin().from_disk(tmp_path / "spacy/train-000.spacy").get_docs(nlp.vocab)
    quotes = [(s.start_char, s.end_char) for s in doc.spans["sc"] if s.label_ == "Quote"]
    assert quotes == [FIRST, SECOND]
    assert [tuple(p) for p in doc.user_data["attributions"][0]["quote"]] == [FIRST, SECOND]


def test_brat_writes_the_pieces_and_reads_them_back(tmp_path):
    write("brat", tmp_path)
    ann = (tmp_path / "brat/train/budget.ann").read_text()
    assert f"T1\tContent 0 26;56 72\t{TEXT[0:26]} {TEXT[56:72]}\n" in ann
    [source], _ = discover([tmp_path / "brat" / "train"])
    [document] = list(read(source, ReadOptions()))
    [back] = [span for span in document.annotations[0].spans if span.label == "Quote"]
    assert (back.start, back.end, back.fragments, back.text) == (0, 72, (FIRST, SECOND), TEXT)


def test_jsonl_keeps_the_fragments_and_reimports_the_same_annotation(tmp_path):
    write("jsonl", tmp_path)
    record = json.loads((tmp_path / "train.jsonl").read_text())
    assert record["spans"][0]["fragments"] == [list(FIRST), list(SECOND)]
    back = record_from_dict(record).annotations[0]
    assert (back.spans, back.attributions) == (ANNOTATION.spans, ANNOTATION.attributions)


def test_label_studio_json_has_a_region_per_piece_and_reimports_the_same_annotation(tmp_path):
    write("labelstudio", tmp_path)
    [task] = json.loads((tmp_path / "labelstudio.json").read_text())
    result = task["annotations"][0]["result"]
    regions = [(r["id"], r["value"]["start"], r["value"]["end"]) for r in result
               if r["type"] == "labels" and r["value"]["labels"] == ["Quote"]]  # fmt: skip
    assert regions == [("q1", *FIRST), ("q1.2", *SECOND)]
    joins = [r for r in result if r["type"] == "relation" and r["labels"] == ["continues"]]
    assert [(r["from_id"], r["to_id"]) for r in joins] == [("q1.2", "q1")]
    [record] = list(task_to_record(task, location="x", options=ReadOptions()))
    back = record.annotations[0]
    assert (back.kind, back.spans, back.attributions) == (
        "gold", ANNOTATION.spans, ANNOTATION.attributions,
    )  # fmt: skip
