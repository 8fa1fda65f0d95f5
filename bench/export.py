"""Export speed and memory: 10,000 and 100,000 synthetic gold documents, and Label Studio.

    .venv/bin/python bench/export.py [--sizes 10000,100000] [--formats jsonl,conll]

For each size: a fresh SQLite database filled through the import path, then
each format exported in a child process that reports its peak RSS (so memory
is measured alone). Then 10,000 of the same documents as tasks with their
annotations in a real Label Studio (started here from the migrated template),
whose own JSON export is timed against ours. Results go to docs/benchmarks.md
between the export markers. Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from results import machine, record

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-export"
sys.path.insert(0, str(ROOT / "bench"))


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fill(database: Path, size: int) -> None:
    """A database of `size` gold documents (each with one quote, cue and speaker)."""
    from importlib import import_module

    generator = import_module("import")  # bench/import.py
    data = WORK / f"gold-{size}.jsonl"
    if not data.exists():
        generator.generate(data, size, with_annotations=True)
    setup_django(database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("import_documents", str(data), "--collection", "bench", "--as-gold", verbosity=0)


def export_child(database: Path, fmt: str, out: Path) -> dict:
    setup_django(database)
    from annotations.models import Collection
    from annotations.services.exports import export_gold

    started = time.perf_counter()
    export = export_gold(collection=Collection.objects.get(name="bench"), fmt=fmt, out=out)
    seconds = time.perf_counter() - started
    documents = sum(export.counts["documents"].values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    return {"format": fmt, "documents": documents, "seconds": seconds, "peak_rss_mib": peak}


def run_child(*args: str) -> dict:
    command = [sys.executable, __file__, "--child", *args]
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "bench"}
    # The local server's development account (only defaulted while DEBUG is on).
    env.setdefault("LABEL_STUDIO_PASSWORD", "admin-pass-123")
    env.setdefault("LABEL_STUDIO_API_KEY", "dev0quotes0token0a1b2c3d4e5f60718293a4b5c6d7e8f9")
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def label_studio(database: Path, size: int, ours: float) -> dict:
    """Time Label Studio's JSON export of the same documents as tasks with annotations."""
    setup_django(database)
    from django.conf import settings

    from annotations.exporters.labelstudio_format import task
    from annotations.labelstudio import server
    from annotations.labelstudio.client import LabelStudioClient
    from annotations.models import Collection
    from annotations.scheme import QUOTES_V1, render_label_config
    from annotations.selectors import export_items

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data_dir = WORK / "labelstudio"
    shutil.rmtree(data_dir, ignore_errors=True)
    config = server.ServerConfig(
        venv=settings.LABEL_STUDIO_VENV,
        data_dir=data_dir,
        port=port,
        username=settings.LABEL_STUDIO_USERNAME,
        password=settings.LABEL_STUDIO_PASSWORD,
        token=settings.LABEL_STUDIO_API_KEY,
        template_dir=settings.LABEL_STUDIO_TEMPLATE_DIR,
    )
    server.start(config)
    try:
        with LabelStudioClient(config.url, config.token, timeout=600) as client:
            project = client.project_create(
                title="bench", label_config=render_label_config(QUOTES_V1)
            )
            items = export_items(
                collection=Collection.objects.get(name="bench"),
                ratios=(1.0,),
                seed=13,
                include_unreviewed=False,
            )
            tasks = [task(dataclasses.replace(item, split="train"), QUOTES_V1) for item in items]
            for start in range(0, len(tasks), 2000):
                client.tasks_import(project["id"], tasks[start : start + 2000])
            started = time.perf_counter()
            body = b"".join(
                client._sdk.projects.exports.download_sync(
                    id=project["id"],
                    export_type="JSON",
                    download_all_tasks=True,
                )
            )
            seconds = time.perf_counter() - started
            exported = len(json.loads(body))
    finally:
        server.stop(config)
    return {"tasks": exported, "seconds": seconds, "ratio": seconds / ours}


def write_results(rows: list[dict], ls: dict | None, sizes: list[int]) -> None:
    lines = [
        "<!-- export:start -->",
        f"### Export ({date.today().isoformat()}, {machine()}, SQLite)",
        "",
        "`bench/export.py`: synthetic gold documents (~2 KB, one quote, cue and speaker each), "
        "exported by `export_gold` in a child process; peak RSS is that process's maximum "
        "resident set (Python, Django and the format's libraries included).",
        "",
        "| format | documents | seconds | documents/s | peak RSS MiB |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['format']} | {r['documents']:,} | {r['seconds']:.1f} | "
            f"{r['documents'] / r['seconds']:,.0f} | {r['peak_rss_mib']:.0f} |"
        )
    small, large = min(sizes), max(sizes)
    lines.append("")
    for fmt in sorted({r["format"] for r in rows}):
        by_size = {r["documents"]: r for r in rows if r["format"] == fmt}
        if small in by_size and large in by_size:
            ratio = by_size[large]["peak_rss_mib"] / by_size[small]["peak_rss_mib"]
            lines.append(
                f"- {fmt}: peak RSS at {large:,} is {ratio:.2f}× that at {small:,} (target ≤ 1.2×)."
            )
    if ls:
        lines.append(
            f"- Label Studio's own JSON export of the same {ls['tasks']:,} documents as tasks with "
            f"annotations took {ls['seconds']:.1f} s; ours (jsonl) is {ls['ratio']:.1f}× faster "
            "(target ≥ 5×)."
        )
    lines.append("<!-- export:end -->")
    block = "\n".join(lines)
    record("export", block)
    print(block)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--formats", default="jsonl,conll,labelstudio")
    parser.add_argument("--no-label-studio", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        action, *rest = args.child
        if action == "fill":
            fill(Path(rest[0]), int(rest[1]))
            print(json.dumps({"filled": rest[1]}))
        elif action == "export":
            print(json.dumps(export_child(Path(rest[0]), rest[1], Path(rest[2]))))
        else:
            print(json.dumps(label_studio(Path(rest[0]), int(rest[1]), float(rest[2]))))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows, ours_at_10k = [], None
    for size in sizes:
        database = WORK / f"db-{size}.sqlite3"
        if not database.exists():
            run_child("fill", str(database), str(size))
        for fmt in args.formats.split(","):
            out = WORK / f"out-{size}-{fmt}"
            shutil.rmtree(out, ignore_errors=True)
            row = run_child("export", str(database), fmt, str(out))
            print(row, flush=True)
            rows.append(row)
            if size == 10_000 and fmt == "jsonl":
                ours_at_10k = row["seconds"]
    ls = None
    if not args.no_label_studio and ours_at_10k:
        ls = run_child("labelstudio", str(WORK / "db-10000.sqlite3"), "10000", str(ours_at_10k))
        print(ls, flush=True)
    write_results(rows, ls, sizes)


if __name__ == "__main__":
    main()
