"""A team's load on the production server: annotators in Label Studio, reviewers, API
clients and jobs at once.

    .venv/bin/python bench/load.py [--modes serve,runserver] [--duration 120]
                                   [--annotators 20] [--reviewers 3] [--api-clients 2]
                                   [--documents 1000] [--no-write]

A real Label Studio runs on PostgreSQL (a database of its own), the service on a
fresh PostgreSQL database, first as `make serve` starts it (gunicorn, two job
workers, DEBUG off), then as `make run` does (the development server, one
worker) for the ratio. For `--duration` seconds, all on 127.0.0.1:

- `--annotators` people signed up in Label Studio through its invite link, each
  with a session as in the browser: open a task, think 2-6 s, submit an
  annotation (quote, speaker, cue, a stance). Label Studio sends each one to the
  server's webhook, inside the annotator's request, and gives up after 1 s;
- `--reviewers` reviewers logged in to the admin: open the review page of a
  document both its annotators have submitted, think, accept it as gold;
- `--api-clients` token clients paging through the documents and opening them;
- an export and a pull from Label Studio, started as jobs through the API.

Webhooks pass through a relay in this process that times each one from its
first byte to the server's first byte of answer. At the end every annotation
Label Studio holds is looked for in the server's inbox (arrived by webhook) and
in its database (stored). Results go to docs/benchmarks.md. Not a test: run it
by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import psycopg
from results import machine, record

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotations.labelstudio import server as ls_server  # noqa: E402
from annotations.labelstudio.client import LabelStudioClient  # noqa: E402
from annotations.labelstudio.convert import domain_to_result  # noqa: E402
from annotations.records import AttributionRecord, SpanRecord  # noqa: E402
from annotations.scheme import QUOTES_V1  # noqa: E402
from tests.stack import PG, free_port, news_corpus, wait_until  # noqa: E402

PASSWORD = "load-bench-pass-123"
COLLECTION = "load"
STANCES = ["support", "oppose", "neutral"]
LS_USER = "admin@example.com"
BURST_CLIENTS = 8


# --- measuring ---------------------------------------------------------------------


@dataclass
class Stats:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, name: str, seconds: float, problem: str = "") -> None:
        self.timings[name].append(seconds)
        if problem:
            self.errors[name].append(problem)


async def timed(stats: Stats, name: str, call, ok=(200,)) -> httpx.Response | None:
    began = time.monotonic()
    try:
        response = await call
    except httpx.HTTPError as error:
        stats.add(name, time.monotonic() - began, f"{type(error).__name__}: {error}")
        return None
    problem = "" if response.status_code in ok else f"{response.status_code} {response.text[:200]}"
    stats.add(name, time.monotonic() - began, problem)
    return response


class Relay:
    """A TCP relay in front of the server for Label Studio's webhooks: for each connection,
    the seconds from the request's first byte to the answer's first byte, and the status."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.seen: list[tuple[str, int, float]] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        wait_until(lambda: hasattr(self, "server"), 10, "the relay")

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self.port)
        )
        self.loop.run_forever()

    async def _handle(self, client_r, client_w) -> None:
        upstream_r, upstream_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        first: dict[str, float | bytes] = {}

        async def pump(reader, writer, side: str) -> None:
            try:
                while data := await reader.read(65536):
                    if side not in first:
                        first[side] = time.monotonic()
                        first[side + "_line"] = data.split(b"\r\n", 1)[0]
                    writer.write(data)
                    await writer.drain()
            except ConnectionError:
                pass
            finally:
                writer.close()

        await asyncio.gather(
            pump(client_r, upstream_w, "request"), pump(upstream_r, client_w, "answer")
        )
        if "request" in first and "answer" in first:
            path = first["request_line"].split(b" ")[1].decode()
            status = int(first["answer_line"].split(b" ")[1])
            self.seen.append((path, status, first["answer"] - first["request"]))

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


# --- the people --------------------------------------------------------------------


def annotation_result(text: str, annotator: int) -> list[dict]:
    """A quote with its speaker and cue, as the news corpus writes them, and a stance."""
    quote_end = text.index('," ') + 2
    cue = text.index("said", quote_end)
    speaker = text.index("Ana Lopez")
    spans = [
        SpanRecord("q", "Quote", 0, quote_end, text[:quote_end]),
        SpanRecord("c", "Cue", cue, cue + 4, "said"),
        SpanRecord("s", "Speaker", speaker, speaker + 9, "Ana Lopez"),
    ]
    stance = STANCES[annotator % len(STANCES)]
    attribution = AttributionRecord("q", "s", "c", stance=stance, quote_type="direct")
    return domain_to_result(spans, [attribution], [], QUOTES_V1)


def csrf_of(client: httpx.AsyncClient) -> str:
    return client.cookies.get("csrftoken", "")


def ls_sign_up(url: str, invite: str, email: str) -> dict[str, str]:
    """The session cookies of a new annotator, as Label Studio's sign-up page makes them."""
    with httpx.Client(base_url=url, timeout=30) as client:
        client.get(invite).raise_for_status()
        answer = client.post(
            invite,
            data={"email": email, "password": PASSWORD,
                  "csrfmiddlewaretoken": client.cookies.get("csrftoken", "")},
            headers={"Referer": f"{url}{invite}"},
        )  # fmt: skip
        if answer.status_code != 302:
            raise SystemExit(f"signing {email} up in Label Studio answered {answer.status_code}")
        return dict(client.cookies)


async def annotator(
    index: int,
    client: httpx.AsyncClient,
    tasks: list[dict],
    submitted: dict[int, int],
    ready: asyncio.Queue,
    stats: Stats,
    until: float,
) -> None:
    rng = random.Random(index)
    headers = {"X-CSRFToken": csrf_of(client)}
    for task in tasks:
        if time.monotonic() >= until:
            return
        await timed(stats, "Label Studio: open a task", client.get(f"/api/tasks/{task['id']}/"))
        await asyncio.sleep(rng.uniform(2, 6))
        if time.monotonic() >= until:
            return
        body = {"result": annotation_result(task["data"]["text"], index), "lead_time": 4.0}
        made = await timed(
            stats,
            "Label Studio: submit (webhook inside)",
            client.post(f"/api/tasks/{task['id']}/annotations/", json=body, headers=headers),
            ok=(201,),
        )
        if made is not None and made.status_code == 201:
            submitted[task["id"]] = submitted.get(task["id"], 0) + 1
            if submitted[task["id"]] == 2:
                ready.put_nowait(task["data"]["document_id"])


async def admin_login(url: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=url, timeout=60)
    await client.get("/admin/login/")
    answer = await client.post(
        "/admin/login/?next=/admin/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf_of(client)},
    )
    if answer.status_code != 302:
        raise SystemExit(f"the admin login of {username} answered {answer.status_code}")
    return client


async def reviewer(client: httpx.AsyncClient, ready: asyncio.Queue, stats: Stats, until: float):
    rng = random.Random()
    while time.monotonic() < until:
        try:
            document = await asyncio.wait_for(
                ready.get(), timeout=max(0.1, until - time.monotonic())
            )
        except TimeoutError:
            return
        await asyncio.sleep(1.0)  # the webhook of the second version is being applied
        page = f"/admin/annotations/document/{document}/review/"
        await timed(stats, "admin: review page", client.get(page))
        await asyncio.sleep(rng.uniform(1, 3))
        await timed(
            stats,
            "admin: accept as gold",
            client.post(page, data={"action": "accept", "csrfmiddlewaretoken": csrf_of(client)}),
            ok=(302,),
        )


async def api_client(
    url: str, token: str, documents: int, stats: Stats, until: float, pause: float = 0.4
) -> None:
    rng = random.Random()
    headers = {"Authorization": f"Token {token}"}
    async with httpx.AsyncClient(base_url=url, timeout=60, headers=headers) as client:
        pages = max(1, documents // 50)
        while time.monotonic() < until:
            listed = await timed(
                stats,
                "API: list documents",
                client.get("/api/documents/", params={"collection": COLLECTION,
                                                       "page": rng.randint(1, pages)}),
            )  # fmt: skip
            if listed is not None and listed.status_code == 200 and listed.json()["results"]:
                pick = rng.choice(listed.json()["results"])
                await timed(stats, "API: one document", client.get(f"/api/documents/{pick['id']}/"))
            await asyncio.sleep(rng.uniform(0.5, 1.5) * pause)


async def job(url: str, token: str, kind: str, start_at: float, stats: Stats, jobs: dict):
    await asyncio.sleep(start_at)
    headers = {"Authorization": f"Token {token}"}
    async with httpx.AsyncClient(base_url=url, timeout=60, headers=headers) as client:
        if kind == "export":
            call = client.post("/api/exports/", json={"collection": COLLECTION, "format": "jsonl",
                                                      "include_unreviewed": True})  # fmt: skip
        else:
            call = client.post(f"/api/collections/{COLLECTION}/labelstudio/pull/")
        started = time.monotonic()
        answer = await timed(stats, f"API: start {kind} job", call, ok=(202,))
        if answer is None or answer.status_code != 202:
            jobs[kind] = ("not started", 0.0)
            return
        job_id = answer.json()["id"]
        while True:
            await asyncio.sleep(1.0)
            status = await timed(stats, "API: job status", client.get(f"/api/jobs/{job_id}/"))
            if status is not None and status.json()["status"] in ("done", "failed"):
                jobs[kind] = (status.json()["status"], time.monotonic() - started)
                if status.json()["status"] == "failed":
                    stats.errors[f"{kind} job"].append(status.json()["error"])
                return


# --- the service -------------------------------------------------------------------


class Service:
    """The service on a fresh PostgreSQL database, as `make serve` or `make run` runs it."""

    def __init__(self, mode: str, folder: Path, ls_url: str, ls_token: str) -> None:
        self.mode, self.folder = mode, folder
        self.db = f"load_{secrets.token_hex(5)}"
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.db}"')
        self.port = free_port()
        self.relay = Relay(self.port)
        self.processes: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DEBUG": "false" if mode == "serve" else "true",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"{PG}/{self.db}",
            "SECURE_COOKIES": "false",  # plain http on this machine
            "VAR_DIR": str(folder / "var"),
            "EXPORT_DIR": str(folder / "exports"),
            "UPLOAD_DIR": str(folder / "uploads"),
            "LABEL_STUDIO_URL": ls_url,
            "LABEL_STUDIO_API_KEY": ls_token,
            "LABEL_STUDIO_WEBHOOK_SECRET": secrets.token_urlsafe(20),
            "PUBLIC_URL": f"http://127.0.0.1:{self.relay.port}",
            "API_TOKEN_RATE": "1000000/hour",
            "LOG_LEVEL": "WARNING",
            "JOB_WORKERS": "2",
        }
        self.env.pop("INBOX_DATABASE_URL", None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=900)  # fmt: skip
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def prepare(self, documents: int, reviewers: int) -> str:
        """Migrated, the corpus imported and pushed, the people made; the API token."""
        self.manage("migrate", "--noinput")
        self.manage("migrate", "--noinput", "--database", "inbox")
        corpus = news_corpus(self.folder / "corpus.jsonl", documents, prefix="load")
        self.manage("import_documents", str(corpus), "--collection", COLLECTION)
        self.manage("collection", COLLECTION, "--overlap", "2")
        for index in range(reviewers):
            self.manage("user", f"reviewer{index}", "--role", "reviewer", "--password", PASSWORD)
        self.manage("user", "api", "--role", "admin", "--password", PASSWORD)
        token = re.search(r"([0-9a-f]{40})", self.manage("drf_create_token", "api")).group(1)
        self.manage("labelstudio", "setup", "--collection", COLLECTION)
        self.manage("labelstudio", "push", "--collection", COLLECTION)
        return token

    def project(self) -> int:
        code = f"print(Collection.objects.get(name='{COLLECTION}').ls_project_id)"
        out = self.manage("shell", "-c", f"from annotations.models import Collection\n{code}")
        return int(out.strip().splitlines()[-1])

    def start(self) -> None:
        self.relay.start()
        logs = self.folder / f"{self.mode}.log"
        if self.mode == "serve":
            commands = [["serve", "--port", str(self.port)]]
        else:
            commands = [["runserver", "--noreload", f"127.0.0.1:{self.port}"], ["worker"]]
        for command in commands:
            self.processes.append(subprocess.Popen(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=self.env,
                stdout=logs.open("a"), stderr=subprocess.STDOUT, start_new_session=True,
            ))  # fmt: skip

        def ready() -> bool:
            try:
                return httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, 120, f"{self.mode} to be ready")

    def inbox(self) -> tuple[set[int], int]:
        """Annotation ids that arrived by webhook, and events not applied yet."""
        with psycopg.connect(f"{PG}/{self.db}") as db:
            rows = db.execute(
                "SELECT (payload->'annotation'->>'id')::int, applied_at IS NULL "
                "FROM annotations_webhookevent WHERE action = 'ANNOTATION_CREATED'"
            ).fetchall()
        return {row[0] for row in rows}, sum(1 for row in rows if row[1])

    def stored(self) -> tuple[set[int], int]:
        with psycopg.connect(f"{PG}/{self.db}") as db:
            ids = db.execute(
                "SELECT ls_annotation_id FROM annotations_annotation "
                "WHERE ls_annotation_id IS NOT NULL"
            ).fetchall()
            gold = db.execute(
                "SELECT count(*) FROM annotations_annotation WHERE kind = 'gold'"
            ).fetchone()[0]
        return {row[0] for row in ids}, gold

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        self.relay.stop()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')


# --- one run -----------------------------------------------------------------------


async def drive(service: Service, ls_url: str, cookies, tasks, token, args) -> dict:
    stats = Stats()
    sessions = [httpx.AsyncClient(base_url=ls_url, timeout=30, cookies=c) for c in cookies]
    submitted: dict[int, int] = {}
    ready: asyncio.Queue = asyncio.Queue()
    jobs: dict[str, tuple[str, float]] = {}
    reviewers = [await admin_login(service.url, f"reviewer{i}") for i in range(args.reviewers)]
    # Annotator k takes the tasks of group k mod half, so each task gets two annotators.
    half = max(1, args.annotators // 2)
    shares = [
        [t for n, t in enumerate(tasks) if n % half == k % half] for k in range(args.annotators)
    ]
    began = time.monotonic()
    until = began + args.duration
    await asyncio.gather(
        *(annotator(k, sessions[k], shares[k], submitted, ready, stats, until)
          for k in range(args.annotators)),
        *(reviewer(client, ready, stats, until) for client in reviewers),
        *(api_client(service.url, token, args.documents, stats, until)
          for _ in range(args.api_clients)),
        job(service.url, token, "export", args.duration * 0.25, stats, jobs),
        job(service.url, token, "pull", args.duration * 0.5, stats, jobs),
    )  # fmt: skip
    elapsed = time.monotonic() - began
    for client in reviewers + sessions:
        await client.aclose()
    # Capacity: API clients without a pause, nothing else running.
    burst = Stats()
    until = time.monotonic() + args.burst
    await asyncio.gather(*(api_client(service.url, token, args.documents, burst, until, pause=0)
                           for _ in range(BURST_CLIENTS)))  # fmt: skip
    served = sum(len(t) for t in burst.timings.values())
    every = [t for ts in burst.timings.values() for t in ts]
    capacity = {"per_second": served / args.burst, "p95": percentile(every, 0.95),
                "errors": sum(len(e) for e in burst.errors.values())}  # fmt: skip
    return {"stats": stats, "jobs": jobs, "elapsed": elapsed, "capacity": capacity}


def run_mode(mode: str, folder: Path, ls_url: str, ls_token: str, cookies, args) -> dict:
    folder.mkdir()
    service = Service(mode, folder, ls_url, ls_token)
    try:
        token = service.prepare(args.documents, args.reviewers)
        with LabelStudioClient(ls_url, ls_token) as ls:
            project = service.project()
            tasks = sorted(ls.tasks(project), key=lambda task: task["id"])
            service.start()
            driven = asyncio.run(drive(service, ls_url, cookies, tasks, token, args))
            deadline = time.monotonic() + 120
            while service.inbox()[1] and time.monotonic() < deadline:
                time.sleep(1)
            _, snapshot = ls.export_snapshot(project)
        in_ls = {a["id"] for task in snapshot for a in task.get("annotations", [])}
        arrived, waiting = service.inbox()
        stored, gold = service.stored()
        webhooks = [(path, status, s) for path, status, s in service.relay.seen
                    if path.startswith("/labelstudio/webhook")]  # fmt: skip
        return {
            "mode": mode,
            **driven,
            "webhooks": webhooks,
            "in_label_studio": len(in_ls),
            "not_by_webhook": len(in_ls - arrived),
            "lost": len(in_ls - stored),
            "waiting": waiting,
            "gold": gold,
        }
    finally:
        service.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def summarise(result: dict) -> dict:
    stats: Stats = result["stats"]
    rows = {}
    ours = 0
    for name, seconds in sorted(stats.timings.items()):
        rows[name] = (len(seconds), statistics.median(seconds), percentile(seconds, 0.95),
                      len(stats.errors.get(name, [])))  # fmt: skip
        if not name.startswith("Label Studio"):
            ours += len(seconds)
    hooks = [s for _, status, s in result["webhooks"] if status == 200]
    bad_hooks = sum(1 for _, status, _ in result["webhooks"] if status != 200)
    if result["webhooks"]:
        all_hooks = [s for _, _, s in result["webhooks"]]
        rows["webhook (Label Studio to the server)"] = (
            len(all_hooks),
            statistics.median(all_hooks),
            percentile(all_hooks, 0.95),
            bad_hooks,
        )
    errors = sum(len(v) for v in stats.errors.values()) + bad_hooks
    return {
        "rows": rows,
        "requests": ours + len(result["webhooks"]),
        "per_second": (ours + len(result["webhooks"])) / result["elapsed"],
        "within_1s": sum(1 for s in hooks if s < 1.0),
        "webhooks": len(result["webhooks"]),
        "max_webhook": max((s for _, _, s in result["webhooks"]), default=0.0),
        "errors": errors,
        "error_samples": [f"{k}: {v[0]}" for k, v in stats.errors.items() if v][:5],
    }


def report(results: list[dict], args: argparse.Namespace) -> str:
    lines = [
        "<!-- load:start -->",
        f"### A team's load on the production server ({date.today().isoformat()}, {machine()})",
        "",
        f"`bench/load.py`: for {args.duration:.0f} s, {args.annotators} annotators in Label "
        f"Studio (sessions as in the browser: open a task, think 2-6 s, submit; the webhook "
        f"goes out inside their request), {args.reviewers} reviewers in the admin (open the "
        f"review page of a document both its annotators submitted, think 1-3 s, accept as "
        f"gold), {args.api_clients} API clients paging through {args.documents:,} documents, "
        "an export and a pull as jobs. Label Studio 1.23.2 on PostgreSQL; the service on "
        "PostgreSQL, as `make serve` runs it (gunicorn, 2 job workers, DEBUG off) and as "
        "`make run` does (development server, 1 worker, DEBUG on); everything on the same "
        "2 cores. Webhooks timed by a relay in front of the server (first byte in to first "
        "byte out). Lost: annotations Label Studio holds that the service does not.",
        "",
    ]
    for result in results:
        figures = summarise(result)
        lines += [
            f"**{result['mode']}**: {figures['requests']:,} requests to the service "
            f"({figures['per_second']:.1f}/s); webhooks answered within 1 s: "
            f"{figures['within_1s']}/{figures['webhooks']} (slowest "
            f"{figures['max_webhook'] * 1000:.0f} ms); annotations in Label Studio "
            f"{result['in_label_studio']}, not arrived by webhook {result['not_by_webhook']}, "
            f"lost {result['lost']}; gold accepted {result['gold']}; errors {figures['errors']}; "
            + "; ".join(
                f"{kind} job {status} in {seconds:.0f} s"
                for kind, (status, seconds) in sorted(result["jobs"].items())
            ),  # fmt: skip
            "",
            "| endpoint | requests | p50 ms | p95 ms | errors |",
            "|---|---|---|---|---|",
        ]
        for name, (count, p50, p95, errors) in figures["rows"].items():
            lines.append(f"| {name} | {count} | {p50 * 1000:.0f} | {p95 * 1000:.0f} | {errors} |")
        if figures["error_samples"]:
            lines += ["", "Errors seen: " + "; ".join(figures["error_samples"])]
        capacity = result["capacity"]
        lines += [
            "",
            f"Capacity, then: {BURST_CLIENTS} API clients listing and opening documents without "
            f"a pause for {args.burst:.0f} s: {capacity['per_second']:.0f} requests/s, p95 "
            f"{capacity['p95'] * 1000:.0f} ms, errors {capacity['errors']}.",
            "",
        ]
    if len(results) == 2:
        first, second = results
        webhook = "webhook (Label Studio to the server)"
        p95 = [summarise(r)["rows"][webhook][2] for r in results]
        lines.append(
            f"{first['mode']} / {second['mode']}: the team's load is paced by the people, so "
            f"both serve it ({summarise(first)['per_second']:.1f} / "
            f"{summarise(second)['per_second']:.1f} requests/s); capacity "
            f"{first['capacity']['per_second'] / second['capacity']['per_second']:.2f}x; "
            f"webhook p95 {p95[0] * 1000:.0f} / {p95[1] * 1000:.0f} ms."
        )
    lines.append("<!-- load:end -->")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", default="serve,runserver")
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--annotators", type=int, default=20)
    parser.add_argument("--reviewers", type=int, default=3)
    parser.add_argument("--api-clients", type=int, default=2)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--burst", type=float, default=20.0, help="seconds of the capacity run")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    modes = args.modes.split(",")
    if not set(modes) <= {"serve", "runserver"} or not 1 <= args.duration <= 900:
        raise SystemExit("--modes takes serve and/or runserver; --duration 1 to 900 seconds")
    scratch = Path(tempfile.mkdtemp(prefix="load-"))
    ls_db = f"load_ls_{secrets.token_hex(4)}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{ls_db}"')
    config = ls_server.ServerConfig(
        venv=ROOT / ".venv-labelstudio", data_dir=scratch / "labelstudio", port=free_port(),
        username=LS_USER, password=PASSWORD, token=secrets.token_hex(20),
        database_url=f"{PG}/{ls_db}",
    )  # fmt: skip
    try:
        print(f"Starting Label Studio on PostgreSQL ({ls_db}; the first start migrates)...")
        ls_server.start(config, timeout=600)
        with LabelStudioClient(config.url, config.token) as ls:
            invite = ls.invite_url().removeprefix(config.url)
            cookies = [ls_sign_up(config.url, invite, f"annotator{k}@example.org")
                       for k in range(args.annotators)]  # fmt: skip
        results = []
        for mode in modes:
            print(f"{mode}: preparing, then {args.duration:.0f} s of load...")
            results.append(run_mode(mode, scratch / mode, config.url, config.token, cookies, args))
    finally:
        ls_server.stop(config)
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{ls_db}" WITH (FORCE)')
    block = report(results, args)
    print(block)
    if not args.no_write:
        record("load", block)


if __name__ == "__main__":
    main()
