"""Serve a team: the production web server and background workers, started together.

`make serve` runs this with DEBUG off. It checks the settings production needs
(`check --deploy`: a missing secret stops it with the reason), applies the
migrations, collects the static files, then starts gunicorn (`WEB_CONCURRENCY`
processes of `WEB_THREADS` threads on HOST:PORT) and `JOB_WORKERS` background
workers. They are one process group: a signal to this process stops them all,
and when one of them exits the others are stopped too, and this process exits
with an error, so a supervisor (systemd, a container) starts the whole again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

GRACE = 20.0  # seconds the processes get to finish what they do before they are killed


def _default(name: str, fallback: int) -> int:
    value = os.getenv(name, "")
    try:
        return int(value) if value else fallback
    except ValueError:
        raise CommandError(f"{name} must be a whole number, is {value!r}") from None


class Command(BaseCommand):
    help = "Serve the service for a team: gunicorn and background workers, DEBUG off."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.getenv("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=None, help="PORT, or 8000")
        parser.add_argument(
            "--web-workers", type=int, default=None,
            help="WEB_CONCURRENCY, or two per core plus one (at most 8)",
        )  # fmt: skip
        parser.add_argument("--threads", type=int, default=None, help="WEB_THREADS, or 4")
        parser.add_argument("--job-workers", type=int, default=None, help="JOB_WORKERS, or 2")

    def handle(self, *args, **options) -> None:
        if settings.DEBUG:
            raise CommandError("serve is for production: set DEBUG=false (`make serve` does)")
        port = options["port"] or _default("PORT", 8000)
        web = options["web_workers"] or _default("WEB_CONCURRENCY", min(2 * os.cpu_count() + 1, 8))
        threads = options["threads"] or _default("WEB_THREADS", 4)
        job_workers = options["job_workers"]
        if job_workers is None:
            job_workers = _default("JOB_WORKERS", 2)
        if min(web, threads) < 1 or job_workers < 0:
            raise CommandError("WEB_CONCURRENCY and WEB_THREADS need at least 1, JOB_WORKERS 0")
        call_command("check", deploy=True, fail_level="ERROR")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("migrate", database="inbox", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        address = f"{options['host']}:{port}"
        commands = [[sys.executable, "-m", "gunicorn", "project.wsgi:application",
                     "--bind", address, "--workers", str(web), "--threads", str(threads),
                     "--timeout", "120", "--graceful-timeout", str(int(GRACE)),
                     "--access-logfile", "-",
                     "--access-logformat", '%(h)s "%(r)s" %(s)s %(b)s %(M)sms']]  # fmt: skip
        manage = str(settings.BASE_DIR / "manage.py")
        commands += [[sys.executable, manage, "worker"] for _ in range(job_workers)]
        self.stdout.write(
            f"Serving on http://{address}/ ({web} web processes x {threads} threads, "
            f"{job_workers} job workers); health at /healthz and /readyz."
        )
        sys.exit(supervise(commands))


def supervise(commands: list[list[str]]) -> int:
    """Run the commands until one ends or a signal comes; then stop all of them.
    0 when stopped by a signal, 1 when a process ended by itself."""
    stopping = []

    def stop(signum, frame) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    processes = [subprocess.Popen(command) for command in commands]
    ended = None
    try:
        while not stopping and ended is None:
            ended = next((p for p in processes if p.poll() is not None), None)
            time.sleep(0.2)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if ended is None:
        return 0
    sys.stderr.write(f"{' '.join(ended.args[1:3])} ended ({ended.returncode}); stopped all.\n")
    return 1
