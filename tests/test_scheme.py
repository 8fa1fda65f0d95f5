import xml.etree.ElementTree as ET

import pytest

from annotations.records import AnnotationRecord, AttributionRecord, RelationRecord, SpanRecord
from annotations.scheme import (
    QUOTES_V1,
    UnknownScheme,
    complete_attributions,
    get_scheme,
    render_label_config,
    validate_annotation,
)

TEXT = '"We will win," said Ana. She added that it was close.'


def annotation(spans=(), attributions=(), relations=()):
    return AnnotationRecord(
        kind="human", spans=list(spans), attributions=list(attributions), relations=list(relations)
    )


QUOTE = SpanRecord("q1", "Quote", 0, 14, '"We will win,"')
SPEAKER = SpanRecord("s1", "Speaker", 20, 23, "Ana")
CUE = SpanRecord("c1", "Cue", 15, 19, "said")
PRONOUN = SpanRecord("s2", "Speaker", 25, 28, "She")


def test_a_valid_annotation_has_no_problems():
    valid = annotation(
        [QUOTE, SPEAKER, CUE, PRONOUN],
        [AttributionRecord("q1", "s1", "c1", "Ana", "direct", "support", "prediction")],
        [RelationRecord("coref", "s2", "s1")],
    )
    assert validate_annotation(QUOTES_V1, TEXT, valid) == []


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            annotation([SpanRecord("x", "Person", 0, 3, '"We')]),
            "span 'x': unknown label 'Person' (the scheme has Quote, Speaker, Cue)",
        ),
        (
            annotation([SpanRecord("x", "Quote", 40, 99, "")]),
            "span 'x': offsets 40..99 are out of range (need 0 <= start < end <= 53, "
            "the document's length)",
        ),
        (
            annotation([SpanRecord("x", "Quote", 5, 5, "")]),
            "span 'x': offsets 5..5 are out of range",
        ),
        (
            annotation([SpanRecord("x", "Speaker", 20, 23, "Bob")]),
            "span 'x': text 'Bob' does not match the document text at 20..23, which is 'Ana'",
        ),
        (
            annotation([QUOTE, SPEAKER], [AttributionRecord("s1")]),
            "attribution #1 (quote 's1'): its quote 's1' is a Speaker span, not a Quote span",
        ),
        (
            annotation([QUOTE], [AttributionRecord("q1", speaker="s9")]),
            "attribution #1 (quote 'q1'): its speaker 's9' is not a span of this annotation",
        ),
        (
            annotation([QUOTE], [AttributionRecord("q1", stance="furious")]),
            "attribution #1 (quote 'q1'): unknown stance 'furious' (allowed: support, oppose, "
            "neutral)",
        ),
        (
            annotation([QUOTE], [AttributionRecord("q1", claim_type="rumour")]),
            "unknown claim_type 'rumour'",
        ),
        (
            annotation([QUOTE], [AttributionRecord("q1"), AttributionRecord("q1")]),
            "attribution #2 (quote 'q1'): the quote has more than one attribution",
        ),
        (
            annotation([SPEAKER], relations=[RelationRecord("coref", "s2", "s1")]),
            "relation #1 (coref 's2' -> 's1'): dangling relation: its source 's2' is not a span",
        ),
        (
            annotation([SPEAKER, QUOTE], relations=[RelationRecord("coref", "q1", "s1")]),
            "its source 'q1' is a Quote span, not a Speaker span",
        ),
        (
            annotation([SPEAKER, QUOTE], relations=[RelationRecord("said_by", "q1", "s1")]),
            "said_by is expressed by the quote's attribution, not as a relation",
        ),
        (
            annotation([SPEAKER], relations=[RelationRecord("likes", "s1", "s1")]),
            "unknown relation type 'likes'",
        ),
        (
            annotation([QUOTE, SpanRecord("q1", "Quote", 0, 3, '"We')]),
            "span 'q1': the id is used by more than one span",
        ),
    ],
)
def test_each_problem_has_a_precise_message(record, message):
    problems = validate_annotation(QUOTES_V1, TEXT, record)
    assert any(message in problem for problem in problems), problems


def test_discontinuous_fragments_must_be_ordered_and_inside_the_span():
    good = SpanRecord("q", "Quote", 0, 23, TEXT[0:23], ((0, 14), (20, 23)))
    assert validate_annotation(QUOTES_V1, TEXT, annotation([good])) == []
    overlapping = SpanRecord("q", "Quote", 0, 23, TEXT[0:23], ((0, 14), (10, 23)))
    assert "must be ordered" in validate_annotation(QUOTES_V1, TEXT, annotation([overlapping]))[0]
    outside = SpanRecord("q", "Quote", 0, 23, TEXT[0:23], ((1, 14), (20, 23)))
    assert "must begin at start 0" in validate_annotation(QUOTES_V1, TEXT, annotation([outside]))[0]


def test_complete_attributions_gives_every_quote_one():
    completed = complete_attributions(annotation([QUOTE, SPEAKER]))
    assert completed.attributions == [AttributionRecord("q1")]


def test_label_config_is_valid_xml_with_every_label_choice_and_hotkey():
    root = ET.fromstring(render_label_config(QUOTES_V1))
    labels = root.find("Labels")
    assert labels.get("name") == "span" and labels.get("toName") == "text"
    assert [(label.get("value"), label.get("hotkey")) for label in labels] == [
        ("Quote", "1"),
        ("Speaker", "2"),
        ("Cue", "3"),
    ]
    assert [r.get("value") for r in root.find("Relations")] == [
        "said_by",
        "cue",
        "coref",
        "continues",
    ]
    per_quote = root.find("View")
    assert per_quote.get("visibleWhen") == "region-selected"
    assert per_quote.get("whenLabelValue") == "Quote"
    choices = {c.get("name"): [x.get("value") for x in c] for c in per_quote.iter("Choices")}
    assert choices == {c.name: list(c.allowed()) for c in QUOTES_V1.choices}
    assert all(c.get("perRegion") == "true" for c in per_quote.iter("Choices"))
    hotkeys = [e.get("hotkey") for e in root.iter() if e.get("hotkey")]
    assert len(hotkeys) == len(set(hotkeys)) == 3 + sum(len(c.values) for c in QUOTES_V1.choices)
    # Label Studio 1.23's own single-key shortcuts (its keymap) must stay free.
    assert not set(hotkeys) & {"u", "h", "backspace", "delete", "enter", "escape", "left", "right"}


def test_unknown_scheme_names_the_known_ones():
    with pytest.raises(
        UnknownScheme, match="unknown label scheme 'quotes-v9' \\(known: quotes-v1\\)"
    ):
        get_scheme("quotes-v9")


def test_the_screen_is_laid_out_and_a_quotes_questions_dock_while_it_is_selected():
    from xml.etree import ElementTree

    config = ElementTree.fromstring(render_label_config(QUOTES_V1))
    assert "line-height" in config.find("Style").text
    card = config.find("View[@className='quote-card']")
    assert (card.get("visibleWhen"), card.get("whenLabelValue")) == ("region-selected", "Quote")
    asked = [c.get("name") for c in card.iter() if c.get("perRegion") == "true"]
    assert asked == [*(c.name for c in QUOTES_V1.choices), QUOTES_V1.speaker_name_control]
    hotkeys = [c.get("hotkey") for c in config.iter() if c.get("hotkey")]
    assert len(hotkeys) == len(set(hotkeys)), "every label and answer has a key of its own"
