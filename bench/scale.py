"""Pages, search, agreement, export and pre-annotation as the corpus grows.

    .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000]
        [--backends postgres,sqlite] [--requests 30] [--rebuild] [--only-build]
        [--commands stats,agreement,export_gold,preannotate] [--no-pages]

For each backend and size (SQLite up to 100,000) a database of its own is built
once and kept (PostgreSQL `bench_scale_<size>`, SQLite var/bench/scale_<size>.sqlite3;
`--rebuild` starts again): a collection `news` of `size` documents of ~1.3 KB of
English news-like text, each labelled by two of 20 annotators (two quotes, their
speakers and cues, every tenth document with a disagreement) and half of them
with a gold version, written straight into the tables in id order; a collection
`fresh` of 2,000 unlabelled documents for pre-annotation.

Then, in a process with DEBUG off that has settled as a server process does
(project/runtime.py), as an admin logged in through Django's test client (the whole
stack but the socket): `--requests` requests to each page,
p50/p95 in milliseconds and the queries one request runs — the API's document
lists (first page, a later page and a middle one by cursor, the last, the numbered page
at the end of the numbered pages' window), search for a common word, a rare one,
a phrase, a prefix and a word in no document, the annotation list, the admin's
document and annotation lists (first and last page; for the documents also the last
numbered page of the start and a middle page by cursor), a document's change page, its
review page, and the dashboard (one collection, all). Beside them, each as a
command of its own from start to exit with its peak RSS: the dashboard's recount,
`agreement` over `news`, `export_gold` of `news` as JSONL and `preannotate` of
`fresh`. Each size's result is kept in var/bench/scale-<backend>-<size>.json; the
report in docs/benchmarks.md sets every size beside 10,000 (ratios). Not a test:
run it by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from results import (
    DELETE_PREDICTIONS,
    PG_ADMIN_URL,
    ROOT,
    fresh_database,
    machine,
    manage,
    record,
)

WORK = ROOT / "var" / "bench"
COLLECTION, FRESH = "news", "fresh"
FRESH_DOCUMENTS = 2_000
ANNOTATORS = 20
SQLITE_MAX = 100_000
CHUNK = 5_000  # documents generated and written per transaction
GOALS = {"page_p95_ms": 100, "dashboard_p95_ms": 200, "ratio": 2.0}
NAMES = [
    "Maria Lopez", "John Carter", "Aisha Khan", "Wei Chen", "Olga Petrova", "Tom Baker",
    "Fatima Ali", "Jonas Berg", "Grace Kim", "Pedro Alves", "Nina Horvat", "Sam Okafor",
]  # fmt: skip
CUES = ["said", "told reporters", "argued", "warned", "added", "wrote"]


# --- building -------------------------------------------------------------------------


def vocabulary() -> tuple[list[str], list[float]]:
    """The words of the project's own articles, weighted by Zipf's law on their rank."""
    counts: dict[str, int] = {}
    for name in ("fixtures/gold.jsonl", "bench/heldout/gold.jsonl", "bench/blind/gold.jsonl"):
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                for word in json.loads(line)["text"].split():
                    word = word.strip(".,;:!?()“”\"'’‘—-").lower()
                    if word.isalpha() and len(word) > 1:
                        counts[word] = counts.get(word, 0) + 1
    words = sorted(counts, key=lambda w: (-counts[w], w))
    return words, [1 / (rank + 1) for rank in range(len(words))]


class Writer:
    """One document's text built piece by piece, remembering where pieces fall."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, piece: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(piece)
        self.length += len(piece)
        return start, self.length

    def text(self) -> str:
        return "".join(self.parts)


def article(index: int, words: list[str], weights: list[float]) -> tuple[str, str, list]:
    """Title, text and the two quotes (quote, speaker, cue extents, names, type)."""
    rng = random.Random(index)
    cum = _cumulative(weights)

    def sentence(n: int) -> str:
        chosen = rng.choices(words, cum_weights=cum, k=n)
        return " ".join(chosen).capitalize()

    title = sentence(7)
    out = Writer()
    quotes = []
    for paragraph in range(5):
        for _ in range(2):
            out.add(sentence(rng.randint(12, 20)) + ". ")
        if paragraph == 1:
            name, cue = rng.choice(NAMES), rng.choice(CUES)
            out.add("“")
            quote = out.add(sentence(rng.randint(8, 14)))
            out.add(",” ")
            cue_at = out.add(cue)
            out.add(" ")
            speaker = out.add(name)
            out.add(". ")
            quotes.append((quote, speaker, cue_at, name, "direct"))
        if paragraph == 3:
            name = rng.choice(NAMES)
            speaker = out.add(name)
            out.add(" ")
            cue_at = out.add("said")
            out.add(" that ")
            quote = out.add(sentence(rng.randint(8, 14)).lower())
            out.add(". ")
            quotes.append((quote, speaker, cue_at, name, "indirect"))
        out.parts[-1] = out.parts[-1].rstrip() + "\n\n"
        out.length += 1
    return title, out.text().rstrip(), quotes


_CUM: dict[int, list[float]] = {}


def _cumulative(weights: list[float]) -> list[float]:
    if id(weights) not in _CUM:
        total, cum = 0.0, []
        for weight in weights:
            total += weight
            cum.append(total)
        _CUM[id(weights)] = cum
    return _CUM[id(weights)]


def build(size: int) -> dict:
    """Fill the (migrated, empty) database of DATABASE_URL. Runs inside Django."""
    from django.db import connection, transaction
    from django.utils import timezone

    from annotations.models import Annotation, Annotator, Attribution, Collection, Document, Span
    from annotations.services.annotations import _insert

    words, weights = vocabulary()
    now = timezone.now()
    news = Collection.objects.create(name=COLLECTION, title="News at scale", overlap=2)
    fresh = Collection.objects.create(name=FRESH, title="Fresh documents")
    Annotator.objects.bulk_create(
        Annotator(email=f"annotator{n}@example.com", key=f"annotator{n}@example.com")
        for n in range(ANNOTATORS)
    )
    annotators = list(Annotator.objects.order_by("pk").values_list("pk", flat=True))
    ids = {"document": 0, "annotation": 0, "span": 0, "attribution": 0}

    def next_id(table: str) -> int:
        ids[table] += 1
        return ids[table]

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Rows consistent by construction: no per-row foreign-key triggers, no
            # waiting for each commit to reach the disk.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET synchronous_commit = off")
    started = time.perf_counter()
    for first in range(0, size + FRESH_DOCUMENTS, CHUNK):
        rows: dict[str, list[tuple]] = {"document": [], "annotation": [], "span": [], "att": []}
        for index in range(first, min(first + CHUNK, size + FRESH_DOCUMENTS)):
            labelled = index < size
            title, text, quotes = article(index, words, weights)
            document = next_id("document")
            day = now - timedelta(days=index % 60, seconds=index % 86_400)
            gold = labelled and index % 2 == 0
            status = "gold" if gold else ("annotated" if labelled else "new")
            external_id = f"news-{index:07d}" if labelled else f"fresh-{index - size:05d}"
            rows["document"].append(
                (document, news.pk if labelled else fresh.pk, external_id, title, text,
                 hashlib.sha256(text.encode()).hexdigest(), "", day.date(), "{}", status,
                 day, day)
            )  # fmt: skip
            if not labelled:
                continue
            versions = [annotators[index % ANNOTATORS], annotators[(index + 7) % ANNOTATORS]]
            for which, annotator in enumerate([*versions, None] if gold else versions):
                annotation = next_id("annotation")
                kind = "human" if annotator else "gold"
                provenance = '{"adjudicator": "rita"}' if kind == "gold" else "{}"
                rows["annotation"].append(
                    (annotation, document, kind, annotator, "review" if kind == "gold" else "",
                     "", "[]", provenance, "", 60.0 + index % 240 if annotator else None,
                     day, day)
                )  # fmt: skip
                # The second annotator of every tenth document leaves the second quote out.
                kept = quotes[:1] if which == 1 and index % 10 == 0 else quotes
                for number, (quote, speaker, cue, name, quote_type) in enumerate(kept, start=1):
                    span_ids = []
                    for label, (start, end) in (("Quote", quote), ("Speaker", speaker),
                                                ("Cue", cue)):  # fmt: skip
                        span = next_id("span")
                        span_ids.append(span)
                        region = f"{label[0].lower()}{number}"
                        rows["span"].append(
                            (span, annotation, region, label, start, end, text[start:end], "[]")
                        )
                    rows["att"].append(
                        (next_id("attribution"), annotation, *span_ids, name, quote_type,
                         "neutral", "factual" if number == 1 else "opinion")
                    )  # fmt: skip
        with transaction.atomic():
            _insert(Document, DOCUMENT_FIELDS, rows["document"])
            _insert(Annotation, ANNOTATION_FIELDS, rows["annotation"])
            _insert(Span, SPAN_FIELDS, rows["span"])
            _insert(Attribution, ATTRIBUTION_FIELDS, rows["att"])
        done = min(first + CHUNK, size + FRESH_DOCUMENTS)
        rate = done / (time.perf_counter() - started)
        print(f"  {done:,} documents, {rate:,.0f}/s", end="\r", flush=True)
    print()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Document, Annotation, Span, Attribution):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"build_seconds": round(time.perf_counter() - started, 1), **ids}


DOCUMENT_FIELDS = ("id", "collection", "external_id", "title", "text", "text_hash", "source_url",
                   "published", "meta", "status", "created_at", "updated_at")  # fmt: skip
ANNOTATION_FIELDS = ("id", "document", "kind", "annotator", "source_key", "content_hash",
                     "problems", "provenance", "model_version", "lead_time", "created_at",
                     "updated_at")  # fmt: skip
SPAN_FIELDS = ("id", "annotation", "region_id", "label", "start", "end", "text", "fragments")
ATTRIBUTION_FIELDS = ("id", "annotation", "quote", "speaker", "cue", "speaker_name",
                      "quote_type", "stance", "claim_type")  # fmt: skip


# --- measuring ------------------------------------------------------------------------


def pages(requests: int) -> dict:
    """p50/p95 (ms) and queries of each page. Runs inside Django, DEBUG off."""
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from annotations.models import Collection, Document
    from annotations.paging import NUMBERED_ROWS, encode_cursor
    from project.runtime import settle_after_start

    users = get_user_model().objects
    admin = users.filter(username="bench-admin").first() or users.create_superuser(
        "bench-admin", "a@example.com", "pw"
    )
    client = Client()
    client.force_login(admin)
    settle_after_start()  # as the WSGI entry point does in every server process
    news = Collection.objects.get(name=COLLECTION)
    size = Document.objects.filter(collection=news).count()
    middle = Document.objects.filter(collection=news, external_id=f"news-{size // 2:07d}").get()
    rare_word = vocabulary()[0][-1]
    common_word = next(w for w in vocabulary()[0] if len(w) > 4)
    phrase = " ".join(middle.text.split()[3:6]).strip(".,“”")
    documents_per_page = 100

    document_list = reverse("admin:annotations_document_changelist")
    annotation_list = reverse("admin:annotations_annotation_changelist")
    last_page = last_page_linked(client, document_list)
    first = client.get(reverse("api:document-list"), {"collection": COLLECTION}).json()
    next_page = client.get(first["next"]).json()["next"]
    middle_cursor = encode_cursor("external_id", [news.pk, middle.external_id], back=False)
    admin_key = [news.pk, middle.external_id]
    admin_cursor = encode_cursor("collection_id,external_id", admin_key, back=False)
    targets = {
        "API documents, first page": (reverse("api:document-list"), {"collection": COLLECTION}),
        "API documents, a later page (cursor)": (next_page, {}),
        "API documents, last page (reversed)": (
            reverse("api:document-list"),
            {"collection": COLLECTION, "ordering": "-external_id"},
        ),
        "API documents, a middle page (cursor)": (
            reverse("api:document-list"),
            {"collection": COLLECTION, "cursor": middle_cursor},
        ),
        "API documents, numbered page at the window's end (counted)": (
            reverse("api:document-list"),
            {"collection": COLLECTION, "page": str(min(size, NUMBERED_ROWS) // 50)},
        ),
        "API search, common word": (reverse("api:document-list"), {"q": common_word}),
        "API search, rare word": (reverse("api:document-list"), {"q": rare_word}),
        "API search, phrase": (reverse("api:document-list"), {"q": f'"{phrase}"'}),
        "API search, prefix": (reverse("api:document-list"), {"q": common_word[:4] + "*"}),
        "API search, no match": (reverse("api:document-list"), {"q": "zyxwvut"}),
        "API annotations, first page": (reverse("api:annotation-list"), {"collection": COLLECTION}),
        "admin documents, first page": (reverse("admin:annotations_document_changelist"), {}),
        "admin documents, a middle page (cursor)": (
            reverse("admin:annotations_document_changelist"),
            {"cursor": admin_cursor},
        ),
        "admin documents, numbered page at the window's end": (
            reverse("admin:annotations_document_changelist"),
            {"p": str(min(last_page, NUMBERED_ROWS // documents_per_page))},
        ),
        "admin documents, last page": (
            reverse("admin:annotations_document_changelist"),
            {"p": str(last_page)},
        ),
        "admin annotations, first page": (
            reverse("admin:annotations_annotation_changelist"),
            {},
        ),
        "admin annotations, last page": (
            reverse("admin:annotations_annotation_changelist"),
            {"p": str(last_page_linked(client, annotation_list))},
        ),
        "admin search": (reverse("admin:annotations_document_changelist"), {"q": rare_word}),
        "document change page": (
            reverse("admin:annotations_document_change", args=[middle.pk]),
            {},
        ),
        "review page": (reverse("admin:annotations_document_review", args=[middle.pk]), {}),
        "dashboard, one collection": (reverse("dashboard"), {"collection": COLLECTION}),
        "dashboard, all collections": (reverse("dashboard"), {}),
    }
    results = {}
    for name, (url, params) in targets.items():
        reset_queries()  # as each request does when it starts
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        count = len(queries)  # read now: the next request empties the log it reads from
        if response.status_code != 200:
            sys.exit(f"{name}: {url} {params} answered {response.status_code}")
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            answer = client.get(url, params)
            times.append((time.perf_counter() - started) * 1000)
            # The test client ties each response to itself (`json`, a partial of it), a
            # cycle no server makes: left, it is freed by the collector's full passes,
            # timed within the requests that follow.
            del answer.json
        times.sort()
        results[name] = {
            "p50": round(times[len(times) // 2], 1),
            "p95": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
            "queries": count,
        }
        print(f"  {name}: p50 {results[name]['p50']} ms, p95 {results[name]['p95']} ms, "
              f"{results[name]['queries']} queries", flush=True)  # fmt: skip
    return results


def child(task: str, url: str, *args: str) -> dict:
    """Run build/pages in a child process on that database; its JSON result."""
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "TASKS_BACKEND": "database",
           "ALLOWED_HOSTS": "testserver"}  # fmt: skip
    env["SECRET_KEY"] = env.get("SECRET_KEY", "bench-" + "x" * 60)
    out = WORK / f"scale-{task}.json"
    done = subprocess.run(
        [sys.executable, __file__, f"--child={task}", f"--out={out}", *args], env=env, cwd=ROOT
    )
    if done.returncode != 0:
        sys.exit(f"{task} failed on {url}")
    return json.loads(out.read_text())


def database(backend: str, size: int, rebuild: bool) -> tuple[str, dict | None]:
    """The database's URL and, if it was (re)built now, the build's figures."""
    name = f"bench_scale_{size}"
    if backend == "sqlite":
        path = WORK / f"{name}.sqlite3"
        url = f"sqlite:///{path}"
        exists = path.exists()
    else:
        import psycopg

        url = f"postgres://postgres@127.0.0.1:5432/{name}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            exists = bool(
                conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            )
    if exists and not rebuild:
        seconds, _, output = manage(url, "migrate", "--verbosity", "1")
        if "Applying" in output:
            print(f"migrated the {size:,}-document database in {seconds:.0f} s:\n{output}")
        return url, None
    url = fresh_database(backend, name, WORK)
    manage(url, "migrate", "--verbosity", "0")
    print(f"building {size:,} documents on {backend}", flush=True)
    return url, child("build", url, f"--size={size}")


COMMANDS = {
    "stats": ["stats", "--collection", COLLECTION],
    "agreement": ["agreement", "--collection", COLLECTION],
    "export_gold": ["export_gold", "--collection", COLLECTION, "--format", "jsonl", "--out"],
    "preannotate": ["preannotate", "--collection", FRESH],
}


def last_page_linked(client, url: str) -> int:
    """The last page an admin list links to (numbered from its estimated count)."""

    found = re.search(r'href="\?p=(\d+)" class="end"', client.get(url).content.decode())
    return int(found.group(1)) if found else 1


def command(url: str, size: int, name: str) -> dict:
    """Seconds and peak RSS of one piece of long work, a command from start to exit."""
    out = WORK / f"scale-export-{size}"
    shutil.rmtree(out, ignore_errors=True)
    args = [*COMMANDS[name], *([str(out)] if name == "export_gold" else [])]
    if name == "preannotate":
        # The same work at every run: predictions for documents that have none.
        manage(url, "shell", "-c", DELETE_PREDICTIONS)
    seconds, rss, _ = manage(url, *args)
    shutil.rmtree(out, ignore_errors=True)
    figures = {"seconds": round(seconds, 1), "rss_mib": rss}
    if name == "preannotate":
        figures["documents_per_second"] = round(FRESH_DOCUMENTS / seconds, 1)
    print(f"  {name}: {seconds:.1f} s, {rss} MiB", flush=True)
    return figures


def run(backend: str, size: int, args: argparse.Namespace) -> None:
    url, built = database(backend, size, args.rebuild)
    result_path = WORK / f"scale-{backend}-{size}.json"
    previous = json.loads(result_path.read_text()) if result_path.exists() else {}
    result = {**previous, "backend": backend, "size": size}
    result["build"] = built or previous.get("build")
    if args.only_build:
        result_path.write_text(json.dumps(result, indent=1))
        return
    print(f"measuring {size:,} documents on {backend}", flush=True)
    result["date"] = date.today().isoformat()
    result.setdefault("commands", {})
    wanted = args.commands.split(",") if args.commands else list(COMMANDS)
    # The counts the dashboard reads first, then the pages, then the rest of the long work
    # (each result kept as soon as it is known).
    if "stats" in wanted:
        result["commands"]["stats"] = command(url, size, "stats")
    if not args.no_pages:
        manage(url, "collectstatic", "--noinput", "--verbosity", "0")  # DEBUG off: as served
        result["pages"] = child("pages", url, f"--requests={args.requests}")
    result_path.write_text(json.dumps(result, indent=1))
    for name in COMMANDS:
        if name != "stats" and name in wanted:
            result["commands"][name] = command(url, size, name)
            result_path.write_text(json.dumps(result, indent=1))


# --- report ---------------------------------------------------------------------------


def report() -> str:
    results = [json.loads(p.read_text()) for p in sorted(WORK.glob("scale-*-*.json"))]
    results = [r for r in results if r.get("pages")]
    dates = ", ".join(sorted({r["date"] for r in results}))
    lines = [
        "<!-- scale:start -->",
        f"### Pages and long work as the corpus grows ({dates}, {machine(memory=True)})",
        "",
        "`bench/scale.py`. Each page: "
        "p50 / p95 in ms, ×: p95 beside the 10,000-document "
        f"database's. Goals: pages p95 < {GOALS['page_p95_ms']} ms, dashboard < "
        f"{GOALS['dashboard_p95_ms']} ms, no page more than {GOALS['ratio']:.0f}× its "
        "10k figure.",
        "",
    ]
    for backend in ("postgres", "sqlite"):
        mine = sorted((r for r in results if r["backend"] == backend), key=lambda r: r["size"])
        if not mine:
            continue
        base = next((r for r in mine if r["size"] == 10_000), mine[0])
        lines += [f"**{backend}** ({', '.join(sorted({r['date'] for r in mine}))})", ""]
        header = "| page | " + " | ".join(f"{r['size']:,}" for r in mine) + " | queries |"
        lines += [header, "|---" * (len(mine) + 2) + "|"]
        for page in base["pages"]:
            cells = []
            for r in mine:
                p = r["pages"].get(page)
                if p is None:
                    cells.append("–")
                    continue
                ratio = p["p95"] / max(base["pages"][page]["p95"], 0.1)
                cells.append(f"{p['p50']:.0f} / {p['p95']:.0f} ×{ratio:.2f}")
            # Queries per request, from the run that counted them (the same at every size).
            counted = [r["pages"][page]["queries"] for r in mine if r["pages"].get(page)]
            queries = max(counted, default=0) or "–"
            lines.append(f"| {page} | " + " | ".join(cells) + f" | {queries} |")
        lines += ["", "| command | " + " | ".join(f"{r['size']:,}" for r in mine) + " |"]
        lines.append("|---" * (len(mine) + 1) + "|")
        for name in COMMANDS:
            cells = []
            for r in mine:
                c, b = r["commands"].get(name), base["commands"].get(name)
                if c is None or b is None:
                    cells.append("–")
                    continue
                cells.append(
                    f"{c['seconds']:.1f} s, {c['rss_mib']} MiB "
                    f"(×{c['seconds'] / max(b['seconds'], 0.1):.2f} time, "
                    f"×{c['rss_mib'] / b['rss_mib']:.2f} RSS)"
                )
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        builds = [
            f"{r['size']:,}: {r['build']['build_seconds']:.0f} s" for r in mine if r.get("build")
        ]
        lines += [
            "",
            f"Build (documents, annotations, spans written straight): {'; '.join(builds)}.",
            "",
        ]
    lines.append("<!-- scale:end -->")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--only-build", action="store_true")
    parser.add_argument("--commands", help=f"some of {','.join(COMMANDS)} (default: all)")
    parser.add_argument("--no-pages", action="store_true", help="keep the pages measured before")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
        import django

        django.setup()
        result = build(args.size) if args.child == "build" else pages(args.requests)
        args.out.write_text(json.dumps(result))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    for backend in args.backends.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            if backend == "sqlite" and size > SQLITE_MAX:
                continue
            run(backend, size, args)
    if not args.only_build:
        record("scale", report())
        print(report())


if __name__ == "__main__":
    main()
