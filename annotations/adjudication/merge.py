"""Merging annotators' versions of a document into one gold version. Pure.

The versions' quotes are grouped into units (a quote and its overlapping
counterparts). A unit everyone marked identically (same quote, speaker mention,
cue, speaker and choices) is agreed and merged as it is; for the others the
reviewer decides, starting from the version most annotators share. The reviewer
may also redraw a quote's, speaker mention's or cue's boundaries and add quotes
that no annotator marked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from annotations.agreement import quote_units
from annotations.agreement import quotes as quote_views
from annotations.matching import Extent, names_match
from annotations.records import (
    AnnotationKind,
    AnnotationRecord,
    AttributionRecord,
    RelationRecord,
    SpanRecord,
    join_pieces,
    sort_annotation,
    span_of_pieces,
)
from annotations.scheme import CUE, QUOTE, SPEAKER, Scheme

CHOICES = ("quote_type", "stance", "claim_type")
PARTS = ("quote", "speaker", "cue")
PART_LABELS = {"quote": QUOTE, "speaker": SPEAKER, "cue": CUE}


@dataclass(frozen=True)
class Candidate:
    """One annotator's version of a quote, with the spans it points at."""

    annotator: str
    quote: SpanRecord
    speaker: SpanRecord | None
    cue: SpanRecord | None
    attribution: AttributionRecord
    # The named mention a pronoun speaker refers to (coref), if any.
    antecedent: SpanRecord | None = None

    def completeness(self) -> int:
        """How much of the attribution is filled in."""
        parts = [self.speaker, self.cue, self.attribution.speaker_name]
        parts += [getattr(self.attribution, c) for c in CHOICES]
        return sum(1 for part in parts if part)

    def signature(self) -> tuple:
        extent = lambda span: span.pieces if span else None  # noqa: E731
        return (
            extent(self.quote),
            extent(self.speaker),
            extent(self.cue),
            tuple(getattr(self.attribution, c) for c in CHOICES),
        )


@dataclass
class Unit:
    index: int
    candidates: dict[str, Candidate]
    annotators: tuple[str, ...]

    @property
    def agreed(self) -> bool:
        """Everyone marked this quote, the same way."""
        if set(self.candidates) != set(self.annotators):
            return False
        first, *others = self.candidates.values()
        return all(
            other.signature() == first.signature()
            and _same_name(other.attribution.speaker_name, first.attribution.speaker_name)
            for other in others
        )

    def majority(self) -> str:
        """The annotator whose version most others share; on a tie the most complete one,
        then the first by name."""
        counts = Counter(candidate.signature() for candidate in self.candidates.values())

        def rank(name: str) -> tuple:
            candidate = self.candidates[name]
            return (-counts[candidate.signature()], -candidate.completeness(), name)

        return min(self.candidates, key=rank)

    def differs(self, field_name: str) -> bool:
        """Whether the versions disagree on one field (quote, speaker, cue, a choice, name)."""
        if set(self.candidates) != set(self.annotators):
            return True
        values = {self._value(c, field_name) for c in self.candidates.values()}
        if field_name == "speaker_name":
            names = [c.attribution.speaker_name for c in self.candidates.values()]
            return not all(_same_name(names[0], other) for other in names[1:])
        return len(values) > 1

    @staticmethod
    def _value(candidate: Candidate, field_name: str):
        if field_name in ("quote", "speaker", "cue"):
            span = getattr(candidate, field_name)
            return span.pieces if span else None
        return getattr(candidate.attribution, field_name)


@dataclass
class Decision:
    """What the reviewer keeps for one unit: whose quote, and any fields changed."""

    take: str | None  # annotator whose quote is used; None leaves the quote out
    speaker_from: str | None = None  # whose speaker mention; "" for none; None = take's
    cue_from: str | None = None
    speaker_name: str | None = None
    choices: dict[str, str] = field(default_factory=dict)
    # Boundaries the reviewer drew for "quote", "speaker" or "cue", in place of a version's.
    extents: dict[str, Extent] = field(default_factory=dict)


@dataclass
class NewQuote:
    """A quote no annotator marked, added by the reviewer."""

    quote: Extent
    speaker: Extent | None = None
    cue: Extent | None = None
    speaker_name: str = ""
    choices: dict[str, str] = field(default_factory=dict)


def extent_problem(text: str, extent: Extent) -> str | None:
    """Why the pieces cannot bound a span of the text, or None when they can."""
    if not extent:
        return "has no place in the text"
    for start, end in extent:
        if not 0 <= start < end <= len(text):
            return f"{start}-{end} is not a stretch of the text (0-{len(text)})"
        if not text[start:end].strip():
            return f"{start}-{end} holds only white space"
    return None


def extent_span(text: str, label: str, extent: Extent) -> SpanRecord:
    """The span over these pieces, each without white space at its edges."""
    pieces = []
    for start, end in extent:
        start += len(text[start:end]) - len(text[start:end].lstrip())
        end -= len(text[start:end]) - len(text[start:end].rstrip())
        pieces.append((start, end))
    return span_of_pieces(f"{label}:{join_pieces(pieces)}", label, pieces, text)


def units(versions: dict[str, AnnotationRecord], scheme: Scheme) -> list[Unit]:
    """The quotes of all versions, grouped; in reading order."""
    views = {name: quote_views(record, scheme) for name, record in versions.items()}
    candidates = {name: _candidates(name, record) for name, record in versions.items()}
    annotators = tuple(sorted(versions))
    result = []
    for grouped in quote_units(views):
        members = {name: candidates[name][view.quote] for name, view in grouped.items()}
        result.append(Unit(0, members, annotators))
    result.sort(key=lambda u: min((c.quote.start, c.quote.end) for c in u.candidates.values()))
    for index, unit in enumerate(result):
        unit.index = index
    return result


def _candidates(annotator: str, record: AnnotationRecord) -> dict[Extent, Candidate]:
    spans = record.span_by_id()
    antecedents = {r.source: spans.get(r.target) for r in record.relations}
    found = {}
    for attribution in record.attributions:
        quote = spans.get(attribution.quote)
        if quote is None:
            continue
        speaker = spans.get(attribution.speaker) if attribution.speaker else None
        found[quote.pieces] = Candidate(
            annotator,
            quote,
            speaker,
            spans.get(attribution.cue) if attribution.cue else None,
            attribution,
            antecedents.get(attribution.speaker) if speaker else None,
        )
    return found


def default_decisions(all_units: list[Unit]) -> dict[int, Decision]:
    """Agreed units merge as they are; the others start from the majority version."""
    return {unit.index: Decision(take=unit.majority()) for unit in all_units}


def build_gold(
    all_units: list[Unit],
    decisions: dict[int, Decision],
    *,
    text: str | None = None,
    added: Sequence[NewQuote] = (),
) -> AnnotationRecord:
    """The gold annotation the decisions describe, with fresh span ids in reading order.

    `text` is the document's text; it is needed when the reviewer drew boundaries
    (`Decision.extents`) or added quotes, whose offsets must pass `extent_problem`.
    """
    if text is None and (added or any(d.extents for d in decisions.values())):
        raise ValueError("boundaries drawn by the reviewer need the document text")
    spans: dict[tuple[str, Extent], SpanRecord] = {}

    def drawn(extent: Extent | None, label: str) -> SpanRecord | None:
        return None if extent is None else extent_span(text, label, extent)

    def add(span: SpanRecord | None, label: str) -> str | None:
        if span is None:
            return None
        key = (label, span.pieces)
        if key not in spans:
            spans[key] = replace(span, id=f"{label}:{span.pieces}")
        return spans[key].id

    attributions, relations = [], []
    for unit in all_units:
        decision = decisions.get(unit.index)
        if decision is None or decision.take is None:
            continue
        chosen = unit.candidates[decision.take]
        speaker_source = _source(unit, decision.speaker_from, chosen)
        cue_source = _source(unit, decision.cue_from, chosen)
        quote_span = drawn(decision.extents.get("quote"), QUOTE) or chosen.quote
        speaker_span = drawn(decision.extents.get("speaker"), SPEAKER) or (
            speaker_source.speaker if speaker_source else None
        )
        cue_span = drawn(decision.extents.get("cue"), CUE) or (
            cue_source.cue if cue_source else None
        )
        speaker = add(speaker_span, SPEAKER)
        if speaker and speaker_source is not None and speaker_source.antecedent is not None:
            target = add(speaker_source.antecedent, SPEAKER)
            if target != speaker:
                relations.append(RelationRecord("coref", speaker, target))
        values = {c: decision.choices.get(c, getattr(chosen.attribution, c)) for c in CHOICES}
        name = (
            chosen.attribution.speaker_name
            if decision.speaker_name is None
            else decision.speaker_name
        )
        attributions.append(
            AttributionRecord(
                quote=add(quote_span, QUOTE),
                speaker=speaker,
                cue=add(cue_span, CUE),
                speaker_name=" ".join(name.split()),
                **values,
            )
        )
    for new in added:
        attributions.append(
            AttributionRecord(
                quote=add(drawn(new.quote, QUOTE), QUOTE),
                speaker=add(drawn(new.speaker, SPEAKER), SPEAKER),
                cue=add(drawn(new.cue, CUE), CUE),
                speaker_name=" ".join(new.speaker_name.split()),
                **{c: new.choices.get(c, "") for c in CHOICES},
            )
        )
    record = AnnotationRecord(
        kind=AnnotationKind.GOLD,
        spans=list(spans.values()),
        attributions=attributions,
        relations=list(dict.fromkeys(relations)),
    )
    return _renumber(sort_annotation(record))


def _source(unit: Unit, annotator: str | None, chosen: Candidate) -> Candidate | None:
    if annotator is None:
        return chosen
    if annotator == "":
        return None
    return unit.candidates.get(annotator, chosen)


def _renumber(record: AnnotationRecord) -> AnnotationRecord:
    counters: Counter = Counter()
    new_ids = {}
    for span in record.spans:
        prefix = span.label[0].lower()
        counters[prefix] += 1
        new_ids[span.id] = f"{prefix}{counters[prefix]}"
    return replace(
        record,
        spans=[replace(s, id=new_ids[s.id]) for s in record.spans],
        attributions=[
            replace(
                a, quote=new_ids[a.quote], speaker=new_ids.get(a.speaker), cue=new_ids.get(a.cue)
            )
            for a in record.attributions
        ],
        relations=[
            RelationRecord(r.type, new_ids[r.source], new_ids[r.target]) for r in record.relations
        ],
    )


def _same_name(a: str, b: str) -> bool:
    return a == b or (bool(a) and bool(b) and names_match(a, b))
