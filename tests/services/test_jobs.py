import pytest

from annotations.models import Job
from annotations.services.jobs import DIED, IN_REQUEST, JobError, job_retry, jobs_sweep
from tests import factories

pytestmark = pytest.mark.django_db


def running(collection, worker_id: str) -> Job:
    return Job.objects.create(kind=Job.Kind.PREANNOTATE, collection=collection,
                              status=Job.Status.RUNNING, worker_id=worker_id)  # fmt: skip


def test_sweep_fails_only_the_jobs_of_the_workers_found_gone():
    collection = factories.collection()
    dead, begun_since, in_request = (
        running(collection, w) for w in ("w-dead", "w-new", IN_REQUEST)
    )
    # w-new began its job after the running workers were listed: it is not in `gone`.
    swept = jobs_sweep(gone={"w-dead", IN_REQUEST})
    assert [job.pk for job in swept] == [dead.pk]
    dead.refresh_from_db(), begun_since.refresh_from_db(), in_request.refresh_from_db()
    assert (dead.status, dead.error) == (Job.Status.FAILED, DIED)
    assert begun_since.status == in_request.status == Job.Status.RUNNING


def test_only_a_failed_job_is_retried():
    job = running(factories.collection(), "w1")
    with pytest.raises(JobError, match="only a failed job can be retried"):
        job_retry(job=job, user=None)
    assert Job.objects.count() == 1
