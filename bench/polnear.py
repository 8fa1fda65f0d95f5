"""PolNeAR (political news attribution, brat) imported as shipped, counted and agreed on.

    .venv/bin/python bench/polnear.py --repo PATH --split train|dev [--no-write]

PATH is PolNeAR's git directory (as the search tool's fetch brings it: a bare
git dir, read with `git archive`) or a checkout holding data/<split>/. The
split's text/ and attributions/ go into a temporary folder and are imported
with `--brat-profile polnear` into a throw-away SQLite database; nothing of
PolNeAR is kept. It prints the documents, annotations per annotator,
attributions, split quotes and the import's own counts beside counts taken
straight from the .ann files, then the agreement on the articles several
annotators labelled (token-wise Krippendorff's alpha beside PolNeAR's
published figure), and writes them to docs/benchmarks.md.

The test split is reserved for scoring by the maintainers: this refuses to open it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from results import machine, record

ROOT = Path(__file__).resolve().parent.parent
SPLITS = ("train", "dev")
# PolNeAR's README: the whole corpus (1,008 articles, all splits and compartments).
PUBLISHED = {"articles": 1008, "attributions": "24 thousand", "token_alpha": 0.754}
_ENTITY = re.compile(r"^T\d+\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t")
_EVENT = re.compile(r"^E\d+\t(\S+)((?: \S+)*)")


def extract(repo: Path, split: str, into: Path) -> Path:
    """The split's text/ and attributions/ folders, copied out of the repository."""
    if split not in SPLITS:
        sys.exit(f"split {split!r}: only {', '.join(SPLITS)} (the test split is reserved)")
    checkout = repo / "data" / split
    if checkout.is_dir():
        return checkout
    folders = [f"data/{split}/text", f"data/{split}/attributions"]
    archive = subprocess.run(
        ["git", f"--git-dir={repo}", "archive", "HEAD", *folders],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "data" / split


def raw_counts(folder: Path) -> Counter:
    """What the .ann files hold, read with a few regular expressions (not the importer)."""
    counts: Counter = Counter()
    for ann in sorted((folder / "attributions").glob("*.ann")):
        counts["ann files"] += 1
        contents, used = set(), set()
        for line in ann.read_text(encoding="utf-8").split("\n"):
            if entity := _ENTITY.match(line):
                label, offsets = entity.groups()
                counts[f"T {label}"] += 1
                counts[f"T {label} split"] += _apart(offsets) > 1
                if label == "Content":
                    contents.add(line.split("\t", 1)[0])
            elif event := _EVENT.match(line):
                arguments = event.group(2).split()
                used |= {argument.partition(":")[2] for argument in arguments}
                counts["events"] += 1
                quoted = sum(1 for a in arguments if re.match(r"Content\d*:", a))
                counts["content arguments"] += quoted
                counts["events without content"] += quoted == 0
        counts["contents no event uses"] += len(contents - used)
    counts["texts"] = len(list((folder / "text").glob("*.txt")))
    return counts


def _apart(offsets: str) -> int:
    """How many pieces the offsets hold once pieces that overlap or touch are one."""
    pieces = sorted(tuple(map(int, piece.split())) for piece in offsets.split(";"))
    apart, reach = 0, -1
    for start, end in pieces:
        apart += start > reach
        reach = max(reach, end)
    return apart


def imported(folder: Path) -> dict:
    """Runs inside a child process whose DATABASE_URL points at an empty database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from annotations.models import Annotation, Attribution, Span
    from annotations.selectors import collection_agreement
    from annotations.services import collection_get_or_create
    from annotations.services.import_files import discover_sources, files_import, import_profile

    call_command("migrate", verbosity=0)
    collection, _ = collection_get_or_create(name="polnear")
    started = time.perf_counter()
    sources, warnings = discover_sources([folder], "brat")
    report = files_import(
        collection=collection,
        sources=sources,
        warnings=warnings,
        profile=import_profile("polnear"),
    )
    seconds = time.perf_counter() - started
    if report.failed:
        names = ", ".join(source.name for source in report.failed)
        sys.exit(f"{len(report.failed)} file(s) failed to import: {names}")
    spans = Counter(Span.objects.values_list("label", flat=True))
    split = Counter(Span.objects.exclude(fragments=[]).values_list("label", flat=True))
    # A content two events attribute is stored once per event (ids "T7-3": copies).
    copies = Span.objects.exclude(fragments=[]).filter(label="Quote", region_id__contains="-")
    annotators = Counter(
        annotation.annotator.label
        for annotation in Annotation.objects.filter(kind="human").select_related("annotator")
    )
    agreement = collection_agreement(collection)
    gaps = gap_words_tagged(collection, folder.parent / "exports")
    return {
        "seconds": seconds,
        "documents": collection.documents.count(),
        "annotators": dict(sorted(annotators.items())),
        "spans": dict(spans),
        "split_spans": dict(split),
        "split_copies": copies.count(),
        "attributions": Attribution.objects.count(),
        "without_source": Attribution.objects.filter(speaker__isnull=True).count(),
        "contents": dict(report.total.contents),
        "agreement": {
            "documents": agreement["documents"],
            "annotators": agreement["annotators"],
            "unitizing": agreement["unitizing"],
            "spans": agreement["spans"],
            "attribution": agreement["attribution"],
        },
        "warnings": len(report.total.warnings),
        "gaps": gaps,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def gap_words_tagged(collection, scratch: Path) -> dict:
    """Exports the collection (CoNLL, Hugging Face, spaCy) and counts the words between the
    pieces of split quotes that an export tags as quote, where no other quote covers them."""
    import datasets
    import spacy
    from spacy.tokens import DocBin

    from annotations.selectors import export_items
    from annotations.services.exports import export_gold
    from annotations.tokens import tokenize

    for fmt in ("conll", "hf", "spacy"):
        export_gold(
            collection=collection, fmt=fmt, out=scratch / fmt, split="1", include_unreviewed=True
        )
    conll: dict[str, dict[int, str]] = {}
    for path in (scratch / "conll").glob("*.conll"):
        document = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# newdoc id = "):
                document = line.removeprefix("# newdoc id = ")
            elif line and not line.startswith("#"):
                columns = line.split("\t")
                conll.setdefault(document, {})[int(columns[1])] = columns[3]
    hf = {}
    for row in datasets.load_from_disk(str(scratch / "hf" / "hf"))["train"]:
        hf[row["id"]] = row["quote_tags"]
    nlp = spacy.blank("en")
    quotes_in_spacy = {}
    for path in (scratch / "spacy" / "spacy").glob("*.spacy"):
        for doc in DocBin().from_disk(path).get_docs(nlp.vocab):
            quotes_in_spacy[doc.user_data["id"]] = [
                (span.start_char, span.end_char)
                for span in doc.spans["sc"]
                if span.label_ == "Quote"
            ]
    counts = Counter()
    items = export_items(collection=collection, ratios=(1.0,), seed=13, include_unreviewed=True)
    for item in items:
        tokens = tokenize(item.document.text)
        quotes = [span for span in item.annotation.spans if span.label == "Quote"]
        for quote in (q for q in quotes if q.fragments):
            counts["split quotes"] += 1
            others = [q for q in quotes if q is not quote]
            for (_, gap_start), (gap_end, _) in zip(quote.pieces, quote.pieces[1:], strict=False):
                for index, (_, start, end) in enumerate(tokens.words):
                    if start < gap_start or end > gap_end:
                        continue
                    if any(s <= start and end <= e for q in others for s, e in q.pieces):
                        continue
                    counts["gap words"] += 1
                    external_id = item.document.external_id
                    counts["conll"] += conll[external_id][start] != "O"
                    counts["hf"] += hf[external_id][index] != 0
                    counts["spacy"] += any(
                        s <= start and end <= e for s, e in quotes_in_spacy[external_id]
                    )
    return dict(counts)


def in_child(folder: Path, database: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "POLNEAR_CHILD": str(folder)}
    done = subprocess.run(
        [sys.executable, __file__, "--child"], env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(done.stderr or done.stdout)
    return json.loads(done.stdout.splitlines()[-1])


def checks(raw: Counter, result: dict) -> list[tuple[str, int, int]]:
    """(what, from the .ann files, in the database): each pair must be equal."""
    skipped = Counter(
        {k.removeprefix("skipped "): v for k, v in result["contents"].items() if "skipped" in k}
    )
    copies = result["spans"].get("Quote", 0) - raw["T Content"]
    return [
        ("annotations (one per .ann file)", raw["ann files"], sum(result["annotators"].values())),
        ("documents (one per text)", raw["texts"], result["documents"]),
        ("Speaker spans = Source entities", raw["T Source"], result["spans"].get("Speaker", 0)),
        ("Cue spans = Cue entities", raw["T Cue"], result["spans"].get("Cue", 0)),
        (
            "Quote spans = Content entities + copies for contents of two events",
            raw["T Content"] + copies,
            result["spans"].get("Quote", 0),
        ),
        (
            "split Quote spans = Content entities in pieces apart (+ copies)",
            raw["T Content split"] + result["split_copies"],
            result["split_spans"].get("Quote", 0),
        ),
        (
            "attributions = content arguments of events − repeated events + contents no event uses",
            raw["content arguments"] - skipped["repeated event"] + raw["contents no event uses"],
            result["attributions"],
        ),
        ("Discuss skipped", raw["T Discuss"], skipped["Discuss"]),
        ("Discard skipped", raw["T Discard"], skipped["Discard"]),
        (
            "events without content skipped",
            raw["events without content"],
            skipped["event without content"],
        ),
    ]


def report(split: str, raw: Counter, result: dict) -> str:
    agreement = result["agreement"]
    unitizing = agreement["unitizing"]
    gaps = result["gaps"]
    rows = checks(raw, result)
    lines = [
        f"<!-- polnear-{split}:start -->",
        f"### PolNeAR {split}, imported as shipped ({date.today().isoformat()}, {machine()})",
        "",
        f"`bench/polnear.py --split {split}`: {raw['ann files']} .ann files over "
        f"{raw['texts']} texts imported with `--brat-profile polnear` in "
        f"{result['seconds']:.1f} s (peak RSS {result['peak_rss_mib']:.0f} MiB), "
        f"no file failed, {result['warnings']} warning(s).",
        "",
        "| count | from the .ann files | imported | equal |",
        "|---|---|---|---|",
        *(f"| {what} | {a} | {b} | {'yes' if a == b else '**no**'} |" for what, a, b in rows),
        "",
        "Annotations per annotator: "
        + ", ".join(f"{name} {count}" for name, count in result["annotators"].items())
        + f". Attributions {result['attributions']}, of them without a source "
        f"{result['without_source']}; split quotes {result['split_spans'].get('Quote', 0)}.",
        "",
        "Exported (every annotator's version, one split) as CoNLL, Hugging Face and spaCy: "
        f"of the {gaps.get('gap words', 0):,} words between the pieces of "
        f"{gaps.get('split quotes', 0):,} split quotes (and in no other quote), tagged as "
        f"quote: CoNLL {gaps.get('conll', 0)}, Hugging Face {gaps.get('hf', 0)}, "
        f"spaCy {gaps.get('spacy', 0)}.",
        "",
        f"Agreement on the {agreement['documents']} article(s) labelled by several annotators "
        f"({len(agreement['annotators'])} annotators, {unitizing['tokens']:,} tokens):",
        "",
        "| measure | this split | PolNeAR README (whole corpus) |",
        "|---|---|---|",
        f"| token-wise Krippendorff's alpha, pooled | {_fmt(unitizing['pooled'])} | "
        f"{PUBLISHED['token_alpha']:.3f} |",
        *(
            f"| token-wise alpha, {label} | {_fmt(unitizing[label])} | — |"
            for label in ("Quote", "Speaker", "Cue")
        ),
        *(
            f"| span F1 {label} (exact / overlap) | {_fmt(scores['exact'])} / "
            f"{_fmt(scores['overlap'])} | — |"
            for label, scores in agreement["spans"].items()
        ),
        f"| same speaker / same cue on matched quotes | "
        f"{_fmt(agreement['attribution']['same_speaker'])} / "
        f"{_fmt(agreement['attribution']['same_cue'])} | — |",
        "",
        f"<!-- polnear-{split}:end -->",
    ]
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def main() -> None:
    if "--child" in sys.argv:
        print(json.dumps(imported(Path(os.environ["POLNEAR_CHILD"]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, required=True, help="PolNeAR's git dir or checkout")
    parser.add_argument("--split", choices=SPLITS, required=True)
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="polnear-") as scratch:
        folder = extract(args.repo, args.split, Path(scratch))
        raw = raw_counts(folder)
        result = in_child(folder, Path(scratch) / "polnear.sqlite3")
    block = report(args.split, raw, result)
    print(block)
    if not args.no_write:
        record(f"polnear-{args.split}", block)
    if any(a != b for _, a, b in checks(raw, result)):
        sys.exit("some imported counts differ from the .ann files")
    if any(result["gaps"].get(fmt) for fmt in ("conll", "hf", "spacy")):
        sys.exit("an export tags words between the pieces of a split quote")


if __name__ == "__main__":
    main()
