"""Background jobs: the long services (import, pre-annotation, Label Studio sync, export)
run by the tasks framework's worker, with progress and errors recorded on a Job row.

The management commands run the same services in the foreground; the API starts
a job and answers 202 with its address.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django_tasks import task

from annotations.errors import DomainError
from annotations.labelstudio import sync
from annotations.labelstudio.client import LabelStudioError
from annotations.models import Job
from annotations.selectors import predicting_model
from annotations.services import review
from annotations.services.collections import (
    collection_agreement_compute,
    collection_prediction_use_compute,
    collection_stats_compute,
)
from annotations.services.exports import DEFAULT_SEED, DEFAULT_SPLIT, export_folder, export_gold
from annotations.services.import_files import discover_sources, files_import, import_profile
from annotations.services.imports import ImportFailed
from annotations.services.jobs import IN_REQUEST, job_begin, job_finish, job_progress
from annotations.services.preannotation import collection_preannotate
from annotations.services.training import model_train


class JobFailed(Exception):
    """The work ran but did not all succeed; what did is kept as the job's result."""

    def __init__(self, message: str, result: dict) -> None:
        super().__init__(message)
        self.result = result


# Failures that are the input's or Label Studio's, reported on the job as they are.
EXPECTED = (DomainError, LabelStudioError, OSError)


# Who runs jobs in this process: a worker (`manage.py worker`) sets its id, so a job it
# leaves behind when it dies is found; inside a request there is none to lose.
WORKER_ID = IN_REQUEST


@task()
def run_job(job_id: int) -> None:
    job = Job.objects.select_related("collection", "created_by").get(pk=job_id)
    job_begin(job=job, worker_id=WORKER_ID)
    try:
        result = RUNNERS[job.kind](job)
    except JobFailed as failure:
        job_finish(job=job, status=Job.Status.FAILED, result=failure.result, error=str(failure))
    except EXPECTED as error:
        job_finish(job=job, status=Job.Status.FAILED, error=_describe(error))
    except Exception as error:  # noqa: BLE001 - an unexpected failure is still the job's to report
        job_finish(job=job, status=Job.Status.FAILED, error=f"{type(error).__name__}: {error}")
        raise
    else:
        job_finish(job=job, status=Job.Status.DONE, result=result)


def _describe(error: Exception) -> str:
    if isinstance(error, ImportFailed):
        return "; ".join(str(e) for e in error.result.errors) or str(error)
    return str(error)


def _import(job: Job) -> dict[str, Any]:
    folder = Path(job.params["folder"])
    try:
        sources, warnings = discover_sources(
            [folder], job.params.get("format", "auto"), as_gold=job.params.get("as_gold", False)
        )
        advance = job_progress(job=job, total=len(sources))
        report = files_import(
            collection=job.collection,
            sources=sources,
            warnings=warnings,
            profile=import_profile(
                job.params.get("brat_profile", "default"), job.params.get("brat_map", "")
            ),
            as_gold=job.params.get("as_gold", False),
            on_source=lambda _source: advance(1),
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # Messages name the files as uploaded, not the temporary folder they sat in.
    prefix = f"{folder}/"
    total = report.total
    result = {
        "documents": {
            "created": total.documents_created,
            "updated": total.documents_updated,
            "unchanged": total.documents_unchanged,
        },
        "annotations": {
            "created": total.annotations_created,
            "updated": total.annotations_updated,
            "unchanged": total.annotations_unchanged,
        },
        "contents": {what: count for what, count in sorted(total.contents.items()) if count},
        "warnings": [str(w).replace(prefix, "") for w in total.warnings],
        "failed_files": {
            source.name.replace(prefix, ""): [
                str(e).replace(prefix, "") for e in source.result.errors
            ]
            for source in report.failed
        },
    }
    if report.failed:
        message = f"{len(report.failed)} file(s) failed; nothing from them was written"
        raise JobFailed(message, result)
    return result


def _preannotate(job: Job) -> dict[str, Any]:
    model = predicting_model(job.collection, job.params.get("model"))
    advance = job_progress(job=job, total=job.collection.documents.count())
    return asdict(collection_preannotate(collection=job.collection, model=model, on_batch=advance))


def _setup(job: Job) -> dict[str, Any]:
    with sync.client_from_settings() as client:
        result = sync.project_setup(
            collection=job.collection, client=client, ml_backend=job.params.get("ml_backend", False)
        )
    return asdict(result)


def _push(job: Job) -> dict[str, Any]:
    advance = job_progress(job=job, total=job.collection.documents.count())
    with sync.client_from_settings() as client:
        return asdict(sync.push(collection=job.collection, client=client, on_batch=advance))


def _pull(job: Job) -> dict[str, Any]:
    with sync.client_from_settings() as client:
        result = sync.pull(
            collection=job.collection, client=client, full=job.params.get("full", False)
        )
    return {
        "full": result.full,
        "why_full": result.why_full,
        "tasks": result.tasks,
        "created": result.created,
        "updated": result.updated,
        "deleted": result.deleted,
        "unchanged": result.unchanged + result.stale,
        "flagged": result.flagged,
        "unlinked": result.unlinked,
    }


def _export(job: Job) -> dict[str, Any]:
    params = job.params
    advance = job_progress(job=job, total=job.collection.documents.count())
    export = export_gold(
        collection=job.collection,
        fmt=params["format"],
        out=export_folder(collection=job.collection, fmt=params["format"]),
        split=params.get("split", DEFAULT_SPLIT),
        seed=params.get("seed", DEFAULT_SEED),
        include_unreviewed=params.get("include_unreviewed", False),
        user=job.created_by,
        on_item=lambda item: advance(1),
    )
    return {"export": export.pk, "counts": export.counts}


def _gold_push(job: Job) -> dict[str, Any]:
    document = job.collection.documents.get(pk=job.params["document"])
    with sync.client_from_settings() as client:
        annotation_id = review.gold_push(document=document, client=client)
    return {"document": document.pk, "ls_annotation_id": annotation_id}


def _agreement(job: Job) -> dict[str, Any]:
    """Agreement among the annotators, then what they made of the predictions: two walks
    over the documents on one bar."""
    documents = job.collection.documents.count()
    advance = job_progress(job=job, total=2 * documents)
    report = collection_agreement_compute(collection=job.collection, on_documents=advance)
    use = collection_prediction_use_compute(collection=job.collection, on_documents=advance)
    return {
        "documents": report["documents"],
        "annotators": report.get("annotators", []),
        "predictions_started_from": sum(v["annotations"] for v in use["versions"].values()),
    }


def _train(job: Job) -> dict[str, Any]:
    params = job.params
    stages: dict[str, Callable[[int], None]] = {}
    position = {"stage": "", "done": 0}

    def on_progress(stage: str, done: int, total: int) -> None:
        # One stage at a time on the job's bar: reading, learning, each curve point.
        if stage != position["stage"]:
            position.update(stage=stage, done=0)
            stages[stage] = job_progress(job=job, total=total)
        stages[stage](done - position["done"])
        position["done"] = done

    model = model_train(
        collection=job.collection,
        name=params.get("name") or None,
        base=params.get("base", "rules"),
        min_confidence=params.get("min_confidence", 0.0),
        split=params.get("split", DEFAULT_SPLIT),
        seed=params.get("seed", DEFAULT_SEED),
        parameters={"max_iterations": params["iterations"]} if params.get("iterations") else None,
        user=job.created_by,
        on_progress=on_progress,
    )
    return {"model": model.pk, "label": model.label, "serving": job.collection.model_id == model.pk}


def _stats(job: Job) -> dict[str, Any]:
    stats = collection_stats_compute(collection=job.collection)
    return {"documents": sum(stats["status"].values())}


RUNNERS: dict[str, Callable[[Job], dict[str, Any]]] = {
    Job.Kind.IMPORT: _import,
    Job.Kind.PREANNOTATE: _preannotate,
    Job.Kind.SETUP: _setup,
    Job.Kind.PUSH: _push,
    Job.Kind.PULL: _pull,
    Job.Kind.EXPORT: _export,
    Job.Kind.GOLD_PUSH: _gold_push,
    Job.Kind.TRAIN: _train,
    Job.Kind.AGREEMENT: _agreement,
    Job.Kind.STATS: _stats,
}
