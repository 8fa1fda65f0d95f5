"""Webhooks under load: latency and throughput alone and while a large import runs.

    .venv/bin/python bench/webhooks.py [--backends sqlite,postgres] [--documents 6000]
                                       [--webhooks 200] [--senders 8] [--spread 30] [--no-write]

For each backend, the service runs as it would for a team of one machine
(tests/stack.py: a fresh database, the web server, the worker). Label Studio's
webhooks are simulated: ANNOTATION_CREATED payloads for tasks of a collection
bound to a project, sent by `--senders` threads and spread over `--spread`
seconds, first alone and then while an import of `--documents` news-length
documents, uploaded through the API, runs as a job. Label Studio gives up on
a webhook after one second and never sends it again: the target is every
webhook answered 200 within 1 s, and every one stored once the worker has
applied the inbox. A last run sends as fast as the senders can (throughput).
Results go to docs/benchmarks.md. Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx
from results import machine, record

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.stack import Stack, news_corpus, wait_until  # noqa: E402

SECRET = "bench-webhook-secret"
PROJECT = 7
RESULT = [{"value": {"start": 0, "end": 5, "text": '"We w', "labels": ["Quote"]}, "id": "q",
           "from_name": "span", "to_name": "text", "type": "labels"}]  # fmt: skip


def payload(annotation_id: int, task_id: int, document_id: int) -> dict:
    return {
        "action": "ANNOTATION_CREATED",
        "annotation": {
            "id": annotation_id,
            "result": RESULT,
            "completed_by": 1,
            "updated_at": "2026-12-01T10:00:00Z",
            "lead_time": 2.0,
        },  # fmt: skip
        "task": {"id": task_id, "data": {"document_id": document_id}},
        "project": {"id": PROJECT},
    }


def send_all(url: str, bodies: list[dict], senders: int, spread: float) -> list[tuple[int, float]]:
    """(status, seconds) per webhook; each sent at its moment in the spread, `senders` at a time."""
    start = time.monotonic()
    step = spread / len(bodies) if spread else 0.0
    local = threading.local()

    def send(pair: tuple[int, dict]) -> tuple[int, float]:
        index, body = pair
        delay = start + index * step - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        client = getattr(local, "client", None) or httpx.Client(timeout=10)
        local.client = client
        began = time.monotonic()
        try:
            answer = client.post(url, json=body, headers={"X-Quotes-Webhook-Secret": SECRET})
            status = answer.status_code
        except httpx.HTTPError:
            status = 0
        return status, time.monotonic() - began

    with ThreadPoolExecutor(max_workers=senders) as pool:
        return list(pool.map(send, enumerate(bodies)))


def summary(timings: list[tuple[int, float]]) -> dict:
    seconds = sorted(s for _, s in timings)
    ok = sum(1 for status, _ in timings if status == 200)
    return {
        "sent": len(timings),
        "ok": ok,
        "within_1s": sum(1 for status, s in timings if status == 200 and s < 1.0),
        "p50_ms": statistics.median(seconds) * 1000,
        "p99_ms": seconds[max(0, int(len(seconds) * 0.99) - 1)] * 1000,
        "max_ms": seconds[-1] * 1000,
    }


def run_backend(backend: str, args: argparse.Namespace, scratch: Path) -> dict:
    folder = scratch / backend
    folder.mkdir()
    stack = Stack(folder, postgres=backend == "postgres", LABEL_STUDIO_WEBHOOK_SECRET=SECRET,
                  LABEL_STUDIO_URL="http://127.0.0.1:9", LABEL_STUDIO_API_KEY="x" * 40,
                  DOCUMENT_MAX_BYTES=str(64 * 1024 * 1024))  # fmt: skip
    try:
        total = args.webhooks * 3
        live = news_corpus(folder / "live.jsonl", total, prefix="live")
        stack.manage("import_documents", str(live), "--collection", "live")
        targets = stack.query(
            "from annotations.models import Collection, Document\n"
            f"Collection.objects.filter(name='live').update(ls_project_id={PROJECT})\n"
            "Collection.objects.create(name='big')\n"
            "ids = list(Document.objects.filter(collection__name='live').order_by('pk')"
            ".values_list('pk', flat=True))\n"
            "for i, pk in enumerate(ids):\n"
            "    Document.objects.filter(pk=pk).update(ls_task_id=1000 + i)\n"
            "from django.contrib.auth.models import User\n"
            "from rest_framework.authtoken.models import Token\n"
            "user = User.objects.create_superuser('bench', 'b@example.com', 'pw')\n"
            "[ids, Token.objects.create(user=user).key]"
        )
        documents, token = targets
        url = stack.server()
        stack.worker()
        wait_until(
            lambda: stack.query("from annotations.labelstudio.sync.inbox import worker_alive\n"
                                "worker_alive()"), 60, "the worker's first beat")  # fmt: skip
        hook = f"{url}/labelstudio/webhook/"
        bodies = [payload(10_000 + i, 1000 + i, documents[i]) for i in range(total)]
        chunks = [bodies[i * args.webhooks : (i + 1) * args.webhooks] for i in range(3)]

        alone = send_all(hook, chunks[0], args.senders, args.spread)
        corpus = news_corpus(folder / "big.jsonl", args.documents)
        auth = {"Authorization": f"Token {token}"}
        with httpx.Client(timeout=600) as client:
            started = time.monotonic()
            answer = client.post(
                f"{url}/api/collections/big/import/",
                headers=auth,
                files={"files": ("big.jsonl", corpus.read_bytes())},
            )
            answer.raise_for_status()
            job = answer.json()["id"]
            time.sleep(1)  # the worker has taken the job
            during = send_all(hook, chunks[1], args.senders, args.spread)

            def job_status() -> str:
                answer = client.get(f"{url}/api/jobs/{job}/", headers=auth)
                return answer.json()["status"]

            wait_until(lambda: job_status() in ("done", "failed"), 900, "the import job")
            import_seconds = time.monotonic() - started
            status = job_status()
        blast = send_all(hook, chunks[2], args.senders, 0.0)
        blast_seconds = sum(s for _, s in blast) / args.senders
        expected = sorted(body["annotation"]["id"] for body in bodies)

        def stored() -> list:
            return stack.query(
                "from annotations.models import Annotation\n"
                "sorted(Annotation.objects.filter(ls_annotation_id__isnull=False)"
                ".values_list('ls_annotation_id', flat=True))"
            )

        wait_until(lambda: stored() == expected, 300, "the inbox to be applied")
        return {
            "backend": backend,
            "alone": summary(alone),
            "during": summary(during),
            "blast": {**summary(blast), "per_second": len(blast) / blast_seconds},
            "import_seconds": import_seconds,
            "import_status": status,
            "stored": len(stored()),
            "expected": len(expected),
        }
    finally:
        stack.close()


def report(results: list[dict], args: argparse.Namespace) -> str:
    lines = [
        "<!-- webhooks:start -->",
        f"### Webhooks under load ({date.today().isoformat()}, {machine()})",
        "",
        f"`bench/webhooks.py`: {args.webhooks} webhooks per run, {args.senders} senders, spread "
        f"over {args.spread:.0f} s; the service as `make run` starts it (development server, "
        f"one worker); during: while {args.documents:,} news-length documents are imported "
        "through the API (a job in the worker). Target: every webhook answered 200 within 1 s "
        "and stored.",
        "",
        "| backend | run | answered 200 | within 1 s | p50 ms | p99 ms | max ms | stored |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for run in ("alone", "during", "blast"):
            figures = result[run]
            lines.append(
                f"| {result['backend']} | {run} | {figures['ok']}/{figures['sent']} | "
                f"{figures['within_1s']}/{figures['sent']} | {figures['p50_ms']:.0f} | "
                f"{figures['p99_ms']:.0f} | {figures['max_ms']:.0f} | "
                f"{'all' if result['stored'] == result['expected'] else result['stored']} |"
            )
    lines.append("")
    for result in results:
        lines.append(
            f"- {result['backend']}: the import took {result['import_seconds']:.1f} s "
            f"({result['import_status']}); sent as fast as {args.senders} senders could, "
            f"{result['blast']['per_second']:.0f} webhooks/s were answered."
        )
    lines += ["", "<!-- webhooks:end -->"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--documents", type=int, default=6000)
    parser.add_argument("--webhooks", type=int, default=200)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--spread", type=float, default=30.0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as scratch:
        results = [run_backend(b, args, Path(scratch)) for b in args.backends.split(",")]
    print(json.dumps(results, indent=2))
    block = report(results, args)
    print(block)
    if not args.no_write:
        record("webhooks", block)


if __name__ == "__main__":
    main()
