"""The background worker: runs jobs, applies the webhook inbox, finds jobs of dead workers.

One process, never under the autoreloader (the pid is the worker's own, so
stopping it stops the work). The main thread runs the tasks framework's
database worker; a second thread applies waiting webhooks every moment and,
every few seconds, records this worker's sign of life and fails the running
jobs of workers that show none.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from annotations import jobs
from annotations.labelstudio import sync
from annotations.services.jobs import jobs_sweep, pulls_start

log = logging.getLogger(__name__)
INBOX_EVERY = 0.2
BEAT_EVERY = 5.0  # at most; a third of settings.WORKER_GONE_AFTER when that is shorter
DATABASE_AWAY_WAIT = 2.0


class Command(BaseCommand):
    help = "Run jobs, apply Label Studio's webhooks and watch for jobs of stopped workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=0.5, help="seconds between looks for new jobs"
        )
        parser.add_argument("--worker-id", default="", help="a name unique among the workers")

    def handle(self, *args, **options) -> None:
        worker_id = options["worker_id"] or f"{socket.gethostname()}-{os.getpid()}-" + (
            get_random_string(6)
        )
        jobs.WORKER_ID = worker_id
        stop = threading.Event()
        keeper = threading.Thread(
            target=housekeeping, args=(worker_id, stop), name="housekeeping", daemon=True
        )
        keeper.start()
        self.stdout.write(f"Worker {worker_id} running (pid {os.getpid()}).")
        worker = Worker(
            queue_names=["default"],
            interval=options["interval"],
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id[:64],
            excluded_queue_names=[],
        )
        # SIGTERM lets the running job finish (a supervisor kills it after its grace).
        worker.configure_signals()
        try:
            while worker.running:
                try:
                    worker.run()
                except DatabaseError as error:
                    # The database went away (restart, failover): wait for it, do not die.
                    log.warning("the database is away (%s); trying again", error)
                    close_old_connections()
                    time.sleep(DATABASE_AWAY_WAIT)
        finally:
            stop.set()
            keeper.join(timeout=5)


def housekeeping(worker_id: str, stop: threading.Event) -> None:
    """Apply the inbox often; beat and sweep every few seconds. Survives any one failure."""
    last_beat = 0.0
    last_pull = time.monotonic()
    beat_every = min(BEAT_EVERY, settings.WORKER_GONE_AFTER / 3)
    host, pid = socket.gethostname(), os.getpid()
    while not stop.is_set():
        try:
            if time.monotonic() - last_beat >= beat_every:
                sync.worker_beat(worker_id=worker_id, host=host, pid=pid)
                last_beat = time.monotonic()
                running = _running_workers()
                gone = running - sync.workers_alive(worker_ids=list(running))
                for job in jobs_sweep(gone=gone):
                    log.warning("job %s failed: its worker %s stopped", job.pk, job.worker_id)
            pull_every = settings.LABEL_STUDIO_PULL_EVERY
            if pull_every and time.monotonic() - last_pull >= pull_every:
                last_pull = time.monotonic()
                for job in pulls_start():
                    log.info("started pull job %s for %s", job.pk, job.collection)
            sync.inbox_apply()
        except DatabaseError as error:
            log.warning("housekeeping waits: %s", error)
        except Exception:  # noqa: BLE001 - the worker's own loop must go on
            log.exception("housekeeping failed; trying again")
        finally:
            close_old_connections()
        stop.wait(INBOX_EVERY)


def _running_workers() -> set[str]:
    from annotations.models import Job

    return set(
        Job.objects.filter(status=Job.Status.RUNNING)
        .exclude(worker_id__in=["", jobs.IN_REQUEST])
        .values_list("worker_id", flat=True)
    )
