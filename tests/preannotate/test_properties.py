"""Whatever the text, the attributor returns a valid annotation of it."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.preannotate import preannotate
from annotations.scheme import QUOTES_V1, validate_annotation

# Text made of the pieces the rules look at, so the rules actually fire.
pieces = st.sampled_from(
    ['"', "“", "”", "‘", "’", "'", "«", "»", "„", " said ", " says ", " told reporters ",
     " according to ", " he ", " She ", " they ", " that ", ", ", ". ", "? ", "\n", " and ",
     "Ana Ruiz", "The union", "Dr. Lee", " the plan would fail", " We won", "…", " who ",
     " was ", " asked ", " called on ", " it ", ":", "U.S.", " Mr."]
)  # fmt: skip
newsy = st.lists(pieces, max_size=40).map("".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(newsy, st.text(max_size=300)))
def test_any_text_gives_a_valid_annotation(text):
    record = preannotate(text)
    assert validate_annotation(QUOTES_V1, text, record) == []
    for span in record.spans:
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
    ids = {span.id for span in record.spans}
    for attribution in record.attributions:
        assert {attribution.quote, attribution.speaker or attribution.quote,
                attribution.cue or attribution.quote} <= ids  # fmt: skip
    for relation in record.relations:
        assert {relation.source, relation.target} <= ids


@given(newsy)
def test_the_same_text_gives_the_same_prediction(text):
    assert preannotate(text) == preannotate(text)
