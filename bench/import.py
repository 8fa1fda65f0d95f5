"""Import throughput: generated canonical JSONL into SQLite and PostgreSQL.

    .venv/bin/python bench/import.py [--documents 100000] [--backends sqlite,postgres]

For each backend: a fresh database, `import_documents`' own code path over a
JSONL file of ~2 KB documents, then a raw `executemany` of the same rows
through the same connection (the limit for this machine). Results go to
docs/benchmarks.md between the import markers. Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from results import fresh_database, machine, record

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
PG_BENCH_DB = "bench_import"
COLUMNS = (
    "collection_id",
    "external_id",
    "title",
    "text",
    "text_hash",
    "source_url",
    "published",
    "meta",
    "status",
    "created_at",
    "updated_at",
)
# Vocabulary for generated text (split at run time to keep the list short to read).
WORDS = str.split(
    "the minister said council report election market inflation agreement talks "
    "spokesperson according to officials warned analysts expected growth government "
    "budget hospital court residents police union president statement reporters interview"
)


def generate(path: Path, count: int, with_annotations: bool) -> None:
    """~2 KB news-like documents; with annotations, one direct quote and speaker each."""
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            body = " ".join(rng.choice(WORDS) for _ in range(300))[:1900]
            quote = f'"{" ".join(rng.choice(WORDS) for _ in range(12))},"'
            text = f"{quote} said Maria Lopez. {body}"
            record = {
                "id": f"doc-{index}",
                "title": f"Story {index}",
                "text": text,
                "meta": {"published": "2026-01-02", "source": "bench"},
            }
            if with_annotations:
                record.update(_one_quote(len(quote), quote))
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _one_quote(length: int, quote: str) -> dict:
    span = lambda id, label, start, text: {  # noqa: E731
        "id": id,
        "label": label,
        "start": start,
        "end": start + len(text),
        "text": text,
    }
    return {
        "spans": [
            span("q1", "Quote", 0, quote),
            span("c1", "Cue", length + 1, "said"),
            span("s1", "Speaker", length + 6, "Maria Lopez"),
        ],
        "attributions": [
            {
                "quote": "q1",
                "speaker": "s1",
                "cue": "c1",
                "speaker_name": "Maria Lopez",
                "quote_type": "direct",
            }
        ],
    }


def run_backend(database_url: str, path: Path) -> dict:
    """Runs inside a child process whose DATABASE_URL points at an empty database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from annotations import importers
    from annotations.services import collection_get_or_create, documents_import

    call_command("migrate", verbosity=0)
    collection, _ = collection_get_or_create(name="bench")
    [source], _ = importers.discover([path])
    started = time.perf_counter()
    result = documents_import(
        collection=collection, items=importers.read(source, importers.ReadOptions())
    )
    import_seconds = time.perf_counter() - started
    documents = result.documents_created

    tables = raw_rows(path, collection.pk)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for model, rows in tables:
            quote = connection.ops.quote_name
            columns = [quote(field.column) for field in model._meta.concrete_fields]
            sql = (
                f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})"
            )
            cursor.executemany(sql, rows)
    raw_seconds = time.perf_counter() - started
    return {
        "vendor": connection.vendor,
        "documents": documents,
        "annotations": result.annotations_created,
        "import_seconds": import_seconds,
        "raw_seconds": raw_seconds,
    }


def raw_rows(path: Path, collection_id: int) -> list[tuple]:
    """The rows the import wrote, with explicit ids after the imported ones, per table."""
    from django.utils import timezone

    from annotations.models import Annotation, Attribution, Document, Span, Speaker
    from annotations.records import text_hash

    def next_id(model) -> int:
        return (model.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

    now, speaker = timezone.now(), Speaker.objects.values_list("id", flat=True).first()
    ids = {model: next_id(model) for model in (Document, Annotation, Span, Attribution)}
    tables = {model: [] for model in ids}
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            doc = ids[Document] + len(tables[Document])
            text = record["text"]
            tables[Document].append(
                (
                    doc,
                    collection_id,
                    record["id"] + "-raw",
                    record["title"],
                    text,
                    text_hash(text),
                    "",
                    date(2026, 1, 2),
                    json.dumps(record["meta"]),
                    "new",
                    None,
                    now,
                    now,
                )
            )
            if "spans" not in record:
                continue
            annotation = ids[Annotation] + len(tables[Annotation])
            tables[Annotation].append(
                (
                    annotation,
                    doc,
                    "imported",
                    "",
                    None,
                    "import:imported",
                    "0" * 64,
                    None,
                    "[]",
                    "{}",
                    "",
                    None,
                    None,
                    None,
                    None,
                    None,
                    now,
                    now,
                )
            )
            span_ids = {}
            for span in record["spans"]:
                span_ids[span["id"]] = ids[Span] + len(tables[Span])
                tables[Span].append(
                    (
                        span_ids[span["id"]],
                        annotation,
                        span["id"],
                        span["label"],
                        span["start"],
                        span["end"],
                        span["text"],
                        "[]",
                        None,
                    )
                )
            for a in record["attributions"]:
                tables[Attribution].append(
                    (
                        ids[Attribution] + len(tables[Attribution]),
                        annotation,
                        span_ids[a["quote"]],
                        span_ids[a["speaker"]],
                        span_ids[a["cue"]],
                        speaker,
                        a["speaker_name"],
                        a["quote_type"],
                        "",
                        "",
                    )
                )
    return [(model, rows) for model, rows in tables.items() if rows]


def write_results(results: list[dict], count: int) -> None:
    lines = [
        "<!-- import:start -->",
        f"### Import ({date.today().isoformat()}, {machine(memory=True)})",
        "",
        f"`bench/import.py --documents {count}`: canonical JSONL, ~2 KB per document, into a "
        "fresh database through the code path of `import_documents`; the raw figure is one "
        "`executemany` per table of the same rows (documents, annotations, spans, "
        "attributions) through the same connection.",
        "",
        "| backend | input | documents | import s | documents/s | raw executemany s | "
        "import / raw |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rate = r["documents"] / r["import_seconds"]
        ratio = r["import_seconds"] / r["raw_seconds"]
        lines.append(
            f"| {r['vendor']} | {r['input']} | {r['documents']:,} | {r['import_seconds']:.1f} | "
            f"{rate:,.0f} | {r['raw_seconds']:.1f} | {ratio:.1f}× |"
        )
    lines.append("<!-- import:end -->")
    block = "\n".join(lines)
    record("import", block)
    print(block)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--child", nargs=2, metavar=("DATABASE_URL", "FILE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_backend(args.child[0], Path(args.child[1]))))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    results = []
    for with_annotations in (False, True):
        path = WORK / f"documents-{args.documents}-{int(with_annotations)}.jsonl"
        if not path.exists():
            generate(path, args.documents, with_annotations)
        for backend in args.backends.split(","):
            url = fresh_database(backend, PG_BENCH_DB, WORK)
            # Measured as in production: DEBUG off (no SQL logging).
            env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": "bench"}
            command = [sys.executable, __file__, "--child", url, str(path)]
            child = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            result = json.loads(child.stdout.strip().splitlines()[-1])
            result["input"] = "documents + 1 quote each" if with_annotations else "documents"
            print(result, flush=True)
            results.append(result)
    write_results(results, args.documents)


if __name__ == "__main__":
    main()
