"""Scoring predicted attributions against gold ones. Pure.

Quotes match exactly (after trimming punctuation and quote marks from the ends
of every piece) or by overlap (character Jaccard of the pieces >= 0.5), one to
one, best first; a split quote counts its pieces, never the words between them. On the
overlap matches, the speaker is right when it names the same entity (names
equal, or one a subset of the other with the same last word: "Ushakov" and
"Yury Ushakov"; for an anonymous gold speaker, the same mention), and the cue
is right when the cue spans overlap (or both are absent).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from annotations.matching import Extent, names_match, overlaps
from annotations.matching import match as match_extents
from annotations.records import AnnotationRecord

TRIM = " \t\n\"“”‘’'«»„‹›.,;:!?…—–-"


@dataclass(frozen=True)
class Item:
    """One attribution, flattened to what is scored."""

    quote: Extent
    quote_type: str
    speaker: Extent | None
    speaker_name: str
    cue: Extent | None


@dataclass
class Counts:
    gold: int = 0
    predicted: int = 0
    exact: int = 0
    overlap: int = 0

    def scores(self, kind: str) -> dict[str, float]:
        hits = self.exact if kind == "exact" else self.overlap
        precision = hits / self.predicted if self.predicted else 0.0
        recall = hits / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": precision, "recall": recall, "f1": f1}


@dataclass
class Report:
    quotes: Counts = field(default_factory=Counts)
    by_type: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    matched: int = 0
    speaker_right: int = 0
    cue_right: int = 0
    speaker_by_type: dict[str, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    cue_by_type: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def as_dict(self) -> dict:
        def accuracy(right: int, total: int) -> float:
            return right / total if total else 0.0

        return {
            "quotes": {kind: self.quotes.scores(kind) for kind in ("exact", "overlap")},
            "quotes_by_type": {
                t: {kind: c.scores(kind) for kind in ("exact", "overlap")}
                for t, c in sorted(self.by_type.items())
            },
            "gold_quotes": self.quotes.gold,
            "predicted_quotes": self.quotes.predicted,
            "matched": self.matched,
            "speaker_accuracy": accuracy(self.speaker_right, self.matched),
            "cue_accuracy": accuracy(self.cue_right, self.matched),
            "speaker_accuracy_by_type": {
                t: accuracy(*v) for t, v in sorted(self.speaker_by_type.items())
            },
            "cue_accuracy_by_type": {t: accuracy(*v) for t, v in sorted(self.cue_by_type.items())},
        }


def items(annotation: AnnotationRecord) -> list[Item]:
    spans = annotation.span_by_id()

    def extent(span_id: str | None) -> Extent | None:
        return spans[span_id].pieces if span_id in spans else None

    return [
        Item(extent(a.quote), a.quote_type, extent(a.speaker), a.speaker_name, extent(a.cue))
        for a in annotation.attributions
        if a.quote in spans
    ]


def evaluate(pairs: Iterable[tuple[str, AnnotationRecord, AnnotationRecord]]) -> Report:
    """Score (text, gold, predicted) triples."""
    report = Report()
    for text, gold, predicted in pairs:
        _score_document(report, text, items(gold), items(predicted))
    return report


def _score_document(report: Report, text: str, gold: list[Item], predicted: list[Item]) -> None:
    report.quotes.gold += len(gold)
    report.quotes.predicted += len(predicted)
    for item in gold:
        report.by_type[item.quote_type or "untyped"].gold += 1
    for item in predicted:
        report.by_type[item.quote_type or "untyped"].predicted += 1
    exact = {trimmed(text, g.quote) for g in gold} & {trimmed(text, p.quote) for p in predicted}
    for g in gold:
        if trimmed(text, g.quote) in exact:
            report.quotes.exact += 1
            report.by_type[g.quote_type or "untyped"].exact += 1
    for g, p in match(gold, predicted):
        kind = g.quote_type or "untyped"
        report.quotes.overlap += 1
        report.by_type[kind].overlap += 1
        report.matched += 1
        speaker_ok = same_speaker(g, p)
        cue_ok = overlaps(g.cue, p.cue) if g.cue and p.cue else g.cue == p.cue
        report.speaker_right += speaker_ok
        report.cue_right += cue_ok
        report.speaker_by_type[kind][0] += speaker_ok
        report.speaker_by_type[kind][1] += 1
        report.cue_by_type[kind][0] += cue_ok
        report.cue_by_type[kind][1] += 1


def trimmed(text: str, extent: Extent) -> Extent:
    """The pieces without punctuation and quote marks at their ends (empty pieces go)."""
    pieces = []
    for start, end in extent:
        while start < end and text[start] in TRIM:
            start += 1
        while end > start and text[end - 1] in TRIM:
            end -= 1
        if start < end:
            pieces.append((start, end))
    return tuple(pieces)


def match(gold: list[Item], predicted: list[Item]) -> list[tuple[Item, Item]]:
    """One-to-one pairs with Jaccard >= 0.5, the best overlaps first."""
    pairs = match_extents([g.quote for g in gold], [p.quote for p in predicted])
    return [(gold[i], predicted[j]) for i, j in pairs]


def same_speaker(gold: Item, predicted: Item) -> bool:
    if gold.speaker_name:
        return bool(predicted.speaker_name) and names_match(
            gold.speaker_name, predicted.speaker_name
        )
    if gold.speaker is None:
        return predicted.speaker is None and not predicted.speaker_name
    return predicted.speaker is not None and overlaps(gold.speaker, predicted.speaker)
