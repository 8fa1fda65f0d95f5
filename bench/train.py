"""A model trained on PolNeAR's train split, scored on its dev split against the rules.

    .venv/bin/python bench/train.py --repo PATH [--iterations N] [--curve] [--floors 0.9,0.95]
        [--no-write]

PATH is PolNeAR's git directory (as the search tool's fetch brings it) or a checkout
holding data/<split>/. Both splits are read with the brat profile `polnear`, as
`import_documents --brat-profile polnear` reads them; nothing of PolNeAR is kept.
Prints and writes to docs/benchmarks.md: quote F1 by type (exact, overlap, gentle),
speaker and cue accuracy for the model and for the rules on the same dev documents,
training time and peak memory, prediction speed (documents/s on one core, the rules
included), the same model with a confidence floor for the quotes the rules did not
find (`train --min-confidence`), read against the pre-annotation targets, and with
--curve the dev F1 after training on a quarter and a half of the train split. The
test split is reserved for the maintainers' scoring: never read.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from polnear import extract
from preannotation import load_brat
from results import machine, record

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotations.learn import Example, Tagger, train  # noqa: E402
from annotations.preannotate import MODEL_VERSION, preannotate  # noqa: E402
from annotations.preannotate.evaluate import evaluate  # noqa: E402

TARGETS = {"overlap_gain": 0.08, "training_minutes": 30, "documents_per_second": 50}
# The pre-annotation targets on real news: all quotes F1 (overlap), direct quotes F1
# (gentle), speaker and cue accuracy.
PREANNOTATION = {"all": 0.60, "direct": 0.88, "speaker": 0.90, "cue": 0.92}


def examples(repo: Path, split: str, into: Path) -> list[Example]:
    folder = extract(repo, split, into)
    return [Example(text, gold) for text, gold in load_brat(folder, "polnear")]


def scores(pairs) -> dict:
    return evaluate(pairs, types="form").as_dict()


def fit(train_set: list[Example], iterations: int | None) -> tuple[bytes, float]:
    parameters = {"max_iterations": iterations} if iterations else None
    started = time.perf_counter()
    data = train(train_set, parameters=parameters)
    return data, time.perf_counter() - started


def speed(model: Tagger, texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        model.predict(text)
    return len(texts) / (time.perf_counter() - started)


def row(name: str, report: dict) -> list[str]:
    q, by_type = report["quotes"], report["quotes_by_type"]

    def f1(kind: str, measure: str) -> str:
        return f"{by_type[kind][measure]['f1']:.3f}" if kind in by_type else "–"

    return [
        name,
        f"{q['exact']['f1']:.3f}",
        f"{q['overlap']['f1']:.3f}",
        f1("direct", "gentle"),
        f1("direct", "overlap"),
        f1("indirect", "overlap"),
        f1("mixed", "overlap"),
        f"{report['speaker_accuracy']:.3f}",
        f"{report['cue_accuracy']:.3f}",
    ]


def table(results: dict) -> str:
    header = [
        "",
        "all F1 exact",
        "all F1 overlap",
        "direct F1 gentle",
        "direct F1 overlap",
        "indirect F1 overlap",
        "mixed F1 overlap",
        "speaker accuracy",
        "cue accuracy",
    ]
    lines = [
        "<!-- train-polnear:start -->",
        f"### A trained model on PolNeAR ({date.today().isoformat()}, {machine()})",
        "",
        f"`bench/train.py`: trained on PolNeAR train ({results['train_documents']} "
        f"annotations of {results['train_texts']} articles), scored on dev "
        f"({results['dev_documents']} annotations), quote types by form.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        "| " + " | ".join(row(f"rules `{MODEL_VERSION}`", results["rules"])) + " |",
        "| " + " | ".join(row("model", results["model"])) + " |",
    ]
    for floor, report in results.get("floors", []):
        name = f"model, quotes the rules miss at confidence ≥ {floor:g}"
        lines.append("| " + " | ".join(row(name, report)) + " |")
    for fraction, report in results.get("curve", []):
        lines.append("| " + " | ".join(row(f"model on {fraction:.0%} of train", report)) + " |")
    gain = results["model"]["quotes"]["overlap"]["f1"] - results["rules"]["quotes"]["overlap"]["f1"]
    direct = _direct_gap(results)
    fast = results["documents_per_second"] >= TARGETS["documents_per_second"]
    lines += [
        "",
        "| goal | target | measured | met |",
        "|---|---|---|---|",
        f"| all quotes F1 overlap above the rules | ≥ +{TARGETS['overlap_gain']:.2f} | "
        f"{gain:+.3f} | {'yes' if gain >= TARGETS['overlap_gain'] else 'no'} |",
        f"| direct quotes F1 (gentle) against the rules | ≥ 0 | {direct:+.3f} | "
        f"{'yes' if direct >= 0 else 'no'} |",
        f"| training time | < {TARGETS['training_minutes']} min | "
        f"{results['training_seconds'] / 60:.1f} min | "
        f"{'yes' if results['training_seconds'] < TARGETS['training_minutes'] * 60 else 'no'} |",
        f"| prediction speed (one core, rules included) | ≥ {TARGETS['documents_per_second']} "
        f"documents/s | {results['documents_per_second']:.0f} documents/s | "
        f"{'yes' if fast else 'no'} |",
        "",
        *preannotation_goals(results),
        "",
        f"Peak memory of the whole run (reading both splits, training, scoring): "
        f"{results['peak_mib']:.0f} MiB. The rules alone: "
        f"{results['rules_documents_per_second']:.0f} documents/s.",
        "<!-- train-polnear:end -->",
    ]
    return "\n".join(lines)


def preannotation_goals(results: dict) -> list[str]:
    """Each predictor against the pre-annotation targets on dev."""
    candidates = [(f"rules `{MODEL_VERSION}`", results["rules"]), ("model", results["model"])]
    candidates += [(f"model, floor {f:g}", r) for f, r in results.get("floors", [])]
    lines = [
        "| pre-annotation targets | all quotes F1 ≥ 0.60 | direct F1 (gentle) ≥ 0.88 | "
        "speaker ≥ 0.90 | cue ≥ 0.92 |",
        "|---|---|---|---|---|",
    ]
    for name, report in candidates:
        direct = report["quotes_by_type"].get("direct", {}).get("gentle", {}).get("f1", 0.0)
        values = {
            "all": report["quotes"]["overlap"]["f1"],
            "direct": direct,
            "speaker": report["speaker_accuracy"],
            "cue": report["cue_accuracy"],
        }
        cells = [
            f"{values[k]:.3f} {'✓' if values[k] >= PREANNOTATION[k] else '✗'}"
            for k in ("all", "direct", "speaker", "cue")
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _direct_gap(results: dict) -> float:
    def direct(report: dict) -> float:
        return report["quotes_by_type"].get("direct", {}).get("gentle", {}).get("f1", 0.0)

    return direct(results["model"]) - direct(results["rules"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, required=True, help="PolNeAR's git dir or checkout")
    parser.add_argument("--iterations", type=int, help="optimiser passes (default: the model's)")
    parser.add_argument("--curve", action="store_true", help="also train on 25%% and 50%%")
    parser.add_argument(
        "--floors", default="0.9,0.95", help="confidence floors to score the model at too"
    )
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        train_set = examples(args.repo, "train", Path(folder))
        dev_set = examples(args.repo, "dev", Path(folder))
    data, seconds = fit(train_set, args.iterations)
    model = Tagger(data, version="bench")
    dev_texts = [e.text for e in dev_set]
    results = {
        "train_documents": len(train_set),
        "train_texts": len({e.text for e in train_set}),
        "dev_documents": len(dev_set),
        "training_seconds": seconds,
        "rules": scores((e.text, e.annotation, preannotate(e.text)) for e in dev_set),
        "model": scores((e.text, e.annotation, model.predict(e.text)) for e in dev_set),
        "documents_per_second": speed(model, dev_texts),
    }
    started = time.perf_counter()
    for text in dev_texts:
        preannotate(text)
    results["rules_documents_per_second"] = len(dev_texts) / (time.perf_counter() - started)
    results["floors"] = []
    for floor in (float(f) for f in args.floors.split(",") if f):
        floored = Tagger(data, version="bench", min_confidence=floor)
        report = scores((e.text, e.annotation, floored.predict(e.text)) for e in dev_set)
        results["floors"].append((floor, report))
    if args.curve:
        texts = sorted({e.text for e in train_set})
        results["curve"] = []
        for fraction in (0.25, 0.5):
            chosen = set(texts[: round(len(texts) * fraction)])
            partial, _ = fit([e for e in train_set if e.text in chosen], args.iterations)
            tagger = Tagger(partial, version="bench")
            report = scores((e.text, e.annotation, tagger.predict(e.text)) for e in dev_set)
            results["curve"].append((fraction, report))
    results["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    block = table(results)
    print(block)
    if not args.no_write:
        record("train-polnear", block)


if __name__ == "__main__":
    main()
