"""A document's review as the reviewer sees it, and what the reviewer's answers mean. Pure.

Both the admin's review page and the API render `review_rows`; both turn what
the reviewer sent into `Answer`s and the answers into decisions here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from annotations.adjudication.merge import (
    CHOICES,
    PARTS,
    Decision,
    Unit,
    default_decisions,
)
from annotations.matching import Extent, match
from annotations.records import AnnotationRecord, AttributionRecord, SpanRecord

# --- what a reviewer sees ----------------------------------------------------------------


@dataclass
class GoldView:
    """What the current gold says about a unit's quote; `absent` when it left it out."""

    absent: bool = False
    attribution: AttributionRecord | None = None
    # The gold's quote, speaker and cue spans for it.
    spans: dict[str, SpanRecord | None] = field(default_factory=dict)


@dataclass
class ReviewRow:
    """One quote unit as a reviewer sees it: the versions, where they differ, the gold."""

    unit: Unit
    default: str
    text: str
    differs: dict[str, bool]
    gold: GoldView | None
    # Boundaries the gold has for this quote that no version has: the reviewer drew them.
    drawn: dict[str, Extent]


@dataclass
class AddedRow:
    """A quote of the gold that no version has: the reviewer added it."""

    attribution: AttributionRecord
    spans: dict[str, SpanRecord | None]


FIELDS = ("quote", "speaker", "cue", "speaker_name", *CHOICES)


def review_rows(
    all_units: list[Unit], gold: AnnotationRecord | None
) -> tuple[list[ReviewRow], list[AddedRow]]:
    """The rows of a document's review: one per unit, then the quotes the gold added."""
    rows = []
    for unit in all_units:
        default = unit.majority()
        found = _gold_for(unit, gold)
        rows.append(
            ReviewRow(
                unit=unit,
                default=default,
                text=unit.candidates[default].quote.text,
                differs={name: unit.differs(name) for name in FIELDS},
                gold=found,
                drawn=_drawn(unit, found),
            )
        )
    return rows, _added(all_units, gold)


def _gold_parts(gold: AnnotationRecord, attribution: AttributionRecord) -> dict:
    spans = gold.span_by_id()
    return {part: spans.get(getattr(attribution, part)) for part in PARTS}


def _gold_for(unit: Unit, gold: AnnotationRecord | None) -> GoldView | None:
    if gold is None:
        return None
    extents = [c.quote.pieces for c in unit.candidates.values()]
    for attribution in gold.attributions:
        parts = _gold_parts(gold, attribution)
        if parts["quote"] and any(match([e], [parts["quote"].pieces]) for e in extents):
            return GoldView(False, attribution, parts)
    return GoldView(absent=True)


def _drawn(unit: Unit, found: GoldView | None) -> dict[str, Extent]:
    if found is None or found.absent:
        return {}
    drawn = {}
    for part, span in found.spans.items():
        versions = {_pieces(getattr(c, part)) for c in unit.candidates.values()}
        if span is not None and span.pieces not in versions:
            drawn[part] = span.pieces
    return drawn


def _added(all_units: list[Unit], gold: AnnotationRecord | None) -> list[AddedRow]:
    if gold is None:
        return []
    extents = [c.quote.pieces for unit in all_units for c in unit.candidates.values()]
    added = []
    for attribution in gold.attributions:
        parts = _gold_parts(gold, attribution)
        if parts["quote"] is None or (extents and match(extents, [parts["quote"].pieces])):
            continue
        added.append(AddedRow(attribution, parts))
    return added


def _pieces(span: SpanRecord | None) -> Extent | None:
    return span.pieces if span is not None else None


# --- what the reviewer's answers mean ---------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A reviewer's answer about one unit, however it came (the admin's form, the API)."""

    unit: int
    take: str | None
    speaker_from: str | None = None
    cue_from: str | None = None
    speaker_name: str | None = None
    # A choice set to "" is unset; one not given keeps the taken version's.
    choices: dict[str, str] = field(default_factory=dict)
    extents: dict[str, Extent] = field(default_factory=dict)


def decisions_from(all_units: list[Unit], answers: Sequence[Answer]) -> dict[int, Decision]:
    """The decisions: every unit's default, changed where the reviewer answered."""
    decisions = default_decisions(all_units)
    for answer in answers:
        decisions[answer.unit] = Decision(
            take=answer.take,
            speaker_from=answer.speaker_from,
            cue_from=answer.cue_from,
            speaker_name=answer.speaker_name,
            choices=dict(answer.choices),
            extents=dict(answer.extents),
        )
    return decisions
