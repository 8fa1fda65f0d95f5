import json

import pytest

from annotations import importers
from annotations.models import Annotation, Attribution, Document, Span, Speaker
from annotations.services import ImportFailed, collection_get_or_create, documents_import
from tests.importers.test_jsonl import RECORD

pytestmark = pytest.mark.django_db


def import_lines(tmp_path, *records, as_gold=False, name="in.jsonl", collection="news"):
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records))
    [source], _ = importers.discover([path])
    coll, _ = collection_get_or_create(name=collection)
    return documents_import(
        collection=coll, items=importers.read(source, importers.ReadOptions()), as_gold=as_gold
    )


def database_state():
    return (
        list(Document.objects.values_list("external_id", "text_hash", "title", "status")),
        list(Annotation.objects.values_list("kind", "source_key", "content_hash")),
        Span.objects.count(),
        Attribution.objects.count(),
        Speaker.objects.count(),
    )


def test_import_writes_documents_spans_attributions_and_speakers(tmp_path):
    result = import_lines(tmp_path, RECORD, {"id": "plain", "text": "No quotes here."})
    assert (result.documents_created, result.annotations_created) == (2, 1)
    doc = Document.objects.get(external_id="doc-7")
    assert (doc.source_url, str(doc.published)) == ("https://example.org/a", "2025-12-29")
    annotation = doc.annotations.get()
    assert annotation.kind == "imported"
    attribution = annotation.attributions.select_related("quote", "speaker", "cue").get()
    assert (attribution.quote.text, attribution.speaker.text, attribution.cue.text) == (
        "“both agreed.”", "Ushakov", "said",
    )  # fmt: skip
    assert attribution.speaker_entity.name == "Yury Ushakov"


def test_reimport_writes_nothing_new(tmp_path):
    import_lines(tmp_path, RECORD)
    before = database_state()
    result = import_lines(tmp_path, RECORD)
    assert (result.documents_unchanged, result.annotations_unchanged) == (1, 1)
    assert (result.documents_created, result.annotations_created, result.annotations_updated) == (
        0,
        0,
        0,
    )
    assert database_state() == before


def test_a_bad_record_rolls_back_the_whole_file(tmp_path):
    bad = {**RECORD, "id": "doc-8", "attributions": [{"quote": "s1"}]}
    with pytest.raises(ImportFailed) as failure:
        import_lines(tmp_path, RECORD, {"id": "ok", "text": "fine"}, bad, "{broken")
    errors = [str(e) for e in failure.value.result.errors]
    assert len(errors) == 2
    assert errors[0].endswith(
        "in.jsonl:3: attribution #1 (quote 's1'): its quote 's1' is a Speaker span, not a Quote span"
    )
    assert errors[1].startswith(str(tmp_path / "in.jsonl") + ":4: malformed JSON")
    assert database_state() == ([], [], 0, 0, 0)


def test_errors_after_the_first_batch_still_roll_back_everything(tmp_path):
    good = [{"id": f"d{i}", "text": f"text {i}"} for i in range(30)]
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [*good, {"id": "x", "text": ""}]))
    [source], _ = importers.discover([path])
    coll, _ = collection_get_or_create(name="news")
    with pytest.raises(ImportFailed):
        documents_import(collection=coll, items=importers.read(source, importers.ReadOptions()),
                         batch_size=7)  # fmt: skip
    assert Document.objects.count() == 0


def test_duplicate_ids_in_one_input_must_agree(tmp_path):
    result = import_lines(tmp_path, RECORD, RECORD)
    assert result.documents_created == 1
    with pytest.raises(ImportFailed) as failure:
        import_lines(
            tmp_path, RECORD, {**RECORD, "title": "Other"}, name="two.jsonl", collection="b"
        )
    assert "appears again with other text, title or meta (first at" in str(
        failure.value.result.errors[0]
    )


def test_changed_annotation_replaces_the_stored_one(tmp_path):
    import_lines(tmp_path, RECORD)
    changed = {**RECORD, "attributions": [{**RECORD["attributions"][0], "stance": "oppose"}]}
    result = import_lines(tmp_path, changed)
    assert (result.annotations_updated, result.annotations_created) == (1, 0)
    assert Annotation.objects.count() == 1
    assert Attribution.objects.get().stance == "oppose"
    assert Span.objects.count() == 3


def test_text_of_an_annotated_document_cannot_change_through_import(tmp_path):
    import_lines(tmp_path, RECORD)
    before = database_state()
    changed = {**RECORD, "text": RECORD["text"] + " More.", "spans": [], "attributions": []}
    with pytest.raises(ImportFailed) as failure:
        import_lines(tmp_path, changed)
    assert "already stored with other text, and annotations refer to that text" in str(
        failure.value.result.errors[0]
    )
    assert database_state() == before


def test_text_of_an_unannotated_document_may_change(tmp_path):
    import_lines(tmp_path, {"id": "a", "text": "first"})
    result = import_lines(tmp_path, {"id": "a", "text": "second", "title": "T"})
    assert result.documents_updated == 1
    assert Document.objects.get().text == "second"


def test_provenance_annotator_imports_a_human_annotation_and_as_gold_makes_gold(tmp_path):
    import_lines(tmp_path, {**RECORD, "provenance": {"annotator": "ana@example.com"}})
    import_lines(tmp_path, RECORD, as_gold=True)
    kinds = sorted((a.kind, a.annotator_label) for a in Annotation.objects.all())
    assert kinds == [("gold", ""), ("human", "ana@example.com")]
    assert Document.objects.get().status == Document.Status.GOLD


def test_nul_in_metadata_is_refused(tmp_path):
    with pytest.raises(ImportFailed) as failure:
        import_lines(tmp_path, {**RECORD, "meta": {"note": "a\u0000b"}})
    assert "meta: contains a NUL character" in str(failure.value.result.errors[0])


def test_bad_published_date_is_refused(tmp_path):
    with pytest.raises(ImportFailed) as failure:
        import_lines(tmp_path, {**RECORD, "meta": {"published": "yesterday"}})
    assert "meta.published: expected a date like 2025-12-29, got 'yesterday'" in str(
        failure.value.result.errors[0]
    )


def test_dry_run_counts_and_writes_nothing(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(RECORD))
    [source], _ = importers.discover([path])
    coll, _ = collection_get_or_create(name="news")
    result = documents_import(collection=coll, items=importers.read(source, importers.ReadOptions()),
                              dry_run=True)  # fmt: skip
    assert result.documents_created == 1
    assert Document.objects.count() == 0


def test_several_annotators_versions_of_one_document_in_one_file(tmp_path):
    ann = {**RECORD, "provenance": {"annotator": "ann@example.com"}}
    bob = {**RECORD, "attributions": [{**RECORD["attributions"][0], "stance": "oppose"}],
           "provenance": {"annotator": "bob@example.com"}}  # fmt: skip
    result = import_lines(tmp_path, ann, bob, ann)
    assert (result.documents_created, result.annotations_created) == (1, 2)
    assert sorted(Annotation.objects.values_list("annotator__email", flat=True)) == [
        "ann@example.com",
        "bob@example.com",
    ]
    changed = {**ann, "attributions": [{**RECORD["attributions"][0], "stance": "support"}]}
    with pytest.raises(ImportFailed) as failure:
        import_lines(tmp_path, ann, changed, name="again.jsonl")
    assert "second, different annotation from the same source (import:human:ann@example.com" in str(
        failure.value.result.errors[0]
    )


def batched(tmp_path, count: int):
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(json.dumps({**RECORD, "id": f"doc-{i}"}) for i in range(count)))
    [source], _ = importers.discover([path])
    coll, _ = collection_get_or_create(name="news")
    return coll, lambda: importers.read(source, importers.ReadOptions())


def test_a_rereadable_input_is_checked_whole_then_written_a_batch_per_transaction(tmp_path):
    collection, read = batched(tmp_path, 7)
    result = documents_import(collection=collection, items=read, batch_size=3)
    assert (result.documents_created, result.annotations_created) == (7, 7)
    again = documents_import(collection=collection, items=read, batch_size=3)
    assert (again.documents_unchanged, again.annotations_unchanged) == (7, 7)


def test_a_bad_record_at_the_end_of_a_batched_input_writes_nothing(tmp_path):
    path = tmp_path / "late.jsonl"
    records = [json.dumps({**RECORD, "id": f"doc-{i}"}) for i in range(6)]
    path.write_text("\n".join([*records, json.dumps({"id": "empty", "text": " "})]))
    [source], _ = importers.discover([path])
    coll, _ = collection_get_or_create(name="news")
    with pytest.raises(ImportFailed) as failure:
        documents_import(collection=coll, batch_size=2,
                         items=lambda: importers.read(source, importers.ReadOptions()))  # fmt: skip
    assert "late.jsonl:7: the document text is empty" in str(failure.value.result.errors[0])
    assert not Document.objects.exists()


def test_a_write_that_fails_midway_takes_back_the_documents_it_created(tmp_path, monkeypatch):
    from annotations.services import imports

    collection, read = batched(tmp_path, 7)
    calls = []
    real = imports.annotation_rows_write

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(imports, "annotation_rows_write", failing)
    with pytest.raises(RuntimeError):
        documents_import(collection=collection, items=read, batch_size=3)
    assert not Document.objects.exists() and not Annotation.objects.exists()
