"""Scoring predicted attributions against gold ones. Pure.

Quotes match exactly (after trimming punctuation and quote marks from the ends
of every piece) or by overlap (character Jaccard of the pieces >= 0.5), one to
one, best first; a split quote counts its pieces, never the words between them. On the
overlap matches, the speaker is right when it names the same entity (names
equal, or one a subset of the other with the same last word: "Ushakov" and
"Yury Ushakov"; for an anonymous gold speaker, the same mention), and the cue
is right when the cue spans overlap (or both are absent). A third, gentle measure
counts a gold quote found when one prediction covers at least 30% of it (one to
one), the measure used for direct quotes, whose marks make the extent certain.

A corpus without quote types (PolNeAR) is scored by form: `types="form"` types
gold and predicted quotes alike by their quote marks (`quote_type_by_form`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from annotations.matching import Extent, covered, names_match, overlaps
from annotations.matching import match as match_extents
from annotations.records import AnnotationRecord

TRIM = " \t\n\"“”‘’'«»„‹›.,;:!?…—–-"
GENTLE = 0.3
OPENING = "\"“„«‘'"
CLOSING = "\"”»’'"


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
    """Per kind of match: gold quotes found (recall) and predictions right (precision);
    by quote type the two differ when a match joins quotes of different forms."""

    gold: int = 0
    predicted: int = 0
    found: Counter = field(default_factory=Counter)
    right: Counter = field(default_factory=Counter)

    def scores(self, kind: str) -> dict[str, float]:
        precision = self.right[kind] / self.predicted if self.predicted else 0.0
        recall = self.found[kind] / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": precision, "recall": recall, "f1": f1}


KINDS = ("exact", "overlap", "gentle")


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
            "quotes": {kind: self.quotes.scores(kind) for kind in KINDS},
            "quotes_by_type": {
                t: {kind: c.scores(kind) for kind in KINDS} for t, c in sorted(self.by_type.items())
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


def evaluate(
    pairs: Iterable[tuple[str, AnnotationRecord, AnnotationRecord]], *, types: str = "given"
) -> Report:
    """Score (text, gold, predicted) triples; `types="form"` types every quote by its marks."""
    if types not in ("given", "form"):
        raise ValueError(f"types: 'given' or 'form', not {types!r}")
    report = Report()
    for text, gold, predicted in pairs:
        gold_items, predicted_items = items(gold), items(predicted)
        if types == "form":
            gold_items = [by_form(text, item) for item in gold_items]
            predicted_items = [by_form(text, item) for item in predicted_items]
        _score_document(report, text, gold_items, predicted_items)
    return report


def by_form(text: str, item: Item) -> Item:
    return Item(
        item.quote,
        quote_type_by_form(text, item.quote),
        item.speaker,
        item.speaker_name,
        item.cue,
    )


def quote_type_by_form(text: str, extent: Extent) -> str:
    """direct: every piece opens and closes with quote marks (what stands outside them
    is punctuation); mixed: marks inside; indirect: none."""
    pieces = [text[start:end].strip(" \t\n.,;:!?…—–-") for start, end in extent]
    pieces = [piece for piece in pieces if piece]
    if not pieces:
        return "indirect"
    if all(p[0] in OPENING and p[-1] in CLOSING and len(p) > 1 for p in pieces):
        return "direct"
    marks = sum(text.count(mark, start, end) for start, end in extent for mark in '"“”„«»')
    marks += sum(text.count("''", start, end) for start, end in extent)
    return "mixed" if marks >= 2 else "indirect"


def _score_document(report: Report, text: str, gold: list[Item], predicted: list[Item]) -> None:
    report.quotes.gold += len(gold)
    report.quotes.predicted += len(predicted)
    for item in gold:
        report.by_type[item.quote_type or "untyped"].gold += 1
    for item in predicted:
        report.by_type[item.quote_type or "untyped"].predicted += 1

    def hit(measure: str, g: Item, p: Item) -> None:
        report.quotes.found[measure] += 1
        report.quotes.right[measure] += 1
        report.by_type[g.quote_type or "untyped"].found[measure] += 1
        report.by_type[p.quote_type or "untyped"].right[measure] += 1

    for g, p in match_exact(text, gold, predicted):
        hit("exact", g, p)
    for g, p in gentle_match(gold, predicted):
        hit("gentle", g, p)
    for g, p in match(gold, predicted):
        kind = g.quote_type or "untyped"
        hit("overlap", g, p)
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


def match_exact(text: str, gold: list[Item], predicted: list[Item]) -> list[tuple[Item, Item]]:
    """One-to-one pairs with the same pieces once trimmed."""
    pairs = match_extents(
        [trimmed(text, g.quote) for g in gold],
        [trimmed(text, p.quote) for p in predicted],
        exact=True,
    )
    return [(gold[i], predicted[j]) for i, j in pairs]


def match(gold: list[Item], predicted: list[Item]) -> list[tuple[Item, Item]]:
    """One-to-one pairs with Jaccard >= 0.5, the best overlaps first."""
    pairs = match_extents([g.quote for g in gold], [p.quote for p in predicted])
    return [(gold[i], predicted[j]) for i, j in pairs]


def gentle_match(gold: list[Item], predicted: list[Item]) -> list[tuple[Item, Item]]:
    """One-to-one pairs where the prediction covers >= 30% of the gold, most covered first."""
    pairs = match_extents(
        [g.quote for g in gold], [p.quote for p in predicted], threshold=GENTLE, score=covered
    )
    return [(gold[i], predicted[j]) for i, j in pairs]


def same_speaker(gold: Item, predicted: Item) -> bool:
    if gold.speaker_name:
        return bool(predicted.speaker_name) and names_match(
            gold.speaker_name, predicted.speaker_name
        )
    if gold.speaker is None:
        return predicted.speaker is None and not predicted.speaker_name
    return predicted.speaker is not None and overlaps(gold.speaker, predicted.speaker)
