"""The dataset card (README.md of an export) and the counts it is made from. Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from annotations.exporters import ExportItem
from annotations.scheme import Scheme


@dataclass
class CardStats:
    """Counts gathered while the items stream past the writer."""

    documents: Counter = field(default_factory=Counter)
    quotes: Counter = field(default_factory=Counter)
    labels: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    choices: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    quality: Counter = field(default_factory=Counter)
    annotators: Counter = field(default_factory=Counter)
    adjudicators: Counter = field(default_factory=Counter)

    def observe(
        self, items: Iterable[ExportItem], on_item: Callable[[ExportItem], None] | None = None
    ) -> Iterator[ExportItem]:
        for item in items:
            self.add(item)
            if on_item is not None:
                on_item(item)
            yield item

    def add(self, item: ExportItem) -> None:
        split, annotation = item.split, item.annotation
        provenance = annotation.provenance
        self.documents[split] += 1
        self.quotes[split] += len(annotation.attributions)
        self.quality[str(provenance.get("quality", "gold"))] += 1
        for span in annotation.spans:
            self.labels[split][span.label] += 1
        for attribution in annotation.attributions:
            for name in ("quote_type", "stance", "claim_type"):
                self.choices[name][getattr(attribution, name) or "(unset)"] += 1
        for name in provenance.get("annotators") or [provenance.get("annotator")]:
            if name:
                self.annotators[str(name)] += 1
        if provenance.get("adjudicator"):
            self.adjudicators[str(provenance["adjudicator"])] += 1

    def summary(self) -> dict:
        return {
            "documents": dict(self.documents),
            "quotes": dict(self.quotes),
            "labels": {split: dict(c) for split, c in self.labels.items()},
            "choices": {name: dict(c) for name, c in self.choices.items()},
            "quality": dict(self.quality),
        }


@dataclass(frozen=True)
class CardContext:
    collection: str
    title: str
    scheme: Scheme
    format: str
    splits: tuple[str, ...]
    ratios: tuple[float, ...]
    seed: int
    include_unreviewed: bool
    snapshot: str
    files: dict[str, tuple[str, int]]  # path -> (sha256, bytes)
    notes: list[str]
    agreement: dict


def render(stats: CardStats, context: CardContext) -> str:
    """Markdown; the same data and options give the same bytes (no wall-clock time)."""
    scheme = context.scheme
    ratios = ", ".join(f"{n} {r:g}" for n, r in zip(context.splits, context.ratios, strict=True))
    lines = [
        f"# {context.title or context.collection}: quote attribution dataset",
        "",
        f"Quote attributions exported from collection `{context.collection}` under the "
        f"`{scheme.name}` label scheme, format `{context.format}`. Annotations as of "
        f"{context.snapshot or 'n/a'}.",
        "",
        "Every quote (Quote span) has one attribution: the speaker mention (Speaker span, "
        "possibly absent for an implicit speaker), the cue (Cue span), the speaker's canonical "
        "name, and per-quote choices.",
        "",
        "## Selection and splits",
        "",
        "- Gold (reviewed) annotations only."
        if not context.include_unreviewed
        else "- Gold annotations, and for documents without gold the single human annotation, "
        'marked `"quality": "silver"` in its provenance.',
        f"- Document-level splits {ratios}"
        f" from a SHA-256 hash of the seed ({context.seed}) and the document id: the same "
        "documents always land in the same split.",
        f"- Quality: {_counts(stats.quality)}.",
        "",
        "| split | documents | quotes | " + " | ".join(scheme.label_names()) + " |",
        "|---|---|---|" + "---|" * len(scheme.label_names()),
    ]
    for split in context.splits:
        labels = stats.labels.get(split, Counter())
        lines.append(
            f"| {split} | {stats.documents[split]} | {stats.quotes[split]} | "
            + " | ".join(str(labels[name]) for name in scheme.label_names())
            + " |"
        )
    lines += ["", "## Labels", ""]
    for label in scheme.labels:
        lines.append(f"- **{label.name}**: {label.description}")
    for relation in scheme.relations:
        lines.append(
            f"- relation **{relation.name}** ({relation.source} → {relation.target}): "
            f"{relation.description}"
        )
    lines += ["", "## Per-quote choices", ""]
    for choice in scheme.choices:
        counts = stats.choices.get(choice.name, Counter())
        values = ", ".join(
            f"`{c.value}` {counts[c.value]} ({c.description})" for c in choice.values
        )
        unset = counts["(unset)"]
        lines.append(
            f"- **{choice.title}** (`{choice.name}`): {values}"
            + (f"; unset {unset}" if unset else "")
        )
    lines += ["", "## Agreement", "", *_agreement(context.agreement), ""]
    lines += ["## People", "", f"- Annotators: {_counts(stats.annotators) or 'not recorded'}."]
    lines.append(f"- Adjudicators: {_counts(stats.adjudicators) or 'not recorded'}.")
    if context.notes:
        lines += ["", "## Format notes", "", *(f"- {note}" for note in context.notes)]
    lines += ["", "## Files", "", "| file | bytes | sha256 |", "|---|---|---|"]
    for path, (digest, size) in sorted(context.files.items()):
        lines.append(f"| `{path}` | {size} | `{digest}` |")
    return "\n".join(lines) + "\n"


def _counts(counter: Counter) -> str:
    return ", ".join(f"{name} ({count})" for name, count in sorted(counter.items()))


def _agreement(report: dict) -> list[str]:
    if not report or not report.get("documents"):
        return [
            "No exported document was labelled by two or more annotators; no agreement figures."
        ]

    def fmt(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    lines = [
        f"Over {report['documents']} document(s) labelled by two or more of "
        f"{', '.join(report['annotators'])}:",
        "",
        "| label | span F1 exact | span F1 overlap |",
        "|---|---|---|",
    ]
    for label, scores in report["spans"].items():
        lines.append(f"| {label} | {fmt(scores['exact'])} | {fmt(scores['overlap'])} |")
    attribution = report["attribution"]
    lines += [
        "",
        f"Matched quotes {attribution['matched_quotes']}: same speaker "
        f"{fmt(attribution['same_speaker'])}, same cue {fmt(attribution['same_cue'])}.",
        "",
        "| choice | Krippendorff's alpha | mean Cohen's kappa |",
        "|---|---|---|",
    ]
    for name, scores in report["choices"].items():
        lines.append(f"| {name} | {fmt(scores['alpha'])} | {fmt(scores['kappa_mean'])} |")
    return lines
