"""Sync beside Label Studio's own speed: push, full pull and a pull of what changed.

    .venv/bin/python bench/sync.py [--documents 2000,10000] [--changed 0.01] [--no-write]

For each size, against one real Label Studio started by the bench (SQLite, as
`make run` starts it) and the service on a fresh SQLite database:

- push: `labelstudio push` of the pre-annotated documents (tasks with their
  predictions) beside Label Studio's own bulk import of the same task JSON into
  another project, in the same batches (LABEL_STUDIO_PUSH_BATCH);
- full pull: the documents bound to a project holding one annotation per task
  (imported by Label Studio), `labelstudio pull --full` beside Label Studio's
  own JSON snapshot export of that project (its annotations, predictions by id;
  the pull itself reads Label Studio's task listing, which costs it less);
- changed pull: `--changed` of the annotations updated through Label Studio's
  API, then `labelstudio pull` (only the changed tasks), beside the full pull.

Each operation runs in a process of its own: its seconds inside the process and
its peak RSS. Results go to docs/benchmarks.md. Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import django
from results import machine, record

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
django.setup()  # for the pull's own constants; the service runs in processes of its own

from django.conf import settings  # noqa: E402

from annotations.labelstudio import server as ls_server  # noqa: E402
from annotations.labelstudio.client import LabelStudioClient  # noqa: E402
from annotations.labelstudio.sync.pull import OVERLAP  # noqa: E402
from annotations.scheme import QUOTES_V1, render_label_config  # noqa: E402
from tests.stack import free_port, news_corpus  # noqa: E402

COLLECTION = "sync"
# Runs inside the service's Django: one operation, timed, with the process's peak RSS.
MEASURED = """
import json, time
from annotations.labelstudio import sync
from annotations.models import Collection
collection = Collection.objects.get(name={collection!r})
began = time.perf_counter()
with sync.client_from_settings(timeout=600) as client:
    result = {call}
seconds = time.perf_counter() - began
# VmHWM: this process's peak (ru_maxrss would carry the parent's across exec).
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
counts = {{k: v for k, v in vars(result).items() if isinstance(v, (int, str))}}
print("@@" + json.dumps({{"seconds": seconds, "rss_mib": int(peak.split()[1]) / 1024,
                         "result": counts}}))
"""
TASK_JSON = """
import json
from annotations.labelstudio.sync.push import _tasks_for
from annotations.models import Collection
from annotations.scheme import get_scheme
collection = Collection.objects.get(name={collection!r})
ids = list(collection.documents.order_by("pk").values_list("pk", flat=True))
tasks, _ = _tasks_for(ids, get_scheme(collection.scheme))
open({path!r}, "w").write(json.dumps(tasks))
"""


class Service:
    def __init__(self, folder: Path, ls_url: str, ls_token: str) -> None:
        self.folder = folder
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            # As in production: DEBUG on keeps every query's text in memory.
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "LABEL_STUDIO_WEBHOOK_SECRET": secrets.token_urlsafe(20),
            "VAR_DIR": str(folder / "var"),
            "LABEL_STUDIO_URL": ls_url,
            "LABEL_STUDIO_API_KEY": ls_token,
            "PUBLIC_URL": f"http://127.0.0.1:{free_port()}",  # no webhooks: pulls do the work
            "DOCUMENT_MAX_BYTES": str(256 * 1024 * 1024),
            "LOG_LEVEL": "WARNING",
        }
        self.env.pop("INBOX_DATABASE_URL", None)

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=3600)  # fmt: skip
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(args[:2])} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def measured(self, call: str) -> dict:
        out = self.manage("shell", "-c", MEASURED.format(collection=COLLECTION, call=call))
        return json.loads(out.split("@@", 1)[1])

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)


def timed(call) -> tuple[float, object]:
    began = time.perf_counter()
    value = call()
    return time.perf_counter() - began, value


def run_size(count: int, folder: Path, ls: LabelStudioClient, token: str, changed: float) -> dict:
    folder.mkdir()
    service = Service(folder, ls.url, token)
    service.manage("migrate", "--noinput")
    service.manage("migrate", "--noinput", "--database", "inbox")
    corpus = news_corpus(folder / "corpus.jsonl", count, prefix=f"sync{count}")
    service.manage("import_documents", str(corpus), "--collection", COLLECTION)
    service.manage("preannotate", "--collection", COLLECTION)
    service.manage("labelstudio", "setup", "--collection", COLLECTION)
    config = render_label_config(QUOTES_V1)

    # Push, beside Label Studio's bulk import of the same task JSON.
    push = service.measured("sync.push(collection=collection, client=client)")
    tasks_file = folder / "tasks.json"
    service.shell(TASK_JSON.format(collection=COLLECTION, path=str(tasks_file)))
    tasks = json.loads(tasks_file.read_text())
    beside = ls.project_create(title=f"bulk import {count}", label_config=config)
    # In the push's batches: Label Studio refuses one request of 10,000 such tasks.
    batch = settings.LABEL_STUDIO_PUSH_BATCH
    ls_import, _ = timed(
        lambda: [ls.tasks_import(beside["id"], tasks[i : i + batch])
                 for i in range(0, len(tasks), batch)]
    )  # fmt: skip

    # A project holding one annotation per task (its prediction, as if accepted).
    for task in tasks:
        task["annotations"] = [{"result": p["result"]} for p in task.pop("predictions", [])[:1]]
    annotated = ls.project_create(title=f"annotated {count}", label_config=config)
    for i in range(0, len(tasks), batch):
        ls.tasks_import(annotated["id"], tasks[i : i + batch])
    service.shell(
        "from annotations.models import Collection\n"
        f"c = Collection.objects.get(name={COLLECTION!r})\n"
        "c.documents.update(ls_task_id=None)\n"
        f"Collection.objects.filter(pk=c.pk).update(ls_project_id={annotated['id']}, "
        "ls_changes_since=None)"
    )
    full = service.measured("sync.pull(collection=collection, client=client, full=True)")
    # Label Studio's JSON export of the project (annotations, predictions by id), read whole.
    ls_export, _ = timed(lambda: list(ls.export_tasks(annotated["id"], predictions=False)[1]))

    # Change a share of the annotations, then pull what changed.
    _, snapshot = ls.export_snapshot(annotated["id"])
    annotations = [a for task in snapshot for a in task.get("annotations", [])]
    step = max(1, round(1 / changed)) if changed else len(annotations) + 1
    touched = annotations[::step]
    # A pull asks for the changes from a minute before the last one's mark, and the import
    # was just before it: once that minute has passed, a pull (as a team's next one)
    # reads the imported tasks a last time and moves the mark past them.
    time.sleep(OVERLAP.total_seconds() + 2)
    settle = service.measured("sync.pull(collection=collection, client=client)")
    for annotation in touched:
        ls.annotation_update(annotation["id"], result=annotation["result"][:1])
    delta = service.measured("sync.pull(collection=collection, client=client)")
    nothing = service.measured("sync.pull(collection=collection, client=client)")
    for project in (beside["id"], annotated["id"]):
        ls.project_delete(project)
    return {
        "count": count,
        "push": push,
        "ls_import": ls_import,
        "full": full,
        "ls_export": ls_export,
        "changed": len(touched),
        "delta": delta,
        "nothing": nothing,
        "settle": settle,
    }


def report(results: list[dict]) -> str:
    lines = [
        "<!-- sync:start -->",
        f"### Sync beside Label Studio ({date.today().isoformat()}, {machine()}, "
        "Label Studio 1.23.2 on SQLite)",
        "",
        "`bench/sync.py`: each operation in a process of its own (seconds inside it, peak "
        "RSS of the process); Label Studio's own operation on the same server in the same run. "
        "Goals: push ≤ 1.25x the bulk import, full pull ≤ 1.5x the JSON export, a pull of 1% "
        "changed ≤ 0.1x the full pull.",
        "",
        "| tasks | push s | LS bulk import s | ratio | full pull s | LS export s | ratio | "
        "changed | pull of changes s | / full | pull, nothing changed s | peak RSS push / full "
        "/ changes MiB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        push, full, delta = r["push"]["seconds"], r["full"]["seconds"], r["delta"]["seconds"]
        lines.append(
            f"| {r['count']:,} | {push:.1f} | {r['ls_import']:.1f} | "
            f"{push / r['ls_import']:.2f}x | {full:.1f} | {r['ls_export']:.1f} | "
            f"{full / r['ls_export']:.2f}x | {r['changed']} | {delta:.2f} | {delta / full:.3f}x | "
            f"{r['nothing']['seconds']:.2f} | {r['push']['rss_mib']:.0f} / "
            f"{r['full']['rss_mib']:.0f} / {r['delta']['rss_mib']:.0f} |"
        )
    lines.append("<!-- sync:end -->")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", default="2000,10000")
    parser.add_argument("--changed", type=float, default=0.01)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    try:
        sizes = [int(size) for size in args.documents.split(",")]
    except ValueError:
        raise SystemExit("--documents takes sizes separated by commas, e.g. 2000,10000") from None
    if not all(0 < size <= 100_000 for size in sizes) or not 0 <= args.changed <= 1:
        raise SystemExit("sizes go from 1 to 100,000 and --changed from 0 to 1")
    scratch = Path(tempfile.mkdtemp(prefix="sync-"))
    token = secrets.token_hex(20)
    config = ls_server.ServerConfig(
        venv=ROOT / ".venv-labelstudio", data_dir=scratch / "labelstudio", port=free_port(),
        username="admin@example.com", password="sync-bench-pass-123", token=token,
    )  # fmt: skip
    results = []
    try:
        print("Starting Label Studio...")
        ls_server.start(config, timeout=600)
        with LabelStudioClient(config.url, token, timeout=900) as ls:
            for count in sizes:
                print(f"{count:,} documents...")
                results.append(run_size(count, scratch / str(count), ls, token, args.changed))
                print(json.dumps(results[-1], default=str), flush=True)
    finally:
        ls_server.stop(config)
    block = report(results)
    print(block)
    if not args.no_write:
        record("sync", block)


if __name__ == "__main__":
    main()
