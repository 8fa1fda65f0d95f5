import datetime
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.core.management import CommandError, call_command

from annotations import exporters
from annotations.exporters import ExportError
from annotations.models import Collection, Export
from annotations.services.exports import export_gold
from tests import factories

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def load(name="demo", *files, as_gold=True):
    args = [str(FIXTURES / f) for f in files or ("gold.jsonl",)]
    call_command("import_documents", *args, "--collection", name, *(["--as-gold"] if as_gold else []),
                 stdout=io.StringIO())  # fmt: skip
    return Collection.objects.get(name=name)


def data_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "README.md"}  # fmt: skip


def test_gold_export_writes_records_matching_the_schema_and_a_card(tmp_path):
    collection = load()
    load("demo", "annotators.jsonl", as_gold=False)
    export = export_gold(collection=collection, fmt="jsonl", out=tmp_path / "out")
    assert (export.status, export.format, export.options) == (
        Export.Status.DONE, "jsonl", {"split": [0.8, 0.1, 0.1], "seed": 13, "include_unreviewed": False},
    )  # fmt: skip
    schema = json.loads((FIXTURES.parent / "docs" / "canonical.schema.json").read_text())
    records = [json.loads(line) for f in sorted((tmp_path / "out").glob("*.jsonl"))
               for line in f.read_text().splitlines()]  # fmt: skip
    assert len(records) == 8
    for record in records:
        jsonschema.validate(record, schema)
        assert record["provenance"]["quality"] == "gold"
    assert sum(export.counts["documents"].values()) == 8
    assert set(export.file_hashes) == {p.name for p in (tmp_path / "out").glob("*.jsonl")}
    card = (tmp_path / "out" / "README.md").read_text()
    for expected in (
        "quotes-v1",
        "| train |",
        "Krippendorff",
        "**Quote**",
        "Annotators: fixture-author (8)",
    ):
        assert expected in card
    for path, digest in export.file_hashes.items():
        assert f"`{path}`" in card and digest in card


def test_same_input_gives_byte_identical_output(tmp_path):
    collection = load()
    for fmt in ("jsonl", "conll", "brat", "labelstudio", "spacy", "hf"):
        export_gold(collection=collection, fmt=fmt, out=tmp_path / f"{fmt}-1")
        export_gold(collection=collection, fmt=fmt, out=tmp_path / f"{fmt}-2")
        first, second = tmp_path / f"{fmt}-1", tmp_path / f"{fmt}-2"
        assert {
            p: f.read_bytes()
            for p, f in ((p.relative_to(first), p) for p in first.rglob("*") if p.is_file())
        } == {
            p: f.read_bytes()
            for p, f in ((p.relative_to(second), p) for p in second.rglob("*") if p.is_file())
        }, fmt


def test_include_unreviewed_adds_single_human_annotations_as_silver(tmp_path):
    collection = load()
    lone = factories.document(collection, external_id="zz-lone")
    factories.annotation(lone, factories.quote_annotation(source_key="import:human:ana"))
    two = factories.document(collection, external_id="zz-two")
    factories.annotation(two, factories.quote_annotation(source_key="import:human:ana"))
    factories.annotation(
        two, factories.quote_annotation(annotator="bo@x", source_key="import:human:bo")
    )
    gold_only = export_gold(collection=collection, fmt="jsonl", out=tmp_path / "a", split="1")
    assert gold_only.counts["documents"] == {"train": 8}
    export = export_gold(collection=collection, fmt="jsonl", out=tmp_path / "b", split="1",
                         include_unreviewed=True)  # fmt: skip
    assert export.counts["quality"] == {"gold": 8, "silver": 1}
    last = json.loads((tmp_path / "b" / "train.jsonl").read_text().splitlines()[-1])
    assert last["id"] == "zz-lone"
    assert last["provenance"] == {
        "annotator": "ana@example.com",
        "quality": "silver",
        "scheme": "quotes-v1",
    }


def test_jsonl_export_import_export_is_byte_identical(tmp_path):
    export_gold(collection=load(), fmt="jsonl", out=tmp_path / "first")
    call_command("import_documents", str(tmp_path / "first"), "--collection", "again", "--as-gold",
                 stdout=io.StringIO())  # fmt: skip
    again = Collection.objects.get(name="again")
    export_gold(collection=again, fmt="jsonl", out=tmp_path / "second")
    assert data_files(tmp_path / "first") == data_files(tmp_path / "second")


def test_brat_export_import_export_is_byte_identical(tmp_path):
    export_gold(collection=load(), fmt="brat", out=tmp_path / "first", split="1")
    call_command("import_documents", str(tmp_path / "first" / "brat" / "train"), "--collection", "again",
                 "--as-gold", stdout=io.StringIO())  # fmt: skip
    export_gold(
        collection=Collection.objects.get(name="again"),
        fmt="brat",
        out=tmp_path / "second",
        split="1",
    )
    assert data_files(tmp_path / "first") == data_files(tmp_path / "second")


def test_a_failing_export_leaves_nothing_but_its_record(tmp_path, monkeypatch):
    collection = load()

    def broken(items, out, splits):
        (out / "train.jsonl").write_text("half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(exporters, "writer", lambda fmt: broken)
    with pytest.raises(RuntimeError, match="disk full"):
        export_gold(collection=collection, fmt="jsonl", out=tmp_path / "out")
    assert list(tmp_path.iterdir()) == []
    export = Export.objects.get()
    assert (export.status, export.error) == (Export.Status.FAILED, "disk full")


def test_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("x")
    with pytest.raises(ExportError, match="already exists and is not an empty folder"):
        export_gold(collection=load(), fmt="jsonl", out=tmp_path / "out")
    assert not Export.objects.exists()


def test_command(tmp_path):
    load()
    out = io.StringIO()
    call_command("export_gold", "--collection", "demo", "--format", "conll", "--out", str(tmp_path / "c"),
                 "--split", "0.5,0.5", "--seed", "1", stdout=out)  # fmt: skip
    assert "Exported 8 document(s) of 'demo' as conll" in out.getvalue()
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "README.md",
        "test.conll",
        "train.conll",
    ]
    with pytest.raises(
        CommandError, match="split '0.9,0.2': the ratios must be non-negative and sum to 1"
    ):
        call_command("export_gold", "--collection", "demo", "--format", "jsonl", "--out", str(tmp_path / "d"),
                     "--split", "0.9,0.2")  # fmt: skip
    with pytest.raises(CommandError, match="no collection named 'nope'"):
        call_command(
            "export_gold", "--collection", "nope", "--format", "jsonl", "--out", str(tmp_path / "e")
        )


def test_missing_optional_extra_is_explained(monkeypatch):
    def no_spacy(name, *args):
        if name == "spacy":
            raise ImportError(name)
        return __import__(name)

    monkeypatch.setattr(exporters, "import_module", no_spacy)
    with pytest.raises(ExportError, match=r"pip install 'quote-annotations\[spacy\]'"):
        exporters.writer("spacy")


def test_the_card_reads_stored_agreement_until_a_human_annotation_changes(monkeypatch):
    from annotations.models import Annotation
    from annotations.services import exports
    from annotations.services.exports import current_agreement

    collection = load("demo", "annotators.jsonl", as_gold=False)
    first = current_agreement(collection)
    collection.refresh_from_db()
    assert collection.agreement == first and collection.agreement["documents"] == 2
    calls = []
    monkeypatch.setattr(
        exports, "collection_agreement_compute", lambda **kw: calls.append(kw) or first
    )
    assert current_agreement(collection) == first and calls == []
    later = collection.agreement_at + datetime.timedelta(seconds=1)
    Annotation.objects.filter(kind="human").update(updated_at=later)
    current_agreement(collection)
    assert len(calls) == 1
