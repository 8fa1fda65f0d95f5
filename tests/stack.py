"""The service as it runs for real, in processes of its own: a web server, workers and
commands over a database of their own (an SQLite file, or a fresh PostgreSQL database),
for the tests that kill and load it from outside."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"


class Stack:
    def __init__(self, folder: Path, *, postgres: bool = False, **env: str) -> None:
        self.folder = folder
        self.processes: list[subprocess.Popen] = []
        self.logs: list = []
        self.pg_name = f"stack_{uuid.uuid4().hex[:10]}" if postgres else ""
        if postgres:
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.pg_name}"')
            url = f"{PG}/{self.pg_name}"
        else:
            url = f"sqlite:///{folder / 'db.sqlite3'}"
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "VAR_DIR": str(folder / "var"),
            "UPLOAD_DIR": str(folder / "uploads"),
            "EXPORT_DIR": str(folder / "exports"),
            **_label_studio(),
            "TASKS_BACKEND": "database",
            "LOG_LEVEL": "ERROR",
            **env,
        }
        self.env.pop("INBOX_DATABASE_URL", None)
        self.manage("migrate", "--noinput")
        self.manage("migrate", "--noinput", "--database", "inbox")

    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def query(self, code: str) -> object:
        """Run `code` in the stack's Django (its last expression's value, as JSON)."""
        lines = code.strip().splitlines()
        body = "\n".join(lines[:-1])
        script = f"import json\n{body}\nprint('@@' + json.dumps({lines[-1]}, default=str))"
        out = self.manage("shell", "-c", script)
        return json.loads(out.split("@@", 1)[1])

    def row(self, sql: str) -> tuple | None:
        """One row straight from the stack's database (quick: no Django process)."""
        if self.pg_name:
            with psycopg.connect(f"{PG}/{self.pg_name}") as db:
                return db.execute(sql).fetchone()
        with closing(sqlite3.connect(self.folder / "db.sqlite3", timeout=30)) as db:
            return db.execute(sql).fetchone()

    def wait(self, condition, timeout: float, what: str) -> None:
        """wait_until, telling on failure what the processes printed."""
        try:
            wait_until(condition, timeout, what)
        except AssertionError as error:
            printed = "".join(
                f"\n--- {log.name}:\n{Path(log.name).read_text()[-2000:]}" for log in self.logs
            )
            raise AssertionError(f"{error}{printed}") from None

    def start(self, *args: str, log: str) -> subprocess.Popen:
        self.logs.append((self.folder / f"{log}.log").open("w"))
        process = subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdout=self.logs[-1],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def server(self, port: int | None = None) -> str:
        port = port or free_port()
        self.start("runserver", "--noreload", f"127.0.0.1:{port}", log="server")
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(f"{url}/ml/health"), 30, f"the server at {url}")
        return url

    def worker(self, name: str = "worker") -> subprocess.Popen:
        return self.start("worker", "--interval", "0.2", log=name)

    def kill(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
        for log in self.logs:
            log.close()
        if self.pg_name:
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


def _label_studio() -> dict[str, str]:
    """How the stack reaches Label Studio: as this process does, when Django runs here."""
    try:
        from django.conf import settings

        return {
            "LABEL_STUDIO_URL": settings.LABEL_STUDIO_URL,
            "LABEL_STUDIO_API_KEY": settings.LABEL_STUDIO_API_KEY,
            "LABEL_STUDIO_WEBHOOK_SECRET": settings.LABEL_STUDIO_WEBHOOK_SECRET,
        }
    except Exception:  # noqa: BLE001 - no Django here (a benchmark): the environment's own
        return {}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what} after {timeout:.0f} s")


def news_corpus(path: Path, count: int, *, prefix: str = "doc") -> Path:
    """`count` news-length (~2 KB) documents as canonical JSONL, each with a quote."""
    words = ["the", "minister", "said", "council", "report", "election", "market", "inflation", "talks", "officials", "warned", "analysts", "expected", "growth", "budget", "hospital", "court", "residents"]  # fmt: skip
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            body = " ".join(words[(index + i) % len(words)] for i in range(300))
            text = f'"We will vote {index}," said Ana Lopez. {body}.'
            out.write(json.dumps({"id": f"{prefix}-{index}", "title": f"Story {index}",
                                  "text": text}) + "\n")  # fmt: skip
    return path
