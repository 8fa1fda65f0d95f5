import pytest

from annotations.models import Collection, Job
from annotations.services.jobs import (
    DIED,
    IN_REQUEST,
    JobError,
    job_retry,
    jobs_sweep,
    pulls_start,
)
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


def test_periodic_pulls_start_one_job_per_bound_collection_not_already_pulling():
    bound, busy = factories.collection("bound"), factories.collection("busy")
    factories.collection("unbound")
    Collection.objects.filter(name="bound").update(ls_project_id=11)
    Collection.objects.filter(name="busy").update(ls_project_id=12)
    Job.objects.create(kind=Job.Kind.PULL, collection=busy, status=Job.Status.QUEUED)
    started = pulls_start()
    assert [(job.kind, job.collection.name) for job in started] == [(Job.Kind.PULL, "bound")]
    assert Job.objects.filter(collection=bound, kind=Job.Kind.PULL).count() == 1
