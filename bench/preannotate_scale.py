"""The whole `preannotate` command at corpus scale, beside the rules alone.

    .venv/bin/python bench/preannotate_scale.py [--documents 10000]
        [--backends sqlite,postgres] [--texts PATH] [--no-write]

The corpus is `--documents` news-length texts, cycled with distinct ids: by
default the fixture, heldout and blind articles joined three at a time (~4 KB
each); `--texts DIR` takes the .txt files of a folder instead (PolNeAR's
train/text, read at run time and never kept: real news of ~4.6 KB).

For each backend: a fresh database, migrated; the corpus imported (not timed);
then `manage.py preannotate --collection bench` in a process of its own, its
seconds from start to exit (start-up, database reads and writes included) and
its peak RSS. Beside it, the rules alone in one process over the same texts (no
database), and a breakdown of the command's own time (rules, database writes,
reads and the rest) from an in-process run with timers around the service's
two steps. Then the same command again over the unchanged collection. Results
go to docs/benchmarks.md. Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from results import DELETE_PREDICTIONS, fresh_database, machine, manage, record

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = ROOT / "var" / "bench"
PG_BENCH_DB = "bench_preannotate"
COLLECTION = "bench"
GOALS = {"documents_per_second": 200, "ratio": 1.5}


def texts_from(folder: Path | None) -> tuple[list[str], str]:
    if folder is not None:
        if "test" in folder.resolve().parts:
            sys.exit(f"{folder}: a test split is reserved for scoring by the maintainers")
        texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
        if not texts:
            sys.exit(f"{folder}: no .txt files")
        return texts, f"the {len(texts)} texts of {folder.name}/ ({folder.parent.name})"
    articles = []
    for name in ("fixtures/gold.jsonl", "bench/heldout/gold.jsonl", "bench/blind/gold.jsonl"):
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                articles.append(json.loads(line)["text"])
    joined = ["\n\n".join(articles[i : i + 3]) for i in range(0, len(articles) - 2, 3)]
    return joined, f"the {len(articles)} fixture, heldout and blind articles, three per document"


def corpus(path: Path, texts: list[str], count: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            text = texts[index % len(texts)]
            out.write(json.dumps({"id": f"news-{index}", "title": f"Story {index}", "text": text}))
            out.write("\n")
    return path


def rules_alone(texts: list[str], count: int) -> float:
    """Seconds for the rules over `count` texts in this process, no database."""
    from annotations.preannotate import preannotate

    started = time.perf_counter()
    for index in range(count):
        preannotate(texts[index % len(texts)])
    return time.perf_counter() - started


def breakdown(database_url: str) -> dict[str, float]:
    """The service run in a child with timers around the rules and the writes."""
    code = f"""
import json, os, time
os.environ["DATABASE_URL"] = {database_url!r}
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
django.setup()
from annotations.models import Collection
from annotations.services import preannotation as service
spent = {{"rules": 0.0, "writes": 0.0}}
def timed(name, call):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - started
    return wrapper
from annotations.services import training
rules = timed("rules", training.preannotate)
training.model_predictor = lambda model: (rules, training.MODEL_VERSION)
service.model_predictor = training.model_predictor
service.annotation_rows_write = timed("writes", service.annotation_rows_write)
collection = Collection.objects.get(name={COLLECTION!r})
started = time.perf_counter()
service.collection_preannotate(collection=collection)
spent["total"] = time.perf_counter() - started
print(json.dumps(spent))
"""
    env = {**os.environ, "DATABASE_URL": database_url, "PREANNOTATE_WORKERS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"breakdown failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_backend(backend: str, path: Path, count: int, rules_seconds: float) -> dict:
    url = fresh_database(backend, PG_BENCH_DB, WORK)
    manage(url, "migrate", "--verbosity", "0")
    manage(url, "import_documents", str(path), "--collection", COLLECTION)
    seconds, rss, output = manage(url, "preannotate", "--collection", COLLECTION)
    again, again_rss, again_output = manage(url, "preannotate", "--collection", COLLECTION)
    manage(url, "shell", "-c", DELETE_PREDICTIONS)
    alone, alone_rss, _ = manage(url, "preannotate", "--collection", COLLECTION, workers=1)
    speakers = manage(url, "shell", "-c", _COUNT_SPEAKERS)[2]
    # A fresh copy for the breakdown: the predictions are deleted, so they are new again.
    manage(url, "shell", "-c", DELETE_PREDICTIONS)
    parts = breakdown(url)
    print(f"{backend}: {output}\n{backend} again: {again_output}", file=sys.stderr)
    return {
        "backend": backend,
        "seconds": seconds,
        "rss": rss,
        "documents_per_second": count / seconds,
        "ratio": seconds / rules_seconds,
        "again_seconds": again,
        "again_rss": again_rss,
        "one_process_seconds": alone,
        "one_process_ratio": alone / rules_seconds,
        "speakers": int(speakers.split()[-1]),
        "breakdown": parts,
    }


_COUNT_SPEAKERS = "from annotations.models import Speaker; print(Speaker.objects.count())"


def report(results: list[dict], count: int, rules_seconds: float, source: str) -> str:
    lines = [
        "<!-- preannotate-scale:start -->",
        f"### `preannotate` at corpus scale ({date.today().isoformat()}, {machine()})",
        "",
        f"`bench/preannotate_scale.py`: {count:,} documents from {source}; the rules alone "
        f"in one process: {rules_seconds:.1f} s ({count / rules_seconds:,.0f} documents/s). "
        f"Goals: ≥ {GOALS['documents_per_second']} documents/s for the whole command, within "
        f"{GOALS['ratio']}× the rules alone.",
        "",
        "| database | command (s) | documents/s | × rules alone | peak RSS | again, unchanged "
        "(s) | in one process (s) | Speaker rows after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['backend']} | {r['seconds']:.1f} | {r['documents_per_second']:,.0f} | "
            f"{r['ratio']:.2f}× | {r['rss']} MiB | {r['again_seconds']:.1f} | "
            f"{r['one_process_seconds']:.1f} ({r['one_process_ratio']:.2f}×) | {r['speakers']} |"
        )
    lines += [
        "",
        "The command runs the rules in one process per core (PREANNOTATE_WORKERS) while it "
        "writes; *in one process* is the same command with PREANNOTATE_WORKERS=1. Where "
        "that one process's time goes (the service, timed inside):",
        "",
    ]
    lines += ["| database | rules | database writes | reads and the rest | total |"]
    lines += ["|---|---|---|---|---|"]
    for r in results:
        b = r["breakdown"]
        rest = b["total"] - b["rules"] - b["writes"]
        lines.append(
            f"| {r['backend']} | {b['rules']:.1f} s | {b['writes']:.1f} s | {rest:.1f} s | "
            f"{b['total']:.1f} s |"
        )
    lines.append("<!-- preannotate-scale:end -->")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--texts", type=Path, help="a folder of .txt files to use as the corpus")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    texts, source = texts_from(args.texts)
    path = corpus(WORK / "preannotate.jsonl", texts, args.documents)
    rules_seconds = rules_alone(texts, args.documents)
    results = [
        run_backend(b, path, args.documents, rules_seconds) for b in args.backends.split(",")
    ]
    block = report(results, args.documents, rules_seconds, source)
    print(block)
    print(f"bench peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")
    if not args.no_write:
        record("preannotate-scale", block)


if __name__ == "__main__":
    main()
