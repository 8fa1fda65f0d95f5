"""A collection's agreement: computed by a job, stored, then read."""

import pytest

from annotations.models import Collection, Job

pytestmark = pytest.mark.django_db


def test_agreement_is_computed_by_a_job_and_read_from_where_it_is_stored(api):
    reviewer = api("reviewer")
    missing = reviewer.get("/api/collections/demo/agreement/")
    assert missing.status_code == 404 and "POST" in missing.json()["detail"]
    started = reviewer.post("/api/collections/demo/agreement/")
    assert started.status_code == 202
    job = Job.objects.get(pk=started.json()["id"])
    assert (job.kind, job.status, job.result["documents"]) == ("agreement", "done", 2)
    report = reviewer.get("/api/collections/demo/agreement/").json()
    assert report["documents"] == 2 and report["computed_at"]
    assert report["spans"]["Quote"]["exact"] is not None
    stored = Collection.objects.get(name="demo")
    assert stored.agreement["documents"] == 2
