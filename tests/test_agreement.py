"""Agreement figures on small cases worked out by hand, and the streamed choice figures
against the statistics libraries fed every unit at once (as the report was computed before)."""

from collections import defaultdict
from itertools import combinations

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.metrics.agreement import AnnotationTask

from annotations.agreement import (
    NO_QUOTE,
    AgreementTally,
    DocumentVersions,
    agreement,
    quote_units,
    quotes,
)
from annotations.records import AnnotationRecord, AttributionRecord, SpanRecord
from annotations.scheme import QUOTES_V1
from tests import strategies

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
    tally = AgreementTally(QUOTES_V1)
    document = tally.add(DocumentVersions("d1", {"ann": A, "bob": B}))
    report = tally.report()
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
    assert document == {
        "document": "d1", "annotators": ["ann", "bob"], "quotes": 3, "quote_f1_overlap": 0.5,
        "units_with_disagreement": 2,
    }  # fmt: skip
    assert "per_document" not in report  # stored per document, not in the report


def test_undefined_statistics_are_none_not_errors():
    report = agreement([DocumentVersions("d1", {"ann": A, "bob": A})], QUOTES_V1)
    # Everyone chose "direct": alpha and kappa are undefined, not errors.
    assert report["choices"]["quote_type"]["alpha"] is None
    assert report["choices"]["quote_type"]["kappa_mean"] is None
    assert report["pairs"][0]["kappa"]["quote_type"] is None
    empty = agreement([], QUOTES_V1)
    assert empty["choices"]["stance"] == {"units": 0, "alpha": None, "kappa_mean": None}


def test_documents_with_one_annotator_do_not_count():
    tally = AgreementTally(QUOTES_V1)
    assert tally.add(DocumentVersions("d1", {"ann": A})) is None
    report = tally.report()
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


# --- the streamed choice figures against the libraries over every unit at once ---------------


def library_alpha(values: dict, annotators: list[str]) -> float | None:
    """Nominal alpha by `krippendorff` over annotators x units (missing where an annotator
    did not label the document), as the report computed it before."""
    categories = sorted({v for unit in values.values() for v in unit.values()})
    if len(categories) < 2:
        return None
    code = {category: index for index, category in enumerate(categories)}
    data = np.full((len(annotators), len(values)), np.nan)
    for column, unit in enumerate(values.values()):
        for row, annotator in enumerate(annotators):
            if annotator in unit:
                data[row, column] = code[unit[annotator]]
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def library_kappa(values: dict, a: str, b: str) -> float | None:
    """nltk's Cohen's kappa of two annotators over the units both saw."""
    data = [
        (coder, str(unit), labels[coder])
        for unit, labels in values.items()
        if a in labels and b in labels
        for coder in (a, b)
    ]
    if len({label for *_, label in data}) < 2:
        return None
    return float(AnnotationTask(data=data).kappa_pairwise(a, b))


def library_choices(documents: list[DocumentVersions]) -> dict:
    """Every unit's answers held at once, then the libraries: the figures to match."""
    values: dict[str, dict] = defaultdict(dict)
    annotators: set[str] = set()
    for doc in documents:
        if len(doc.annotations) < 2:
            continue
        annotators |= set(doc.annotations)
        views = {name: quotes(record, QUOTES_V1) for name, record in doc.annotations.items()}
        for index, unit in enumerate(quote_units(views)):
            for choice in QUOTES_V1.choices:
                values[choice.name][(doc.document, index)] = {
                    name: unit[name].choices[choice.name] if name in unit else NO_QUOTE
                    for name in doc.annotations
                }
    names = sorted(annotators)
    return {
        choice.name: {
            "units": len(values[choice.name]),
            "alpha": library_alpha(values[choice.name], names),
            "kappa": {
                (a, b): library_kappa(values[choice.name], a, b) for a, b in combinations(names, 2)
            },
        }
        for choice in QUOTES_V1.choices
    }


def same(ours: float | None, theirs: float | None) -> bool:
    return ours is theirs is None or (
        ours is not None and theirs is not None and abs(ours - theirs) <= 1e-9
    )


PANEL = ["ann", "bob", "cy", "dee"]


@st.composite
def documents(draw) -> list[DocumentVersions]:
    """Documents of a short text, each labelled by a few of the panel (some by one)."""
    text = "x" * 40
    found = []
    for number in range(draw(st.integers(1, 6))):
        names = draw(st.lists(st.sampled_from(PANEL), min_size=1, max_size=4, unique=True))
        versions = {name: draw(strategies.annotations(text, max_spans=6))[1] for name in names}
        found.append(DocumentVersions(f"d{number}", versions, text))
    return found


@settings(max_examples=60, deadline=None)
@given(documents())
def test_streamed_choice_figures_are_the_libraries_figures(docs):
    report = agreement(docs, QUOTES_V1)
    expected = library_choices(docs)
    for name, figures in expected.items():
        assert report["choices"][name]["units"] == figures["units"]
        assert same(report["choices"][name]["alpha"], figures["alpha"]), name
        kappas = {tuple(p["annotators"]): p["kappa"][name] for p in report["pairs"]}
        for pair, kappa in figures["kappa"].items():
            assert same(kappas.get(pair), kappa), (name, pair)
        defined = [k for k in figures["kappa"].values() if k is not None]
        mean = sum(defined) / len(defined) if defined else None
        assert same(report["choices"][name]["kappa_mean"], mean), name
