"""Hypothesis strategies for documents and annotations that satisfy the scheme."""

from hypothesis import strategies as st

from annotations.records import (
    AnnotationRecord,
    AttributionRecord,
    RelationRecord,
    SpanRecord,
    span_of_pieces,
)
from annotations.scheme import QUOTES_V1

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200)


@st.composite
def annotations(draw, text: str | None = None, max_spans: int = 8):
    """(text, annotation) with valid spans (some split into pieces), one attribution per
    quote and coref links."""
    text = text if text is not None else draw(texts)
    count = draw(st.integers(0, max_spans if len(text) > 0 else 0))
    spans = []
    for index in range(count):
        label = draw(st.sampled_from(QUOTES_V1.label_names()))
        spans.append(draw(span(text, f"r{index}", label)))
    quotes = [s for s in spans if s.label == "Quote"]
    speakers = [s for s in spans if s.label == "Speaker"]
    cues = [s for s in spans if s.label == "Cue"]
    attributions = []
    for quote in quotes:
        choice = {c.name: draw(st.sampled_from(("", *c.allowed()))) for c in QUOTES_V1.choices}
        attributions.append(
            AttributionRecord(
                quote=quote.id,
                speaker=draw(st.none() | st.sampled_from([s.id for s in speakers]))
                if speakers
                else None,
                cue=draw(st.none() | st.sampled_from([c.id for c in cues])) if cues else None,
                speaker_name=draw(st.sampled_from(["", "Yury Ushakov", "Donald Trump"])),
                **choice,
            )
        )
    relations = []
    if len(speakers) >= 2:
        for mention in speakers[1:]:
            if draw(st.booleans()):
                relations.append(RelationRecord("coref", mention.id, speakers[0].id))
    return text, AnnotationRecord(
        kind="human", spans=spans, attributions=attributions, relations=relations
    )


@st.composite
def span(draw, text: str, span_id: str, label: str) -> SpanRecord:
    """A span of the text: contiguous, or split into pieces with gaps between them."""
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    if end - start < 3 or not draw(st.booleans()):
        return SpanRecord(span_id, label, start, end, text[start:end])
    cuts = sorted(draw(st.sets(st.integers(start + 1, end - 1), min_size=2, max_size=4)))
    bounds = [start, *cuts[: len(cuts) // 2 * 2], end]
    pieces = [(a, b) for a, b in zip(bounds[::2], bounds[1::2], strict=True) if a < b]
    return span_of_pieces(span_id, label, pieces, text)
