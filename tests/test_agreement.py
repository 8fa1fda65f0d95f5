"""Agreement figures on small cases worked out by hand, and cross-checked between libraries."""

import pytest
from nltk.metrics.agreement import AnnotationTask

from annotations.agreement import (
    NO_QUOTE,
    DocumentVersions,
    agreement,
    cohen_kappa,
    krippendorff_alpha,
)
from annotations.records import AnnotationRecord, AttributionRecord, SpanRecord
from annotations.scheme import QUOTES_V1

TEXT = "x" * 60


def version(*quotes):
    """quotes: (start, end, stance, speaker name)."""
    spans, attributions = [], []
    for index, (start, end, stance, name) in enumerate(quotes):
        spans.append(SpanRecord(f"q{index}", "Quote", start, end, TEXT[start:end]))
        attributions.append(AttributionRecord(f"q{index}", speaker_name=name, stance=stance,
                                              quote_type="direct"))  # fmt: skip
    return AnnotationRecord(kind="human", spans=spans, attributions=attributions)


A = version((0, 10, "support", "Ana Ruiz"), (20, 30, "oppose", "Bo Li"))
B = version((0, 10, "support", "Ruiz"), (40, 50, "neutral", "Bo Li"))


def test_hand_computed_two_annotators():
    report = agreement([DocumentVersions("d1", {"ann": A, "bob": B})], QUOTES_V1)
    # Quotes: one shared, one each -> TP 1, FP 1, FN 1, F1 = 2/4.
    assert report["spans"]["Quote"] == {"exact": 0.5, "overlap": 0.5}
    # The matched quote: "Ruiz" names the same speaker as "Ana Ruiz".
    assert report["attribution"] == {"matched_quotes": 1, "same_speaker": 1.0, "same_cue": 1.0}
    stance = report["choices"]["stance"]
    # Units: (support, support), (oppose, no quote), (no quote, neutral).
    # Cohen: Ao = 1/3, Ae = 1/9 + 1/9 = 2/9, kappa = (1/3 - 2/9) / (7/9) = 1/7.
    assert report["pairs"][0]["kappa"]["stance"] == pytest.approx(1 / 7)
    # Krippendorff: Do = 4/6, De = 26/30, alpha = 1 - (4/6)/(26/30) = 3/13.
    assert stance["alpha"] == pytest.approx(3 / 13)
    assert stance["units"] == 3
    # Everyone chose "direct" where they had the quote; the missing quotes still disagree:
    # o(d,d) = 2, o(d,none) = o(none,d) = 2; n_d = 4, n_none = 2;
    # Do = 4/6, De = (36 - 16 - 4)/30 = 16/30, alpha = 1 - (4/6)/(16/30) = -1/4.
    assert report["choices"]["quote_type"]["alpha"] == pytest.approx(-1 / 4)
    assert report["per_document"] == [
        {"document": "d1", "annotators": ["ann", "bob"], "quotes": 3, "quote_f1_overlap": 0.5,
         "units_with_disagreement": 2}
    ]  # fmt: skip


def test_alpha_agrees_with_nltk():
    values = {
        ("d", 0): {"a": "support", "b": "support", "c": "oppose"},
        ("d", 1): {"a": "oppose", "b": NO_QUOTE, "c": "oppose"},
        ("d", 2): {"a": NO_QUOTE, "b": "neutral", "c": "neutral"},
        ("d", 3): {"a": "neutral", "b": "neutral", "c": "neutral"},
    }
    data = [
        (coder, str(unit), label)
        for unit, labels in values.items()
        for coder, label in labels.items()
    ]
    assert krippendorff_alpha(values, ["a", "b", "c"]) == pytest.approx(
        AnnotationTask(data=data).alpha()
    )


def test_undefined_statistics_are_none_not_errors():
    same = {("d", 0): {"a": "support", "b": "support"}, ("d", 1): {"a": "support", "b": "support"}}
    assert krippendorff_alpha(same, ["a", "b"]) is None
    assert cohen_kappa(same, "a", "b") is None
    assert krippendorff_alpha({}, ["a"]) is None


def test_documents_with_one_annotator_do_not_count():
    report = agreement([DocumentVersions("d1", {"ann": A})], QUOTES_V1)
    assert report["documents"] == 0 and report["pairs"] == []


def test_three_annotators_pairs_and_missing_documents():
    c = version((0, 10, "support", "Ana Ruiz"), (20, 30, "oppose", "Bo Li"))
    report = agreement(
        [
            DocumentVersions("d1", {"ann": A, "bob": B, "cy": c}),
            DocumentVersions("d2", {"ann": A, "cy": c}),
        ],
        QUOTES_V1,
    )
    assert [p["annotators"] for p in report["pairs"]] == [
        ["ann", "bob"],
        ["ann", "cy"],
        ["bob", "cy"],
    ]
    assert [p["documents"] for p in report["pairs"]] == [1, 2, 1]
    ann_cy = report["pairs"][1]
    assert ann_cy["spans"]["Quote"]["exact"] == 1.0 and ann_cy["kappa"]["stance"] == 1.0


# --- token-wise alpha (unitizing) ---------------------------------------------------------

import krippendorff  # noqa: E402
import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from annotations.agreement import Coincidences  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda coders: st.lists(
            st.lists(st.integers(0, 3), min_size=coders, max_size=coders), min_size=2, max_size=40
        )
    ),
    st.integers(1, 3),
)
def test_coincidences_fed_in_batches_give_the_library_s_alpha(units, batches):
    values = np.array(units).T  # coders x units
    tally = Coincidences(4)
    for part in np.array_split(values, batches, axis=1):
        tally.add(part)
    if len(np.unique(values)) < 2:
        assert tally.alpha() is None  # one value throughout: alpha is undefined
    else:
        expected = krippendorff.alpha(reliability_data=values, level_of_measurement="nominal")
        assert tally.alpha() == pytest.approx(expected)


SENTENCE = "“We will,” she said, “and soon.” Nobody else spoke."


def split_version(pieces):
    spans = [
        SpanRecord("q", "Quote", pieces[0][0], pieces[-1][1],
                   SENTENCE[pieces[0][0] : pieces[-1][1]], tuple(pieces) if len(pieces) > 1 else ()),
        SpanRecord("s", "Speaker", 11, 14, "she"),
        SpanRecord("c", "Cue", 15, 19, "said"),
    ]  # fmt: skip
    return AnnotationRecord(kind="human", spans=spans,
                            attributions=[AttributionRecord("q", "s", "c")])  # fmt: skip


def test_token_alpha_counts_the_pieces_of_a_split_quote_not_the_words_between():
    pieces = [(0, 10), (21, 32)]
    same = agreement(
        [DocumentVersions("d", {"a": split_version(pieces), "b": split_version(pieces)}, SENTENCE)],
        QUOTES_V1,
    )
    assert same["unitizing"]["pooled"] == 1.0
    assert same["spans"]["Quote"] == {"exact": 1.0, "overlap": 1.0}
    # One annotator drew the quote over the speaker and cue: those words disagree.
    whole = split_version([(0, 32)])
    report = agreement(
        [DocumentVersions("d", {"a": split_version(pieces), "b": whole}, SENTENCE)], QUOTES_V1
    )
    assert report["unitizing"]["Quote"] < 1.0
    assert report["unitizing"]["tokens"] == 17
    assert report["spans"]["Quote"]["exact"] == 0.0
    assert report["spans"]["Quote"]["overlap"] == 1.0  # 21 of 32 characters shared
    assert report["pairs"][0]["unitizing"]["pooled"] == report["unitizing"]["pooled"]
