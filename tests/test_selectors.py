"""Reads that walk whole collections do it a chunk at a time."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations import selectors
from annotations.selectors import human_versions
from tests import factories

pytestmark = pytest.mark.django_db


def test_human_versions_walk_the_documents_by_id_a_chunk_at_a_time(monkeypatch):
    monkeypatch.setattr(selectors, "VERSIONS_CHUNK", 2)
    news = factories.collection("news")
    docs = [factories.document(news, external_id=f"d{i}") for i in range(5)]
    for doc in docs:
        if doc.external_id != "d2":  # one annotator only: not compared
            for name in ("ann@x.org", "bob@x.org"):
                factories.annotation(doc, factories.quote_annotation(annotator=name))
    other = factories.document(factories.collection("other"), external_id="d9")
    for name in ("ann@x.org", "bob@x.org"):
        factories.annotation(other, factories.quote_annotation(annotator=name))
    walked = []
    with CaptureQueriesContext(connection) as queries:
        found = list(human_versions(news.documents.all(), on_documents=walked.append))
    assert [v.document for v in found] == ["d0", "d1", "d3", "d4"]
    assert [v.document_id for v in found] == [d.pk for d in docs if d.external_id != "d2"]
    assert set(found[0].annotations) == {"ann@x.org", "bob@x.org"}
    assert walked == [2, 2, 1]
    # Each chunk asks for the ids after the last one seen, never for all of them.
    asked = [
        q["sql"]
        for q in queries
        if q["sql"].startswith('SELECT "annotations_document"."id" AS "pk" FROM')
    ]
    assert len(asked) == 4 and all("LIMIT 2" in sql for sql in asked)
