import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.records import AnnotationKind
from tests.importers.helpers import read_all

RECORD = {
    "id": "doc-7",
    "title": "Call",
    "text": "Ushakov said “both agreed.”",
    "meta": {"url": "https://example.org/a", "published": "2025-12-29"},
    "spans": [
        {"id": "s1", "label": "Speaker", "start": 0, "end": 7, "text": "Ushakov"},
        {"id": "c1", "label": "Cue", "start": 8, "end": 12, "text": "said"},
        {"id": "q1", "label": "Quote", "start": 13, "end": 27, "text": "“both agreed.”"},
    ],
    "attributions": [{"quote": "q1", "speaker": "s1", "cue": "c1", "speaker_name": "Yury Ushakov",
                      "quote_type": "direct", "stance": "neutral", "claim_type": "factual"}],
    "provenance": {"scheme": "quotes-v1"},
}  # fmt: skip


def write(tmp_path, *lines, name="in.jsonl"):
    path = tmp_path / name
    path.write_bytes(
        b"\n".join(line if isinstance(line, bytes) else line.encode() for line in lines)
    )
    return path


def test_reads_documents_with_their_annotation(tmp_path):
    records, errors, _ = read_all(
        write(tmp_path, json.dumps(RECORD), json.dumps({"id": 8, "text": "x"}))
    )
    assert errors == []
    first, second = records
    assert (first.external_id, first.title, first.meta["published"]) == (
        "doc-7",
        "Call",
        "2025-12-29",
    )
    [annotation] = first.annotations
    assert annotation.kind == AnnotationKind.IMPORTED and annotation.source_key == "import:imported"
    assert [s.label for s in annotation.spans] == ["Speaker", "Cue", "Quote"]
    assert annotation.attributions[0].speaker_name == "Yury Ushakov"
    assert (second.external_id, second.annotations) == ("8", [])


def test_provenance_annotator_makes_a_human_annotation(tmp_path):
    record = {**RECORD, "provenance": {"annotator": "ana@example.com"}}
    [doc], _, _ = read_all(write(tmp_path, json.dumps(record)))
    annotation = doc.annotations[0]
    assert (annotation.kind, annotation.annotator, annotation.source_key) == (
        "human",
        "ana@example.com",
        "import:human:ana@example.com",
    )


def test_provenance_model_version_makes_a_prediction(tmp_path):
    record = {**RECORD, "provenance": {"model_version": "rules-1", "score": 0.8}}
    [doc], _, _ = read_all(write(tmp_path, json.dumps(record)))
    assert (doc.annotations[0].kind, doc.annotations[0].score) == ("prediction", 0.8)


def test_span_text_may_be_omitted(tmp_path):
    record = {
        **RECORD,
        "spans": [{k: v for k, v in s.items() if k != "text"} for s in RECORD["spans"]],
    }
    [doc], errors, _ = read_all(write(tmp_path, json.dumps(record)))
    assert doc.annotations[0].spans[0].text == "Ushakov"


def test_crlf_text_is_normalised_and_offsets_follow(tmp_path):
    text = "Title\r\nUshakov said “both agreed.”"
    spans = [{"id": "q1", "label": "Quote", "start": 20, "end": 34, "text": "“both agreed.”"}]
    [doc], errors, _ = read_all(
        write(tmp_path, json.dumps({"id": "a", "text": text, "spans": spans}))
    )
    quote = doc.annotations[0].spans[0]
    assert doc.text == "Title\nUshakov said “both agreed.”"
    assert doc.text[quote.start : quote.end] == "“both agreed.”" == quote.text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"{not json", "in.jsonl:2: malformed JSON: Expecting property name enclosed in double quotes at column 2"),
        (b'{"id": "a", "text": "caf\xe9"}', "in.jsonl:2: not valid UTF-8 (byte 0xe9"),
        (b'{"id": "a", "text": ""}', "in.jsonl:2: the document text is empty"),
        (b'{"text": "abc"}', "in.jsonl:2: id: required, a non-empty string"),
        (b'{"id": "a", "text": 5}', "in.jsonl:2: text: expected a string, got an integer (5)"),
        (b'{"id": "a", "text": "abc", "spanz": []}', "in.jsonl:2: the record: unknown field(s) 'spanz'"),
        (b'{"id": "a", "text": "abc", "spans": [{"id": "x", "label": "Quote", "start": "0", "end": 2}]}',
         "in.jsonl:2: spans[0].start: expected an integer, got a string ('0')"),
        (b'[1, 2]', "in.jsonl:2: the record: expected an object, got a list"),
        (b'{"id": "a", "text": "a\\u0000b"}', "in.jsonl:2: the text contains a NUL character at offset 1"),
        (b'{"id": "a", "text": "a\\ud800b"}', "in.jsonl:2: the text contains an unpaired surrogate at offset 1"),
    ],
)  # fmt: skip
def test_bad_lines_name_the_file_and_line(tmp_path, line, message):
    path = write(tmp_path, json.dumps(RECORD), line)
    records, errors, _ = read_all(path)
    assert len(records) == 1 and len(errors) == 1
    assert str(errors[0]).endswith(message) or message in str(errors[0]), str(errors[0])
    assert str(errors[0]).startswith(str(tmp_path))


def test_oversized_document_is_refused(tmp_path):
    _, [error], _ = read_all(
        write(tmp_path, json.dumps({"id": "a", "text": "x" * 200})), max_bytes=100
    )
    assert "200 bytes, over the limit of 100" in str(error)


def test_blank_lines_are_ignored(tmp_path):
    records, errors, _ = read_all(write(tmp_path, b"", json.dumps(RECORD), b"   ", b""))
    assert len(records) == 1 and errors == []


@given(text=st.text(min_size=1).filter(lambda t: t.strip() and "\x00" not in t))
def test_any_text_survives_a_jsonl_round_trip_of_the_reader(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("j") / "a.jsonl"
    path.write_text(json.dumps({"id": "a", "text": text}) + "\n", encoding="utf-8")
    records, errors, _ = read_all(path)
    if "\r" in text or text.startswith("\ufeff"):
        return
    assert errors == [] and records[0].text == text
