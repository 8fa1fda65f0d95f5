"""Hypothesis strategies for documents and annotations that satisfy the scheme."""

from hypothesis import strategies as st

from annotations.records import AnnotationRecord, AttributionRecord, RelationRecord, SpanRecord
from annotations.scheme import QUOTES_V1

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200)


@st.composite
def annotations(draw, text: str | None = None, max_spans: int = 8):
    """(text, annotation) with valid spans, one attribution per quote and coref links."""
    text = text if text is not None else draw(texts)
    count = draw(st.integers(0, max_spans if len(text) > 0 else 0))
    spans = []
    for index in range(count):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        label = draw(st.sampled_from(QUOTES_V1.label_names()))
        spans.append(SpanRecord(f"r{index}", label, start, end, text[start:end]))
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
