"""Rule-based pre-annotation: text in, quotes, speakers, cues and attributions out.

Pure and deterministic, no model files: annotators correct these predictions
instead of labelling from scratch. `known_speakers` (alias -> canonical name,
keys lower-cased) lets the speaker registry name speakers the text only calls
by a short name.
"""

from __future__ import annotations

import re
from dataclasses import replace
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
    span_of_pieces,
)
from annotations.scheme import COREF, CUE, QUOTE, SPEAKER

MODEL_VERSION = "quote-rules-4"
WORD = re.compile(r"[\w’']+")
LETTER = re.compile(r"\w")


def preannotate(text: str, *, known_speakers: dict[str, str] | None = None) -> AnnotationRecord:
    """A prediction for one document: every quote found, with its cue and speaker."""
    return to_record(text, attribute(text, known_speakers))


def to_record(
    text: str, result: Attribution, *, model_version: str = MODEL_VERSION
) -> AnnotationRecord:
    spans: dict[tuple[str, tuple[tuple[int, int], ...]], SpanRecord] = {}

    def span(label: str, *pieces: tuple[int, int]) -> str:
        key = (label, pieces)
        if key not in spans:
            prefix = label[0].lower()
            spans[key] = span_of_pieces(f"{prefix}{len(spans) + 1}", label, pieces, text)
        return spans[key].id

    best: dict[tuple[int, int], Found] = {}
    for found in result.found:
        if found.quote not in best or found.score > best[found.quote].score:
            best[found.quote] = found
    attributions, scores = [], {}
    for pieces, found in split_quotes(text, list(best.values())):
        if not any(LETTER.search(text, start, end) for start, end in pieces):
            continue  # no quote without a word in it
        quote = span(QUOTE, *pieces)
        speaker = span(SPEAKER, (found.speaker.start, found.speaker.end)) if found.speaker else None
        cue = span(CUE, found.cue.chars) if found.cue is not None else None
        words = " ".join(text[start:end] for start, end in pieces)
        attributions.append(
            AttributionRecord(
                quote=quote,
                speaker=speaker,
                cue=cue,
                speaker_name=found.entity,
                quote_type=found.quote_type,
                claim_type=claim_hint(words, found),
            )
        )
        scores[quote] = round(found.score, 2)
    relations = _coref(result.mentions, spans, span)
    record = AnnotationRecord(
        kind=AnnotationKind.PREDICTION,
        spans=list(spans.values()),
        attributions=attributions,
        relations=relations,
        model_version=model_version,
        score=round(fmean(scores.values()), 3) if scores else None,
        provenance={"model_version": model_version, "scores": scores, "suggested": ["claim_type"]},
    )
    return _renumber(sort_annotation(record))


def split_quotes(text: str, found: list[Found]) -> list[tuple[tuple[tuple[int, int], ...], Found]]:
    """Each quote's pieces: a quote resumed after its speaker and cue in the same
    paragraph ('"A," she said, "b."', '"A," she said. "B."') is one quote in two pieces;
    a paragraph that goes on with the quote is a quote of its own."""
    ordered = sorted(found, key=lambda f: f.quote)
    # Only quotes that share a cue can be one quote: look for partners among those.
    by_cue: dict[tuple[int, int], list[int]] = {}
    for index, item in enumerate(ordered):
        if item.cue is not None:
            by_cue.setdefault(item.cue.chars, []).append(index)
    merged: list[tuple[tuple[tuple[int, int], ...], Found]] = []
    taken: set[int] = set()
    for i, first in enumerate(ordered):
        if i in taken:
            continue
        sharing = by_cue.get(first.cue.chars, []) if first.cue is not None else []
        after = (j for j in sharing if j > i and j not in taken)
        partner = next((j for j in after if _continues(text, first, ordered[j])), None)
        if partner is None:
            merged.append(((first.quote,), first))
            continue
        second = ordered[partner]
        taken.add(partner)
        kind = first.quote_type if first.quote_type == second.quote_type else "mixed"
        score = max(first.score, second.score)
        merged.append(((first.quote, second.quote), replace(first, quote_type=kind, score=score)))
    return merged


def _continues(text: str, first: Found, second: Found) -> bool:
    """`second` goes on with `first`'s sentence after the cue they share."""
    if first.cue is None or second.cue is None or first.cue.chars != second.cue.chars:
        return False
    if _mention(first.speaker) != _mention(second.speaker):
        return False
    start, end = first.cue.chars
    if not (first.quote[1] <= start and end <= second.quote[0]):
        return False
    between = text[first.quote[1] : second.quote[0]]
    if "\n" in between:
        return False
    if second.quote_type == "direct" and first.quote_type == "direct":
        return True  # '"A," she said. "B."': resumed after the cue's sentence, still one
    return between.rstrip()[-1:] not in ("", ".", "!", "?")


def _mention(mention: Mention | None) -> tuple[int, int] | None:
    return (mention.start, mention.end) if mention is not None else None


def _coref(mentions: list[Mention], spans: dict, span) -> list[RelationRecord]:
    relations = []
    used = {key[1] for key in spans if key[0] == SPEAKER}
    for mention in mentions:
        if mention.kind != "pronoun" or mention.antecedent is None:
            continue
        if ((mention.start, mention.end),) not in used:
            continue
        antecedent = mention.antecedent
        relations.append(
            RelationRecord(
                COREF,
                span(SPEAKER, (mention.start, mention.end)),
                span(SPEAKER, (antecedent.start, antecedent.end)),
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


__all__ = ["MODEL_VERSION", "claim_hint", "preannotate", "to_record"]
