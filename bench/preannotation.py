"""Pre-annotation quality and speed against gold canonical JSONL.

    .venv/bin/python bench/preannotation.py [GOLD.jsonl ...] [--json] [--no-write]
    .venv/bin/python bench/preannotation.py --brat FOLDER --brat-profile polnear --label NAME

Defaults to fixtures/gold.jsonl. Prints quote precision / recall / F1 (exact,
overlap and gentle), speaker and cue accuracy, overall and by quote_type, and
throughput (documents/s, MB/s on one core); writes them to docs/benchmarks.md
between the pre-annotation markers. Not a test: run it by hand.

--brat scores against a brat corpus (every .ann its own gold, as `import_documents`
reads it); a corpus without quote types is typed by form. PolNeAR's test split is
reserved for the maintainers' scoring: a folder inside one named `test` is refused.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

from results import machine, record

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotations.canonical import record_from_dict  # noqa: E402
from annotations.preannotate import MODEL_VERSION, preannotate  # noqa: E402
from annotations.preannotate.evaluate import evaluate  # noqa: E402
from annotations.scheme import complete_attributions  # noqa: E402


def load(paths: list[Path]) -> list[tuple[str, object]]:
    documents = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            record = record_from_dict(json.loads(line))
            if not record.annotations:
                sys.exit(f"{path}:{number}: the record has no annotation to score against")
            documents.append((record.text, complete_attributions(record.annotations[0])))
    return documents


def load_brat(folder: Path, profile_name: str) -> list[tuple[str, object]]:
    from annotations.importers import ReadOptions, discover, read
    from annotations.importers.brat import brat_profile
    from annotations.importers.normalize import InputError
    from annotations.records import DocumentRecord

    if "test" in folder.resolve().parts:
        sys.exit(f"{folder}: a test split is reserved for scoring by the maintainers")
    sources, _ = discover([folder], "brat")
    options = ReadOptions(brat_profile=brat_profile(profile_name))
    documents = []
    for source in sorted(sources, key=lambda s: (str(s.path), str(s.ann))):
        if source.ann is None:
            continue
        for item in read(source, options):
            if isinstance(item, DocumentRecord):
                documents.append((item.text, complete_attributions(item.annotations[0])))
            elif isinstance(item, InputError):
                sys.exit(f"{source.ann}: {item}")
    return documents


def throughput(texts: list[str], *, seconds: float = 3.0) -> dict[str, float]:
    size = sum(len(t.encode("utf-8")) for t in texts)
    runs, started = 0, time.perf_counter()
    while True:
        for text in texts:
            preannotate(text)
        runs += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            break
    return {
        "documents_per_second": runs * len(texts) / elapsed,
        "megabytes_per_second": runs * size / elapsed / 1_000_000,
        **long_document(texts),
    }


def long_document(texts: list[str], *, megabytes: float = 2.0) -> dict[str, float]:
    """The set's texts repeated into one document of the import's size limit (2 MB):
    speed should not fall with length."""
    joined = "\n".join(texts)
    text = "\n".join([joined] * max(1, round(megabytes * 1_000_000 / len(joined.encode()))))
    started = time.perf_counter()
    preannotate(text)
    elapsed = time.perf_counter() - started
    size = len(text.encode("utf-8")) / 1_000_000
    return {"long_document_megabytes": size, "long_document_megabytes_per_second": size / elapsed}


def table(report: dict, speed: dict, sources: list[str], label: str) -> str:
    q = report["quotes"]
    lines = [
        f"<!-- preannotation-{label}:start -->",
        f"### Pre-annotation on {label} ({date.today().isoformat()}, {machine()}, "
        f"`{MODEL_VERSION}`)",
        "",
        f"`bench/preannotation.py {' '.join(sources)}`: {report['gold_quotes']} gold quotes, "
        f"{report['predicted_quotes']} predicted, {report['matched']} matched by overlap.",
        "",
        "| measure | exact | overlap (Jaccard ≥ 0.5) | gentle (≥ 30% of the gold) |",
        "|---|---|---|---|",
    ]
    for name in ("precision", "recall", "f1"):
        lines.append(
            f"| quote {name} | {q['exact'][name]:.3f} | {q['overlap'][name]:.3f} | "
            f"{q['gentle'][name]:.3f} |"
        )
    lines += [
        "",
        "| quote_type | F1 exact | F1 overlap | F1 gentle | speaker accuracy | cue accuracy |",
        "|---|---|---|---|---|---|",
    ]
    for kind, scores in report["quotes_by_type"].items():
        speaker = report["speaker_accuracy_by_type"].get(kind)
        cue = report["cue_accuracy_by_type"].get(kind)
        lines.append(
            f"| {kind} | {scores['exact']['f1']:.3f} | {scores['overlap']['f1']:.3f} | "
            f"{scores['gentle']['f1']:.3f} | {_fmt(speaker)} | {_fmt(cue)} |"
        )
    lines += [
        f"| **all** | {q['exact']['f1']:.3f} | {q['overlap']['f1']:.3f} | "
        f"{q['gentle']['f1']:.3f} | {report['speaker_accuracy']:.3f} | "
        f"{report['cue_accuracy']:.3f} |",
        "",
        f"Throughput on one core: {speed['documents_per_second']:,.0f} documents/s, "
        f"{speed['megabytes_per_second']:.2f} MB/s; on one document of "
        f"{speed['long_document_megabytes']:.1f} MB (the texts repeated): "
        f"{speed['long_document_megabytes_per_second']:.2f} MB/s.",
        f"<!-- preannotation-{label}:end -->",
    ]
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", nargs="*", type=Path, default=[ROOT / "fixtures" / "gold.jsonl"])
    parser.add_argument("--brat", type=Path, help="a brat corpus folder to score against")
    parser.add_argument("--brat-profile", default="default", help="how its labels read")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument("--label", help="name of the result block (default: the folder's name)")
    args = parser.parse_args()
    if args.brat:
        documents, types = load_brat(args.brat, args.brat_profile), "form"
        args.gold = [args.brat]
    else:
        documents, types = load(args.gold), "given"
    report = evaluate(
        ((text, gold, preannotate(text)) for text, gold in documents), types=types
    ).as_dict()
    speed = throughput([text for text, _ in documents])
    if args.json:
        print(json.dumps({**report, **speed}, indent=2))
        return
    sources = [str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in args.gold]
    if args.brat:
        folder = args.brat.resolve()
        shown = "/".join(folder.parts[-3:])  # PolNeAR/…/data/dev reads as data/dev's parents
        sources = [f"--brat …/{shown} --brat-profile {args.brat_profile}"]
    label = args.label or args.gold[0].resolve().parent.name
    block = table(report, speed, sources, label)
    print(block)
    if not args.no_write:
        record(f"preannotation-{label}", block)


if __name__ == "__main__":
    main()
