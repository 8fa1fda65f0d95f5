"""Faults from outside: a worker killed mid-job, webhooks while a large import holds the
database. The service runs in processes of its own (tests/stack.py)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.stack import Stack, free_port, news_corpus, wait_until

pytestmark = pytest.mark.integration


def job_status(stack: Stack, job_id: int) -> tuple:
    return stack.row(f"SELECT status, error, worker_id FROM annotations_job WHERE id = {job_id:d}")


def test_a_job_whose_worker_is_killed_is_failed_cleared_and_runs_again(tmp_path):
    stack = Stack(tmp_path, WORKER_GONE_AFTER="3")
    try:
        stack.manage("import_documents", str(news_corpus(tmp_path / "big.jsonl", 2500)),
                     "--collection", "big")  # fmt: skip
        job_id = stack.query(
            "from annotations.models import Collection, Job\n"
            "from annotations.services.jobs import job_start\n"
            "collection = Collection.objects.get(name='big')\n"
            "job_start(kind=Job.Kind.PREANNOTATE, collection=collection, user=None).pk"
        )
        first = stack.worker("first")
        stack.wait(lambda: job_status(stack, job_id)[0] == "running", 60, "the job to start")
        stack.kill(first)
        status, _, worker_id = job_status(stack, job_id)
        assert status == "running" and worker_id  # nobody knows yet
        stack.worker("second")
        stack.wait(lambda: job_status(stack, job_id)[0] == "failed", 60, "the job to be failed")
        assert "the worker running this job stopped" in job_status(stack, job_id)[1]
        again = stack.query(
            "from annotations.models import Job\n"
            "from annotations.services.jobs import job_retry\n"
            f"job_retry(job=Job.objects.get(pk={job_id}), user=None).pk"
        )
        stack.wait(lambda: job_status(stack, again)[0] == "done", 300, "the retried job")
        predicted = stack.query(
            "from annotations.models import Annotation\n"
            "Annotation.objects.filter(kind='prediction').count()"
        )
        assert predicted == 2500
    finally:
        stack.close()


def test_webhooks_while_a_large_import_holds_the_database_are_all_kept(ls_client, tmp_path):
    port = free_port()
    stack = Stack(tmp_path, postgres=connection.vendor == "postgresql",
                  PUBLIC_URL=f"http://127.0.0.1:{port}")  # fmt: skip
    try:
        stack.manage("import_documents", str(news_corpus(tmp_path / "live.jsonl", 40, prefix="live")),
                     "--collection", "live")  # fmt: skip
        stack.server(port)
        stack.worker()
        stack.manage("labelstudio", "setup", "--collection", "live")
        stack.manage("labelstudio", "push", "--collection", "live")
        project = stack.query(
            "from annotations.models import Collection\n"
            "Collection.objects.get(name='live').ls_project_id"
        )
        tasks = [task["id"] for task in ls_client.tasks(project)]
        importing = stack.start(
            "import_documents", str(news_corpus(tmp_path / "big.jsonl", 20000)),
            "--collection", "big", log="import",
        )  # fmt: skip
        time.sleep(2.5)  # the command has started and is writing
        result = [{"value": {"start": 0, "end": 14, "text": "x", "labels": ["Quote"]}, "id": "q",
                   "from_name": "span", "to_name": "text", "type": "labels"}]  # fmt: skip

        def annotate(task_id: int) -> tuple[int, float, bool]:
            started = time.monotonic()
            made = ls_client.annotation_create(task_id, result, lead_time=1)
            return made["id"], time.monotonic() - started, importing.poll() is None

        made = []
        with ThreadPoolExecutor(max_workers=4) as pool:
            while importing.poll() is None and len(made) < 400:
                made += pool.map(annotate, tasks[:8])
        importing.wait(timeout=600)
        assert importing.returncode == 0
        during = [seconds for _, seconds, running in made if running]  # Label Studio's time
        assert len(during) >= 8, f"only {len(during)} webhooks came while the import ran"
        ids = sorted(annotation_id for annotation_id, _, _ in made)

        def stored() -> list:
            return stack.query(
                "from annotations.models import Annotation\n"
                "sorted(Annotation.objects.filter(ls_annotation_id__isnull=False)"
                ".values_list('ls_annotation_id', flat=True))"
            )

        # Label Studio gives up on a webhook after a second and never sends it again, and
        # nothing here pulls: every annotation stored means every webhook was taken in time.
        wait_until(lambda: stored() == ids, 60, "every annotation to be stored")
    finally:
        stack.close()
