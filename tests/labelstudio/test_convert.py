import copy

import pytest
from hypothesis import given

from annotations.labelstudio.convert import (
    ADJACENT_CUE_GAP,
    domain_to_result,
    implied_cue,
    result_to_domain,
)
from annotations.records import AttributionRecord, SpanRecord, sort_annotation
from annotations.scheme import QUOTES_V1, complete_attributions, validate_annotation
from tests.strategies import annotations

SAMPLE = [
    {"value": {"start": 0, "end": 32, "text": '"Inflation will ease by spring,"', "labels": ["Quote"]},
     "id": "Qr8bV1w65y", "from_name": "span", "to_name": "text", "type": "labels", "origin": "manual"},
    {"value": {"start": 0, "end": 32, "text": '"Inflation will ease by spring,"', "choices": ["neutral"]},
     "id": "Qr8bV1w65y", "from_name": "stance", "to_name": "text", "type": "choices", "origin": "manual"},
    {"value": {"start": 0, "end": 32, "text": '"Inflation will ease by spring,"', "choices": ["prediction"]},
     "id": "Qr8bV1w65y", "from_name": "claim_type", "to_name": "text", "type": "choices", "origin": "manual"},
    {"value": {"start": 55, "end": 66, "text": "Maria Lopez", "labels": ["Speaker"]},
     "id": "daDahZ3S7x", "from_name": "span", "to_name": "text", "type": "labels", "origin": "manual"},
    {"from_id": "Qr8bV1w65y", "to_id": "daDahZ3S7x", "type": "relation", "direction": "right", "labels": ["said_by"]},
]  # fmt: skip


def test_reads_a_result_made_in_the_label_studio_ui():
    converted = result_to_domain(SAMPLE, QUOTES_V1)
    assert converted.problems == []
    assert [(s.id, s.label, s.start, s.end) for s in converted.spans] == [
        ("Qr8bV1w65y", "Quote", 0, 32),
        ("daDahZ3S7x", "Speaker", 55, 66),
    ]
    [attribution] = converted.attributions
    assert attribution.speaker == "daDahZ3S7x"
    assert (attribution.stance, attribution.claim_type, attribution.quote_type) == (
        "neutral",
        "prediction",
        "",
    )


def test_unlabelled_and_backwards_arrows_are_read_from_their_ends():
    result = copy.deepcopy(SAMPLE)
    result[-1] = {"from_id": "daDahZ3S7x", "to_id": "Qr8bV1w65y", "type": "relation",
                  "direction": "right"}  # fmt: skip
    [attribution] = result_to_domain(result, QUOTES_V1).attributions
    assert attribution.speaker == "daDahZ3S7x"


def test_left_arrow_swaps_its_ends():
    result = copy.deepcopy(SAMPLE)
    result[-1].update(from_id="daDahZ3S7x", to_id="Qr8bV1w65y", direction="left")
    assert result_to_domain(result, QUOTES_V1).attributions[0].speaker == "daDahZ3S7x"


def test_everything_outside_the_scheme_is_reported_not_dropped_silently():
    result = copy.deepcopy(SAMPLE) + [
        {"id": "x1", "from_name": "span", "type": "labels",
         "value": {"start": 1, "end": 2, "text": "I", "labels": ["Bogus"]}},
        {"id": "Qr8bV1w65y", "from_name": "nonexistent", "type": "choices",
         "value": {"choices": ["a"]}},
        {"id": "Qr8bV1w65y", "from_name": "stance", "type": "choices",
         "value": {"choices": ["furious"]}},
        {"from_id": "Qr8bV1w65y", "to_id": "gone", "type": "relation", "labels": ["said_by"]},
        {"from_id": "Qr8bV1w65y", "to_id": "daDahZ3S7x", "type": "relation", "labels": ["cue"]},
    ]  # fmt: skip
    problems = result_to_domain(result, QUOTES_V1).problems
    assert len(problems) == 5
    assert "unknown label 'Bogus'" in problems[0]
    assert "unknown control 'nonexistent'" in problems[1]
    assert "unknown value 'furious'" in problems[2]
    assert "dangling relation" in problems[3]
    assert "cue cannot join a Quote to a Speaker" in problems[4]


def test_choices_on_a_region_that_is_not_a_quote_are_a_problem():
    result = copy.deepcopy(SAMPLE)
    result[1]["id"] = "daDahZ3S7x"
    [problem] = result_to_domain(result, QUOTES_V1).problems
    assert "belong to 'daDahZ3S7x', which is not a Quote" in problem


def test_a_result_that_is_not_a_list():
    assert result_to_domain({"oops": 1}, QUOTES_V1).problems == [
        "the result is not a list but dict"
    ]


@pytest.mark.parametrize("compact", [True, False], ids=["screen", "file"])
@given(example=annotations())
def test_domain_to_label_studio_and_back_is_the_identity(compact, example):
    text, annotation = example
    annotation = sort_annotation(complete_attributions(annotation))
    assert validate_annotation(QUOTES_V1, text, annotation) == []
    result = domain_to_result(
        annotation.spans, annotation.attributions, annotation.relations, QUOTES_V1,
        compact=compact,
    )  # fmt: skip
    if not compact:
        assert all(item.get("labels") for item in result if item["type"] == "relation")
    back = result_to_domain(result, QUOTES_V1, text=text)
    assert back.problems == []
    assert back.spans == annotation.spans
    assert back.attributions == annotation.attributions
    assert back.relations == annotation.relations


@given(annotations())
def test_label_studio_to_domain_to_label_studio_keeps_what_the_scheme_knows(example):
    text, annotation = example
    annotation = sort_annotation(complete_attributions(annotation))
    first = domain_to_result(annotation.spans, annotation.attributions, annotation.relations,
                             QUOTES_V1)  # fmt: skip
    back = result_to_domain(first, QUOTES_V1, text=text)
    second = domain_to_result(back.spans, back.attributions, back.relations, QUOTES_V1)
    key = lambda item: sorted(item.items(), key=str)  # noqa: E731
    assert sorted(map(str, map(key, first))) == sorted(map(str, map(key, second)))


# --- split quotes: one region per piece, joined by `continues` -----------------------------

SPLIT_TEXT = "“We will,” she said, “and soon.”"


def region(region_id, label, start, end, **extra):
    value = {"start": start, "end": end, "text": SPLIT_TEXT[start:end], "labels": [label]}
    return {"id": region_id, "from_name": "span", "to_name": "text", "type": "labels",
            "value": value, **extra}  # fmt: skip


def choice(region_id, start, end, name, value):
    return {"id": region_id, "from_name": name, "to_name": "text", "type": "choices",
            "value": {"start": start, "end": end, "text": SPLIT_TEXT[start:end],
                      "choices": [value]}}  # fmt: skip


def arrow(source, target, *labels):
    item = {"from_id": source, "to_id": target, "type": "relation", "direction": "right"}
    return {**item, "labels": list(labels)} if labels else item


UI_SPLIT = [
    region("later", "Quote", 21, 32), region("first", "Quote", 0, 10),
    region("she", "Speaker", 11, 14), region("said", "Cue", 15, 19),
    choice("later", 21, 32, "stance", "support"), choice("first", 0, 10, "quote_type", "direct"),
    arrow("first", "later"),  # unlabelled Quote -> Quote, drawn from the first piece
    arrow("later", "she"), arrow("first", "said", "cue"),
]  # fmt: skip


def test_pieces_joined_in_the_ui_are_one_quote_named_by_its_first_piece():
    converted = result_to_domain(UI_SPLIT, QUOTES_V1, text=SPLIT_TEXT)
    assert converted.problems == []
    quote = next(s for s in converted.spans if s.label == "Quote")
    assert (quote.id, quote.fragments, quote.text) == ("first", ((0, 10), (21, 32)), SPLIT_TEXT)
    [attribution] = converted.attributions
    assert (attribution.quote, attribution.speaker, attribution.cue) == ("first", "she", "said")
    assert (attribution.quote_type, attribution.stance) == ("direct", "support")


def test_split_quotes_need_the_text_and_agreeing_pieces():
    assert result_to_domain(UI_SPLIT, QUOTES_V1).problems == [
        "the pieces ['first', 'later'] of a split span need the document text"
    ]
    clash = [*UI_SPLIT, choice("first", 0, 10, "stance", "oppose")]
    assert result_to_domain(clash, QUOTES_V1, text=SPLIT_TEXT).problems == [
        "the pieces of quote 'first' give two stance values"
    ]
    across = [*UI_SPLIT[:4], arrow("first", "said", "continues")]
    assert result_to_domain(across, QUOTES_V1, text=SPLIT_TEXT).problems == [
        "continues cannot join a Quote to a Cue ('first' -> 'said')"
    ]


def test_speaker_arrows_stay_coref_unless_labelled_continues():
    speakers = [region("a", "Speaker", 11, 14), region("b", "Speaker", 0, 3)]
    coref = result_to_domain([*speakers, arrow("a", "b")], QUOTES_V1, text=SPLIT_TEXT)
    assert [(r.type, r.source, r.target) for r in coref.relations] == [("coref", "a", "b")]
    joined = result_to_domain([*speakers, arrow("a", "b", "continues")], QUOTES_V1,
                              text=SPLIT_TEXT)  # fmt: skip
    assert [(s.id, s.fragments) for s in joined.spans] == [("b", ((0, 3), (11, 14)))]


# --- the labeling screen draws only the arrows that carry information ----------------------

CALL = "Trump had told Putin that he would brief him, and Putin said he agreed."


def call_spans(*extra):
    def at(part, after=0):
        start = CALL.index(part, after)
        return start, start + len(part)

    spans = {"q": ("Quote", at("he would brief him")), "trump": ("Speaker", at("Trump")),
             "told": ("Cue", at("told")), "putin": ("Speaker", at("Putin", 30)),
             "said": ("Cue", at("said")), "q2": ("Quote", at("he agreed"))}  # fmt: skip
    return [SpanRecord(i, label, a, b, CALL[a:b]) for i, (label, (a, b)) in spans.items()]


def arrows_of(result):
    return sorted((r["from_id"], r["to_id"], *r.get("labels", [])) for r in result
                  if r["type"] == "relation")  # fmt: skip


def test_a_cue_next_to_the_speaker_needs_no_arrow_and_arrows_carry_no_labels():
    spans = call_spans()
    attributions = [
        AttributionRecord("q", "trump", "told"),
        AttributionRecord("q2", "putin", "said"),
    ]
    result = domain_to_result(spans, attributions, [], QUOTES_V1)
    assert arrows_of(result) == [("q", "trump"), ("q2", "putin")]
    back = result_to_domain(result, QUOTES_V1, text=CALL)
    assert back.attributions == attributions
    full = domain_to_result(spans, attributions, [], QUOTES_V1, compact=False)
    assert arrows_of(full) == [("q", "told", "cue"), ("q", "trump", "said_by"),
                               ("q2", "putin", "said_by"), ("q2", "said", "cue")]  # fmt: skip


def test_a_cue_elsewhere_is_drawn_and_no_cue_is_stated_by_a_labelled_arrow():
    spans = call_spans()
    attributions = [AttributionRecord("q", "trump", "said"), AttributionRecord("q2", "putin")]
    result = domain_to_result(spans, attributions, [], QUOTES_V1)
    assert arrows_of(result) == [("q", "said"), ("q", "trump"), ("q2", "putin", "said_by")]
    assert result_to_domain(result, QUOTES_V1, text=CALL).attributions == attributions


def test_an_annotator_links_only_the_speaker_and_the_cue_beside_it_follows():
    spans = call_spans()
    result = domain_to_result(spans, [AttributionRecord("q", "trump", "told")], [], QUOTES_V1)
    far = [SpanRecord("far", "Cue", 60, 64, CALL[60:64])]
    assert implied_cue(spans[1], far) is None
    assert result_to_domain(result, QUOTES_V1).attributions[0].cue == "told"


def test_the_nearest_cue_is_the_implied_one_and_the_earlier_on_a_tie():
    speaker = SpanRecord("s", "Speaker", 10, 15, "")
    before, after = SpanRecord("b", "Cue", 3, 8, ""), SpanRecord("a", "Cue", 16, 20, "")
    assert implied_cue(speaker, [before, after]) == "a"
    assert implied_cue(speaker, [after, SpanRecord("b2", "Cue", 4, 9, "")]) == "b2"
    gap = ADJACENT_CUE_GAP
    assert implied_cue(speaker, [SpanRecord("x", "Cue", 15 + gap, 30, "")]) == "x"
    assert implied_cue(speaker, [SpanRecord("x", "Cue", 16 + gap, 30, "")]) is None
    # Same gap and start: the shorter, then the smaller id, whatever the order given.
    split = SpanRecord("r5", "Cue", 16, 21, "", fragments=((16, 17), (20, 21)))
    whole, twin = SpanRecord("r4", "Cue", 16, 22, ""), SpanRecord("r3", "Cue", 16, 21, "")
    assert implied_cue(speaker, [split, whole]) == implied_cue(speaker, [whole, split]) == "r5"
    assert implied_cue(speaker, [split, twin]) == implied_cue(speaker, [twin, split]) == "r3"
