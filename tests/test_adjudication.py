"""Merge rules: agreed quotes merge as they are, the reviewer's decisions shape the rest."""

import pytest

from annotations.adjudication import (
    Decision,
    NewQuote,
    build_gold,
    default_decisions,
    extent_problem,
    units,
)
from annotations.records import AnnotationRecord, AttributionRecord, RelationRecord, SpanRecord
from annotations.scheme import QUOTES_V1, validate_annotation

TEXT = '"We won," said Ana Ruiz. She added that rain helped. Bo Li said the win was lucky.'


def span(i, label, text, occurrence=0):
    start = TEXT.find(text)
    for _ in range(occurrence):
        start = TEXT.find(text, start + 1)
    return SpanRecord(i, label, start, start + len(text), text)


def version(*quotes, relations=()):
    spans, attributions = {}, []
    for quote, speaker, cue, name, stance in quotes:
        for s in (quote, speaker, cue):
            if s is not None:
                spans[s.id] = s
        attributions.append(AttributionRecord(quote.id, speaker.id if speaker else None,
                                              cue.id if cue else None, name, "direct", stance))  # fmt: skip
    return AnnotationRecord(kind="human", spans=list(spans.values()), attributions=attributions,
                            relations=list(relations))  # fmt: skip


ANA, SAID = span("s1", "Speaker", "Ana Ruiz"), span("c1", "Cue", "said")
SHE, ADDED = span("s2", "Speaker", "She"), span("c2", "Cue", "added")
BO, SAID2 = span("s3", "Speaker", "Bo Li"), span("c3", "Cue", "said", 1)
Q1 = span("q1", "Quote", '"We won,"')
Q2 = span("q2", "Quote", "rain helped")
Q3 = span("q3", "Quote", "the win was lucky")

ANN = version((Q1, ANA, SAID, "Ana Ruiz", "support"), (Q2, SHE, ADDED, "Ana Ruiz", "neutral"),
              relations=[RelationRecord("coref", "s2", "s1")])  # fmt: skip
BOB = version((Q1, ANA, SAID, "Ruiz", "support"), (Q2, SHE, ADDED, "Ana Ruiz", "support"),
              (Q3, BO, SAID2, "Bo Li", "oppose"))  # fmt: skip


def test_units_group_quotes_and_say_where_versions_differ():
    found = units({"ann": ANN, "bob": BOB}, QUOTES_V1)
    assert [sorted(u.candidates) for u in found] == [["ann", "bob"], ["ann", "bob"], ["bob"]]
    first, second, third = found
    assert first.agreed  # "Ruiz" and "Ana Ruiz" name the same speaker
    assert not second.agreed and second.differs("stance") and not second.differs("speaker")
    assert not third.agreed and third.differs("quote")


def test_default_decisions_merge_agreed_quotes_and_take_the_majority_elsewhere():
    found = units({"ann": ANN, "bob": BOB}, QUOTES_V1)
    gold = build_gold(found, default_decisions(found))
    assert validate_annotation(QUOTES_V1, TEXT, gold) == []
    assert [s.text for s in gold.spans if s.label == "Quote"] == [
        '"We won,"',
        "rain helped",
        "the win was lucky",
    ]
    # A tie between two versions goes to the first annotator by name.
    assert [a.stance for a in gold.attributions] == ["support", "neutral", "oppose"]
    # The pronoun keeps its link to the named mention.
    spans = gold.span_by_id()
    [relation] = gold.relations
    assert (spans[relation.source].text, spans[relation.target].text) == ("She", "Ana Ruiz")


def test_reviewer_decisions_override_fields_pick_parts_and_drop_quotes():
    found = units({"ann": ANN, "bob": BOB}, QUOTES_V1)
    decisions = default_decisions(found)
    decisions[1] = Decision(take="ann", choices={"stance": "support", "claim_type": "opinion"},
                            speaker_name="Ana María Ruiz", cue_from="")  # fmt: skip
    decisions[2] = Decision(take=None)
    gold = build_gold(found, decisions)
    assert [a.stance for a in gold.attributions] == ["support", "support"]
    second = gold.attributions[1]
    assert (second.claim_type, second.speaker_name, second.cue) == (
        "opinion",
        "Ana María Ruiz",
        None,
    )
    assert [s.text for s in gold.spans] == ['"We won,"', "said", "Ana Ruiz", "She", "rain helped"]
    assert [s.id for s in gold.spans] == ["q1", "c1", "s1", "s2", "q2"]


def test_one_annotator_is_accepted_as_it_is():
    found = units({"ann": ANN}, QUOTES_V1)
    assert all(unit.agreed for unit in found)
    gold = build_gold(found, default_decisions(found))
    assert [(a.speaker_name, a.stance) for a in gold.attributions] == [
        ("Ana Ruiz", "support"),
        ("Ana Ruiz", "neutral"),
    ]


def test_reviewer_redraws_boundaries_and_adds_a_quote_nobody_marked():
    found = units({"ann": ANN, "bob": BOB}, QUOTES_V1)
    decisions = default_decisions(found)
    helped = TEXT.find("rain helped")
    # The reviewer widens quote 2 to "that rain helped" (white space at the edges is
    # dropped) and marks the pronoun's boundaries anew.
    decisions[1] = Decision(take="bob", extents={"quote": ((helped - 6, helped + 12),),
                                                 "speaker": ((SHE.start, SHE.end),)})  # fmt: skip
    won = TEXT.find("the win")
    added = [NewQuote(quote=((won - 1, won + 7),), speaker=((BO.start, BO.end),), speaker_name="Bo Li",
                      choices={"quote_type": "indirect"})]  # fmt: skip
    decisions[2] = Decision(take=None)
    gold = build_gold(found, decisions, text=TEXT, added=added)
    assert validate_annotation(QUOTES_V1, TEXT, gold) == []
    spans = gold.span_by_id()
    assert [spans[a.quote].text for a in gold.attributions] == [
        '"We won,"',
        "that rain helped.",
        "the win",
    ]
    last = gold.attributions[-1]
    assert (spans[last.speaker].text, last.cue, last.speaker_name, last.quote_type) == (
        "Bo Li",
        None,
        "Bo Li",
        "indirect",
    )
    assert gold.attributions[1].stance == "support"  # Bob's version, boundaries redrawn


def test_drawn_boundaries_need_the_text_and_must_bound_text():
    found = units({"ann": ANN}, QUOTES_V1)
    decisions = {0: Decision(take="ann", extents={"quote": ((0, 5),)})}
    with pytest.raises(ValueError, match="need the document text"):
        build_gold(found, decisions)
    assert extent_problem(TEXT, ((0, 5),)) is None
    assert extent_problem(TEXT, ((5, 5),)) == f"5-5 is not a stretch of the text (0-{len(TEXT)})"
    assert extent_problem(TEXT, ((0, len(TEXT) + 1),)) is not None
    space = TEXT.find(" ")
    assert extent_problem(TEXT, ((space, space + 1),)) == (
        f"{space}-{space + 1} holds only white space"
    )
    assert extent_problem(TEXT, ((0, 5), (space, space + 1))) is not None


def test_a_split_quote_is_one_unit_and_keeps_its_pieces_in_the_gold():
    first, second = span("q1", "Quote", '"We won,"'), span("q2", "Quote", "She added")
    split = SpanRecord("q1", "Quote", first.start, second.end, TEXT[first.start : second.end],
                       ((first.start, first.end), (second.start, second.end)))  # fmt: skip
    ann = version((split, ANA, SAID, "Ana Ruiz", "neutral"))
    bob = version((first, ANA, SAID, "Ana Ruiz", "neutral"))
    found = units({"ann": ann, "bob": bob}, QUOTES_V1)
    [unit] = found  # the pieces overlap bob's quote on what they hold
    assert unit.differs("quote") and not unit.differs("speaker")
    gold = build_gold(found, {0: Decision(take="ann")}, text=TEXT)
    [quote] = [s for s in gold.spans if s.label == "Quote"]
    assert quote.fragments == split.fragments and quote.text == split.text
    assert validate_annotation(QUOTES_V1, TEXT, gold) == []
    drawn = build_gold(found, {0: Decision(take="bob", extents={"quote": split.fragments})},
                       text=TEXT)  # fmt: skip
    assert [s.fragments for s in drawn.spans if s.label == "Quote"] == [split.fragments]
