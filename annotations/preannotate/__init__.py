"""Rule-based pre-annotation: text in, quotes, speakers, cues and attributions out.

Pure and deterministic, no model files: annotators correct these predictions
instead of labelling from scratch. `known_speakers` (alias -> canonical name,
keys lower-cased) lets the speaker registry name speakers the text only calls
by a short name.
"""

from __future__ import annotations

import re
from statistics import fmean

from annotations.preannotate.attribute import Attribution, Found, attribute
from annotations.preannotate.lexicon import (
    COMMITMENT_VERBS,
    DEMAND_CUES,
    FIRST_PERSON,
    FORM_TO_BASE,
    MODALS_OF_FUTURE,
)
from annotations.preannotate.speakers import Mention
from annotations.records import (
    AnnotationKind,
    AnnotationRecord,
    AttributionRecord,
    RelationRecord,
    SpanRecord,
    sort_annotation,
)
from annotations.scheme import COREF, CUE, QUOTE, SPEAKER

MODEL_VERSION = "quote-rules-2"
WORD = re.compile(r"[\w’']+")


def preannotate(text: str, *, known_speakers: dict[str, str] | None = None) -> AnnotationRecord:
    """A prediction for one document: every quote found, with its cue and speaker."""
    return to_record(text, attribute(text, known_speakers))


def to_record(text: str, result: Attribution) -> AnnotationRecord:
    spans: dict[tuple[str, int, int], SpanRecord] = {}

    def span(label: str, start: int, end: int) -> str:
        key = (label, start, end)
        if key not in spans:
            prefix = label[0].lower()
            spans[key] = SpanRecord(f"{prefix}{len(spans) + 1}", label, start, end, text[start:end])
        return spans[key].id

    best: dict[tuple[int, int], Found] = {}
    for found in result.found:
        if found.quote not in best or found.score > best[found.quote].score:
            best[found.quote] = found
    attributions, scores = [], {}
    for found in best.values():
        quote = span(QUOTE, *found.quote)
        speaker = span(SPEAKER, found.speaker.start, found.speaker.end) if found.speaker else None
        cue = span(CUE, *found.cue.chars) if found.cue is not None else None
        attributions.append(
            AttributionRecord(
                quote=quote,
                speaker=speaker,
                cue=cue,
                speaker_name=found.entity,
                quote_type=found.quote_type,
                claim_type=claim_hint(text[found.quote[0] : found.quote[1]], found),
            )
        )
        scores[quote] = round(found.score, 2)
    relations = _coref(result.mentions, spans, span)
    record = AnnotationRecord(
        kind=AnnotationKind.PREDICTION,
        spans=list(spans.values()),
        attributions=attributions,
        relations=relations,
        model_version=MODEL_VERSION,
        score=round(fmean(scores.values()), 3) if scores else None,
        provenance={"model_version": MODEL_VERSION, "scores": scores, "suggested": ["claim_type"]},
    )
    return _renumber(sort_annotation(record))


def _coref(mentions: list[Mention], spans: dict, span) -> list[RelationRecord]:
    relations = []
    used = {(key[1], key[2]) for key in spans if key[0] == SPEAKER}
    for mention in mentions:
        if mention.kind != "pronoun" or mention.antecedent is None:
            continue
        if (mention.start, mention.end) not in used:
            continue
        antecedent = mention.antecedent
        relations.append(
            RelationRecord(
                COREF,
                span(SPEAKER, mention.start, mention.end),
                span(SPEAKER, antecedent.start, antecedent.end),
            )
        )
    return relations


def _renumber(record: AnnotationRecord) -> AnnotationRecord:
    """Span ids q1, s1, c1 … in reading order, so identical input gives identical output."""
    counters: dict[str, int] = {}
    new_ids = {}
    for span in record.spans:
        prefix = span.label[0].lower()
        counters[prefix] = counters.get(prefix, 0) + 1
        new_ids[span.id] = f"{prefix}{counters[prefix]}"
    record.spans = [_with_id(s, new_ids[s.id]) for s in record.spans]
    record.attributions = [
        AttributionRecord(
            quote=new_ids[a.quote],
            speaker=new_ids.get(a.speaker),
            cue=new_ids.get(a.cue),
            speaker_name=a.speaker_name,
            quote_type=a.quote_type,
            stance=a.stance,
            claim_type=a.claim_type,
        )
        for a in record.attributions
    ]
    record.relations = [
        RelationRecord(r.type, new_ids[r.source], new_ids[r.target]) for r in record.relations
    ]
    record.provenance["scores"] = {
        new_ids[key]: value for key, value in record.provenance["scores"].items()
    }
    return record


def _with_id(span: SpanRecord, new_id: str) -> SpanRecord:
    return SpanRecord(new_id, span.label, span.start, span.end, span.text, span.fragments)


def claim_hint(quote: str, found: Found) -> str:
    """A suggested claim type where the form gives it away; empty when it does not."""
    if quote.rstrip("”\"’'»“ ").endswith("?"):
        return "question"
    if found.cue is not None and (found.cue.phrase in DEMAND_CUES or found.cue.base in DEMAND_CUES):
        return "demand"
    words = WORD.findall(quote.lower())
    future = [i for i, w in enumerate(words) if w in MODALS_OF_FUTURE]
    if future:
        commits = any(FORM_TO_BASE.get(w, w) in COMMITMENT_VERBS for w in words[future[0] :])
        if FIRST_PERSON & set(words[: future[0] + 1]) and commits:
            return "commitment"
        return "prediction"
    return ""


__all__ = ["MODEL_VERSION", "claim_hint", "preannotate"]
