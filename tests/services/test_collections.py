"""Agreement computed by the service: the report on the collection, a row per document."""

import importlib

import pytest

from annotations.models import Annotation, Collection, DocumentAgreement
from annotations.records import AttributionRecord, SpanRecord
from annotations.services import collections
from annotations.services.collections import collection_agreement_compute
from tests import factories

pytestmark = pytest.mark.django_db


def labelled(collection, external_id, *annotators, disagree=False):
    """A document with a version by each annotator; `disagree`: the last one calls the
    first quote opposed and misses the second."""
    doc = factories.document(collection, external_id=external_id)
    for index, name in enumerate(annotators):
        record = factories.quote_annotation(annotator=name, source_key=name)
        if disagree and index == len(annotators) - 1:
            record.spans = [s for s in record.spans if s.id != "q2"]
            first = record.attributions[0]
            record.attributions = [
                AttributionRecord(first.quote, first.speaker, first.cue, first.speaker_name,
                                  first.quote_type, "oppose", first.claim_type)
            ]  # fmt: skip
        factories.annotation(doc, record)
    return doc


def test_the_report_is_stored_and_each_document_gets_a_row():
    news = factories.collection("news")
    calm = labelled(news, "calm", "ann@x.org", "bob@x.org")
    torn = labelled(news, "torn", "ann@x.org", "bob@x.org", disagree=True)
    labelled(news, "alone", "ann@x.org")  # one annotator: no figures
    seen = []
    report = collection_agreement_compute(collection=news, on_documents=seen.append)
    assert sum(seen) == 3  # every document walked, counted as the chunks pass
    assert report["documents"] == 2 and "per_document" not in report
    news.refresh_from_db()
    assert news.agreement == report
    rows = {row.document_id: row for row in DocumentAgreement.objects.all()}
    assert set(rows) == {calm.pk, torn.pk}
    assert (rows[calm.pk].quotes, rows[calm.pk].units_with_disagreement) == (2, 0)
    assert rows[calm.pk].quote_f1_overlap == 1.0
    assert (rows[torn.pk].quotes, rows[torn.pk].units_with_disagreement) == (2, 2)
    assert rows[torn.pk].annotators == ["ann@x.org", "bob@x.org"]
    assert {row.computed_at for row in rows.values()} == {news.agreement_at}


def test_a_rerun_replaces_the_rows_and_drops_documents_that_no_longer_count(monkeypatch):
    monkeypatch.setattr(collections, "AGREEMENT_ROWS", 1)  # a write per document
    news = factories.collection("news")
    kept = labelled(news, "kept", "ann@x.org", "bob@x.org")
    dropped = labelled(news, "dropped", "ann@x.org", "bob@x.org")
    other = factories.collection("other")
    elsewhere = labelled(other, "elsewhere", "ann@x.org", "bob@x.org")
    collection_agreement_compute(collection=news)
    collection_agreement_compute(collection=other)
    first = news.agreement_at
    Annotation.objects.filter(document=dropped, annotator__key="bob@x.org").delete()
    labelled_again = Annotation.objects.get(document=kept, annotator__key="bob@x.org")
    record = factories.quote_annotation(annotator="bob@x.org", source_key="bob@x.org")
    record.spans.append(SpanRecord("q3", "Quote", 41, 45, "that"))
    record.attributions.append(AttributionRecord("q3", speaker_name="Ana Lopez"))
    labelled_again.delete()
    factories.annotation(kept, record)
    report = collection_agreement_compute(collection=news)
    assert report["documents"] == 1
    row = DocumentAgreement.objects.get(document=kept)
    assert (row.quotes, row.units_with_disagreement, row.computed_at) == (
        3, 1, news.agreement_at,
    )  # fmt: skip
    assert news.agreement_at > first
    assert not DocumentAgreement.objects.filter(document=dropped).exists()
    # Another collection's rows are its own.
    assert DocumentAgreement.objects.filter(document=elsewhere).exists()


def test_reports_stored_before_give_their_documents_rows():
    """Migration 0012: a report that listed its documents becomes rows, and loses the list."""
    from django.apps import apps

    migration = importlib.import_module("annotations.migrations.0012_document_agreement")
    news = factories.collection("news")
    doc = factories.document(news, external_id="d1")
    factories.document(news, external_id="d2")
    entry = {"document": "d1", "annotators": ["a", "b"], "quotes": 3, "quote_f1_overlap": 0.5,
             "units_with_disagreement": 2}  # fmt: skip
    collection_agreement_compute(collection=news)  # dates the report
    Collection.objects.filter(pk=news.pk).update(
        agreement={"documents": 1, "per_document": [entry]}
    )
    migration.rows_from_stored_reports(apps, None)
    news.refresh_from_db()
    assert news.agreement == {"documents": 1}
    row = DocumentAgreement.objects.get()
    assert (row.document_id, row.quotes, row.units_with_disagreement, row.annotators) == (
        doc.pk, 3, 2, ["a", "b"],
    )  # fmt: skip
    assert row.computed_at == news.agreement_at
