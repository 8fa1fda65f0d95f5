"""Jobs: long work recorded on a Job row and handed to the background worker.

Every door (API, admin) starts long work here; the worker (annotations/jobs.py)
runs it and reports through these functions. The commands run the same
services in the foreground instead.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from annotations.errors import Conflict
from annotations.models import Collection, Export, Job

# Kinds whose inputs do not outlive the first run (an upload folder), so no retry.
NOT_RETRIED = {Job.Kind.IMPORT}
# The worker id of a job run inside a request (the immediate backend): no worker to lose.
IN_REQUEST = "request"
DIED = (
    "the worker running this job stopped (no sign of life since); what it left behind "
    "was cleared; start it again"
)


class JobError(Conflict):
    pass


def job_start(
    *, kind: str, collection: Collection, user: AbstractBaseUser | None, params: dict | None = None
) -> Job:
    """Record the job and hand it to the worker (or run it now, with the immediate backend)."""
    from annotations.jobs import run_job

    job = Job.objects.create(kind=kind, collection=collection, created_by=user, params=params or {})
    run_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def pulls_start() -> list[Job]:
    """A pull job for every collection bound to a Label Studio project that has none
    waiting or running (the workers' periodic reconcile)."""
    busy = Job.objects.filter(
        kind=Job.Kind.PULL, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    ).values("collection_id")
    due = Collection.objects.filter(ls_project_id__isnull=False).exclude(pk__in=busy)
    return [job_start(kind=Job.Kind.PULL, collection=c, user=None) for c in due]


def job_retry(*, job: Job, user: AbstractBaseUser | None) -> Job:
    """The same work again, as a new job; only a failed job can be retried."""
    if job.status != Job.Status.FAILED:
        raise JobError(f"job {job.pk} is {job.status}; only a failed job can be retried")
    if job.kind in NOT_RETRIED:
        raise JobError(f"job {job.pk} imported uploaded files that are gone; upload them again")
    return job_start(kind=job.kind, collection=job.collection, user=user, params=job.params)


def job_begin(*, job: Job, worker_id: str = IN_REQUEST) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), worker_id=worker_id[:64]
    )


def job_finish(*, job: Job, status: str, result: dict | None = None, error: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(
        status=status, result=result or {}, error=error, finished_at=timezone.now()
    )


def job_progress(*, job: Job, total: int | None = None) -> Callable[[int], None]:
    """A counter that records progress on the job about a hundred times at most."""
    Job.objects.filter(pk=job.pk).update(total=total, done=0)
    step = max(1, (total or 0) // 100)
    done = written = 0

    def advance(count: int) -> None:
        nonlocal done, written
        done += count
        if done - written >= step or done == total:
            Job.objects.filter(pk=job.pk).update(done=done)
            written = done

    return advance


def jobs_sweep(*, gone: set[str]) -> list[Job]:
    """Fail the running jobs of these workers (`gone`: found without a sign of life) and
    clear what they left: an import's uploaded files, an export's unfinished folder.

    Only the workers named are swept: a job another worker began since they were
    found keeps running.
    """
    running = Job.objects.filter(status=Job.Status.RUNNING, worker_id__in=gone)
    dead = list(running.exclude(worker_id__in=["", IN_REQUEST]))
    for job in dead:
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            status=Job.Status.FAILED, error=DIED, finished_at=timezone.now()
        )
        _clear_leftovers(job)
    return dead


def _clear_leftovers(job: Job) -> None:
    if job.kind == Job.Kind.IMPORT and job.params.get("folder"):
        shutil.rmtree(job.params["folder"], ignore_errors=True)
    if job.kind == Job.Kind.EXPORT and job.started_at:
        unfinished = Export.objects.filter(
            collection=job.collection, status=Export.Status.RUNNING, created_at__gte=job.started_at
        )
        for export in unfinished:
            out = Path(export.path)
            shutil.rmtree(out.parent / f".{out.name}.partial-{export.pk}", ignore_errors=True)
        unfinished.update(status=Export.Status.FAILED, error=DIED)
