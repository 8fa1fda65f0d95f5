"""Every importer against broken input, through the command: a clear message naming the
file (and line), a non-zero exit, and the database exactly as it was."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Annotation, Collection, Document, Span
from tests.importers.test_jsonl import RECORD

pytestmark = pytest.mark.django_db

TEXT = "Ushakov said “both agreed.”"
GOOD_ANN = "T1\tSource 0 7\tUshakov\nT2\tCue 8 12\tsaid\nT3\tContent 13 27\t“both agreed.”\n"
EVENT = "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n"


def jsonl(**changes) -> bytes:
    return json.dumps({**RECORD, **changes}).encode()


def span(**changes) -> bytes:
    spans = [dict(s) for s in RECORD["spans"]]
    spans[0].update(changes)
    return jsonl(spans=spans)


def task(**changes) -> bytes:
    base = {"id": 1, "data": {"text": TEXT, "external_id": "t1"}, "annotations": []}
    return json.dumps([{**base, **changes}]).encode()


# (case, files {name: bytes}, extra options, what the message says)
CASES = [
    # encodings and characters
    ("txt latin-1", {"a.txt": "Caf\xe9 said".encode("latin-1")}, [], "not valid UTF-8 (byte 0xe9"),
    ("txt empty", {"a.txt": b""}, [], "the document text is empty"),
    ("txt blank", {"a.txt": b" \n\t\n"}, [], "the document text is empty"),
    ("txt NUL", {"a.txt": b"one\x00two"}, [], "contains a NUL character at offset 3"),
    ("txt utf-16", {"a.txt": "hi".encode("utf-16")}, [], "not valid UTF-8"),
    ("jsonl latin-1", {"a.jsonl": '{"id": "x", "text": "Caf\xe9"}'.encode("latin-1")}, [], "a.jsonl:1: not valid UTF-8"),
    ("jsonl NUL in text", {"a.jsonl": jsonl(text="a\u0000b")}, [], "NUL character"),
    ("jsonl lone surrogate", {"a.jsonl": b'{"id": "x", "text": "a\\ud800b"}'}, [], "unpaired surrogate"),
    ("ann latin-1", {"a.txt": TEXT.encode(), "a.ann": "T1\tSource 0 7\tUsh\xe4kov".encode("latin-1")}, [], "a.ann: not valid UTF-8"),
    # JSON structure
    ("jsonl not JSON", {"a.jsonl": b"{id: 1}"}, [], "a.jsonl:1:"),
    ("jsonl a list", {"a.jsonl": b"[1, 2]"}, [], "expected an object"),
    ("jsonl no id", {"a.jsonl": b'{"text": "x"}'}, [], "id: required"),
    ("jsonl empty id", {"a.jsonl": b'{"id": " ", "text": "x"}'}, [], "id: required, a non-empty string"),
    ("jsonl bool id", {"a.jsonl": b'{"id": true, "text": "x"}'}, [], "id: required"),
    ("jsonl no text", {"a.jsonl": b'{"id": "x"}'}, [], "text: required"),
    ("jsonl text number", {"a.jsonl": b'{"id": "x", "text": 5}'}, [], "text: expected a string"),
    ("jsonl unknown field", {"a.jsonl": jsonl(colour="red")}, [], "unknown field(s) 'colour'"),
    ("jsonl meta list", {"a.jsonl": jsonl(meta=[1])}, [], "meta: expected an object"),
    ("jsonl bad date", {"a.jsonl": jsonl(meta={"published": "yesterday"})}, [], "meta.published: expected a date"),
    ("jsonl url number", {"a.jsonl": jsonl(meta={"url": 5})}, [], "meta.url: expected a string"),
    ("jsonl long id", {"a.jsonl": jsonl(id="x" * 300)}, [], "longer than 255 characters"),
    ("jsonl spans object", {"a.jsonl": jsonl(spans={"a": 1})}, [], "spans: expected a list"),
    ("jsonl span not object", {"a.jsonl": jsonl(spans=[5])}, [], "spans[0]: expected an object"),
    ("jsonl provenance annotator number", {"a.jsonl": jsonl(provenance={"annotator": 3})}, [], "provenance.annotator: expected a string"),
    ("jsonl score text", {"a.jsonl": jsonl(provenance={"model_version": "m", "score": "high"})}, [], "provenance.score: expected a number"),
    # offsets and labels
    ("span past the end", {"a.jsonl": span(end=999)}, [], "out of range"),
    ("span negative", {"a.jsonl": span(start=-1)}, [], "out of range"),
    ("span backwards", {"a.jsonl": span(start=7, end=0)}, [], "out of range"),
    ("span empty", {"a.jsonl": span(start=3, end=3)}, [], "out of range"),
    ("span float", {"a.jsonl": span(start=0.5)}, [], "start: expected an integer"),
    ("span text differs", {"a.jsonl": span(text="Ushakoff")}, [], "does not match the document text"),
    ("span label unknown", {"a.jsonl": span(label="Person")}, [], "unknown label 'Person'"),
    ("span id missing", {"a.jsonl": span(id=None)}, [], "expected a span id"),
    ("span id twice", {"a.jsonl": span(id="c1")}, [], "the id is used by more than one span"),
    ("fragments unordered", {"a.jsonl": span(start=0, end=12, text=TEXT[0:12], fragments=[[8, 12], [0, 7]])}, [], "fragments"),
    ("fragments one piece", {"a.jsonl": span(fragments=[[0, 7]])}, [], "fragments"),
    ("fragments malformed", {"a.jsonl": span(fragments=[[0]])}, [], "fragments[0]: expected [start, end]"),
    # references
    ("attribution to no span", {"a.jsonl": jsonl(attributions=[{"quote": "q9"}])}, [], "its quote 'q9' is not a span"),
    ("attribution speaker is a cue", {"a.jsonl": jsonl(attributions=[{"quote": "q1", "speaker": "c1"}])}, [], "is a Cue span, not a Speaker span"),
    ("two attributions of one quote", {"a.jsonl": jsonl(attributions=[{"quote": "q1"}, {"quote": "q1"}])}, [], "more than one attribution"),
    ("choice unknown", {"a.jsonl": jsonl(attributions=[{"quote": "q1", "stance": "furious"}])}, [], "unknown stance 'furious'"),
    ("relation dangling", {"a.jsonl": jsonl(relations=[{"type": "coref", "from": "s1", "to": "s9"}])}, [], "dangling relation"),
    ("relation unknown", {"a.jsonl": jsonl(relations=[{"type": "likes", "from": "s1", "to": "s1"}])}, [], "unknown relation type 'likes'"),
    ("said_by as a relation", {"a.jsonl": jsonl(relations=[{"type": "said_by", "from": "q1", "to": "s1"}])}, [], "expressed by the quote's attribution"),
    # duplicates and sizes
    ("same id other text", {"a.jsonl": jsonl() + b"\n" + jsonl(text="Other text.", spans=[], attributions=[])}, [], "appears again with other text"),
    ("too large", {"a.txt": b"word " * 2000}, ["DOCUMENT_MAX_BYTES=1000"], "over the limit of 1,000"),
    # brat
    ("brat no tab", {"a.txt": TEXT.encode(), "a.ann": b"T1 Source 0 7 Ushakov"}, [], "a.ann:1: expected an id, a tab"),
    ("brat offsets words", {"a.txt": TEXT.encode(), "a.ann": b"T1\tSource zero 7\tUshakov"}, [], "are not 'start end"),
    ("brat past the end", {"a.txt": TEXT.encode(), "a.ann": b"T1\tSource 0 70\tUshakov"}, [], "out of range"),
    ("brat text differs", {"a.txt": TEXT.encode(), "a.ann": b"T1\tSource 0 7\tUshakoff"}, [], "does not match the .txt"),
    ("brat unknown entity", {"a.txt": TEXT.encode(), "a.ann": b"T1\tPerson 0 7\tUshakov"}, [], "unknown entity type 'Person'"),
    ("brat unknown event", {"a.txt": TEXT.encode(), "a.ann": (GOOD_ANN + "E1\tQuoting:T2 Content:T3\n").encode()}, [], "unknown event type 'Quoting'"),
    ("brat unknown role", {"a.txt": TEXT.encode(), "a.ann": (GOOD_ANN + "E1\tAttribution:T2 Said:T3\n").encode()}, [], "unknown role 'Said'"),
    ("brat dangling role", {"a.txt": TEXT.encode(), "a.ann": (GOOD_ANN + "E1\tAttribution:T2 Content:T9\n").encode()}, [], "its quote T9 is not a defined entity"),
    ("brat no content", {"a.txt": TEXT.encode(), "a.ann": (GOOD_ANN + "E1\tAttribution:T2 Source:T1\n").encode()}, [], "needs a Content argument"),
    ("brat id twice", {"a.txt": TEXT.encode(), "a.ann": (GOOD_ANN + "T1\tSource 0 7\tUshakov\n").encode()}, [], "T1 is defined twice"),
    ("brat bad attribute", {"a.txt": TEXT.encode(), "a.ann": (GOOD_ANN + EVENT + "A1\tcolour E1 red\n").encode()}, [], "expected an attribute"),
    ("brat attribute of nothing", {"a.txt": TEXT.encode(), "a.ann": (GOOD_ANN + EVENT + "A1\tstance E7 neutral\n").encode()}, [], "refers to E7, which is not defined"),
    ("brat coref dangling", {"a.txt": TEXT.encode(), "a.ann": (GOOD_ANN + "R1\tCoref Arg1:T1 Arg2:T8\n").encode()}, [], "refers to T8"),
    ("brat unsupported", {"a.txt": TEXT.encode(), "a.ann": b"N1\tReference T1 Wikidata:Q1\tUshakov"}, [], "unsupported brat annotation 'N1'"),
    ("brat orphan ann", {"lost_x.ann": GOOD_ANN.encode()}, ["--format=brat"], "no lost_x.txt"),
    ("brat bad map", {"a.txt": TEXT.encode(), "a.ann": GOOD_ANN.encode()}, ["--brat-map=Content"], "is not LABEL=TARGET"),
    # Label Studio JSON
    ("ls not JSON", {"a.json": b"[{"}, [], "malformed JSON"),
    ("ls not a list", {"a.json": b'"tasks"'}, [], "expected a JSON list of Label Studio tasks"),
    ("ls no data", {"a.json": b'[{"id": 1}]'}, [], "needs a 'data' object"),
    ("ls no text", {"a.json": b'[{"id": 1, "data": {"title": "x"}}]'}, [], "no data.text string"),
    ("ls result not a list", {"a.json": task(annotations=[{"id": 3, "result": {"a": 1}}])}, [], "the result is not a list"),
    ("ls unknown label", {"a.json": task(annotations=[{"id": 3, "result": [{"id": "r", "from_name": "span", "type": "labels", "value": {"start": 0, "end": 7, "text": "Ushakov", "labels": ["Bogus"]}}]}])}, [], "unknown label 'Bogus'"),
    ("ls region past the end", {"a.json": task(annotations=[{"id": 3, "result": [{"id": "r", "from_name": "span", "type": "labels", "value": {"start": 0, "end": 99, "text": "x", "labels": ["Quote"]}}]}])}, [], "out of range"),
    ("ls dangling relation", {"a.json": task(annotations=[{"id": 3, "result": [{"type": "relation", "from_id": "a", "to_id": "b"}]}])}, [], "dangling relation"),
    # nothing to import
    ("only pictures", {"a.png": b"\x89PNG"}, ["--format=auto"], "no importable files"),
    ("unknown format", {"a.txt": TEXT.encode()}, ["--format=pdf"], "invalid choice: 'pdf'"),
]  # fmt: skip


def state():
    return (
        Collection.objects.filter(name="news").count(),
        Document.objects.count(),
        Annotation.objects.count(),
        Span.objects.count(),
    )


@pytest.mark.parametrize(("case", "files", "options", "message"), CASES, ids=[c[0] for c in CASES])
def test_broken_input_is_refused_clearly_and_writes_nothing(
    tmp_path, settings, case, files, options, message
):
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    args = []
    for option in options:
        if option.startswith("DOCUMENT_MAX_BYTES="):
            settings.DOCUMENT_MAX_BYTES = int(option.split("=")[1])
        else:
            args.append(option)
    before = state()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises((CommandError, SystemExit)) as failure:
        call_command("import_documents", str(tmp_path), "--collection", "news", *args,
                     stdout=out, stderr=err)  # fmt: skip
    said = f"{failure.value}\n{err.getvalue()}"
    assert message in said, said
    assert "Traceback" not in said
    assert state() == before
