"""A collection's agreement: computed by a job, stored, then read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import Collection, DocumentAgreement, Job

pytestmark = pytest.mark.django_db


def test_agreement_is_computed_by_a_job_and_read_from_where_it_is_stored(api):
    reviewer = api("reviewer")
    missing = reviewer.get("/api/collections/demo/agreement/")
    assert missing.status_code == 404 and "POST" in missing.json()["detail"]
    started = reviewer.post("/api/collections/demo/agreement/")
    assert started.status_code == 202
    job = Job.objects.get(pk=started.json()["id"])
    assert (job.kind, job.status, job.result["documents"]) == ("agreement", "done", 2)
    # Every document walked twice, as the job went: for agreement, then for prediction use.
    assert (job.total, job.done) == (16, 16)
    report = reviewer.get("/api/collections/demo/agreement/").json()
    assert report["documents"] == 2 and report["computed_at"]
    assert report["spans"]["Quote"]["exact"] is not None
    stored = Collection.objects.get(name="demo")
    assert stored.agreement["documents"] == 2
    # The documents come from their rows, the most disagreement first.
    assert report["per_document_count"] == 2
    listed = [(-d["units_with_disagreement"], d["document_id"]) for d in report["per_document"]]
    assert listed == sorted(listed) and len(listed) == 2
    assert set(report["per_document"][0]) == {
        "document", "document_id", "annotators", "quotes", "quote_f1_overlap",
        "units_with_disagreement", "computed_at",
    }  # fmt: skip


def test_each_document_s_figures_page_by_page(api, demo):
    reviewer = api("reviewer")
    assert reviewer.get("/api/collections/demo/agreement/documents/").status_code == 404
    reviewer.post("/api/collections/demo/agreement/")
    rows = DocumentAgreement.objects.filter(collection=demo).order_by("document_id")
    assert rows.count() == 2
    rows.filter(pk=rows[0].pk).update(units_with_disagreement=5)
    with CaptureQueriesContext(connection) as queries:
        first = reviewer.get("/api/collections/demo/agreement/documents/", {"page_size": 1})
    # The token, the role (2), the collection, the count and the page: as many for a
    # million rows.
    assert len(queries) == 6, "\n".join(q["sql"][:150] for q in queries)
    page = first.json()
    assert page["count"] == 2 and page["next"]
    [entry] = page["results"]
    assert (entry["document_id"], entry["units_with_disagreement"]) == (rows[0].pk, 5)
    second = reviewer.get(page["next"]).json()
    assert [e["document_id"] for e in second["results"]] == [rows[1].pk]
