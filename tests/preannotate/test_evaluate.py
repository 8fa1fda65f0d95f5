"""The evaluation's matching and scores, checked against numbers worked out by hand."""

import pytest

from annotations.matching import jaccard, names_match
from annotations.preannotate.evaluate import evaluate, quote_type_by_form, trimmed
from annotations.records import AnnotationRecord, AttributionRecord, SpanRecord

TEXT = '"We will win," said Ana Ruiz. Bo Li said the team was tired. "Rest now," he added.'


def annotation(*attributions):
    spans, rows = [], []
    for index, (quote, speaker, cue, name, kind) in enumerate(attributions):
        q = SpanRecord(f"q{index}", "Quote", *quote, TEXT[quote[0] : quote[1]])
        spans.append(q)
        s = c = None
        if speaker:
            s = f"s{index}"
            spans.append(SpanRecord(s, "Speaker", *speaker, TEXT[speaker[0] : speaker[1]]))
        if cue:
            c = f"c{index}"
            spans.append(SpanRecord(c, "Cue", *cue, TEXT[cue[0] : cue[1]]))
        rows.append(AttributionRecord(q.id, s, c, name, kind))
    return AnnotationRecord(kind="gold", spans=spans, attributions=rows)


GOLD = annotation(
    ((0, 14), (20, 28), (15, 19), "Ana Ruiz", "direct"),
    ((41, 59), (30, 35), (36, 40), "Bo Li", "indirect"),
    ((61, 72), (73, 75), (76, 81), "Bo Li", "direct"),
)


def test_helpers():
    assert trimmed(TEXT, ((0, 14),)) == ((1, 12),)  # quote marks and comma trimmed
    assert trimmed(TEXT, ((0, 14), (20, 21))) == ((1, 12), (20, 21))  # each piece trimmed
    assert jaccard(((0, 10),), ((5, 15),)) == pytest.approx(5 / 15)
    # A split span shares only its pieces: the words between them are not part of it.
    assert jaccard(((0, 10), (20, 30)), ((0, 30),)) == pytest.approx(20 / 30)
    assert names_match("Yury Ushakov", "Ushakov") and names_match("the Kremlin", "Kremlin")
    assert not names_match("Donald Trump", "Melania Trump")
    assert not names_match("Ushakov", "Trump")


def test_perfect_prediction_scores_one():
    report = evaluate([(TEXT, GOLD, GOLD)]).as_dict()
    assert report["quotes"]["exact"]["f1"] == report["quotes"]["overlap"]["f1"] == 1.0
    assert report["speaker_accuracy"] == report["cue_accuracy"] == 1.0


def test_hand_computed_case():
    predicted = annotation(
        # Exact after trimming (no closing mark): speaker and cue right.
        ((1, 13), (20, 28), (15, 19), "Ana Ruiz", "direct"),
        # Overlaps the indirect quote (Jaccard 18/22 >= 0.5), wrong speaker, right cue.
        ((37, 59), None, (36, 40), "Ana Ruiz", "indirect"),
        # Nothing in the gold.
        ((20, 28), None, None, "", "direct"),
    )
    report = evaluate([(TEXT, GOLD, predicted)]).as_dict()
    # exact: 1 of 3 predicted, 1 of 3 gold; overlap: 2 of 3 and 2 of 3.
    assert report["quotes"]["exact"] == {"precision": 1 / 3, "recall": 1 / 3, "f1": 1 / 3}
    assert report["quotes"]["overlap"]["f1"] == pytest.approx(2 / 3)
    assert report["matched"] == 2
    assert report["speaker_accuracy"] == 0.5  # Ana Ruiz right, Bo Li wrong
    assert report["cue_accuracy"] == 1.0
    assert report["quotes_by_type"]["indirect"]["overlap"]["f1"] == 1.0
    assert report["quotes_by_type"]["direct"]["overlap"]["recall"] == 0.5


def test_anonymous_gold_speakers_are_matched_by_mention():
    gold = annotation(((41, 59), (30, 35), (36, 40), "", "indirect"))
    same_mention = annotation(((41, 59), (30, 35), (36, 40), "Li", "indirect"))
    other_mention = annotation(((41, 59), (20, 28), (36, 40), "", "indirect"))
    assert evaluate([(TEXT, gold, same_mention)]).as_dict()["speaker_accuracy"] == 1.0
    assert evaluate([(TEXT, gold, other_mention)]).as_dict()["speaker_accuracy"] == 0.0


def test_gentle_matches_count_a_gold_quote_found_when_30_percent_is_covered():
    # A prediction covering 4 of the 11 characters of "Rest now," (Jaccard < 0.5).
    predicted = annotation(((61, 66), (73, 75), (76, 81), "Bo Li", "direct"))
    gold = annotation(((61, 72), (73, 75), (76, 81), "Bo Li", "direct"))
    report = evaluate([(TEXT, gold, predicted)]).as_dict()
    assert report["quotes"]["overlap"]["f1"] == 0.0
    assert report["quotes"]["gentle"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    too_little = annotation(((61, 63), None, None, "", "direct"))
    report = evaluate([(TEXT, gold, too_little)]).as_dict()
    assert report["quotes"]["gentle"]["f1"] == 0.0


@pytest.mark.parametrize(
    ("text", "extent", "kind"),
    [
        ('"We will win," he said.', ((0, 14),), "direct"),
        ("''We will win,'' he said.", ((0, 16),), "direct"),
        ('"A," he said. "B."', ((0, 4), (14, 18)), "direct"),
        ('he was "very angry" today', ((0, 25),), "mixed"),
        ("the bill will pass", ((0, 18),), "indirect"),
    ],
)
def test_quote_type_by_form(text, extent, kind):
    assert quote_type_by_form(text, extent) == kind


def test_untyped_gold_is_scored_by_form_on_both_sides():
    untyped = annotation(
        ((0, 14), (20, 28), (15, 19), "Ana Ruiz", ""),
        ((41, 59), (30, 35), (36, 40), "Bo Li", ""),
    )
    report = evaluate([(TEXT, untyped, GOLD)], types="form").as_dict()
    assert set(report["quotes_by_type"]) == {"direct", "indirect"}
    assert report["quotes_by_type"]["indirect"]["exact"]["f1"] == 1.0
    # The gold has two quotes, the prediction three: direct precision 1 of 2.
    assert report["quotes_by_type"]["direct"]["exact"]["precision"] == 0.5
    with pytest.raises(ValueError):
        evaluate([], types="guess")
