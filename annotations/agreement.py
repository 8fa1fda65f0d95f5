"""Inter-annotator agreement on quotes, attributions and per-quote choices. Pure.

- Span F1 per label, exact and overlap, for every pair of annotators (counts are
  pooled over the documents both labelled; F1 = 2TP / (2TP + FP + FN)).
- Attribution agreement on the quotes a pair matched: same speaker, same cue.
- Krippendorff's alpha unitizing, token-wise (as PolNeAR and INCEpTION report
  it): every token of a document is a unit, each annotator's value the label of
  the span covering it (a split span covers its pieces only) or none; pooled
  over labels (Cue before Speaker before Quote where spans nest) and per label
  (in the label or not), for all annotators and each pair.
- Krippendorff's alpha (all annotators) and Cohen's kappa (each pair) for
  quote_type, stance and claim_type. The units are the quotes any annotator
  marked; an annotator who labelled the document but lacks the quote counts as
  answering "no quote", which is a disagreement, never dropped.

Documents stream through `AgreementTally` one at a time and leave only counts
behind (coincidence and contingency tables, span tallies per pair; see
coefficients.py for why not the statistics libraries), so memory does not grow
with the collection; each document's own figures are handed back as it passes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from annotations.coefficients import Coincidences, Contingency
from annotations.matching import Extent, match, overlaps, same_speaker
from annotations.records import AnnotationRecord
from annotations.scheme import CUE, QUOTE, SPEAKER, Scheme
from annotations.tokens import Tokens, tokenize

NO_QUOTE = "(no quote)"
UNSET = "(unset)"
MODES = ("exact", "overlap")
POOLED = "pooled"
# Where spans nest, a token takes the innermost kind of label: a cue or a speaker inside
# a quote counts as cue or speaker.
TOKEN_PRECEDENCE = (CUE, SPEAKER, QUOTE)


@dataclass(frozen=True)
class QuoteView:
    """One annotator's quote with its attribution, as compared."""

    quote: Extent
    speaker: Extent | None
    speaker_name: str
    cue: Extent | None
    choices: dict[str, str]


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn

    def f1(self) -> float | None:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None


@dataclass
class TokenTally:
    """Coincidences of token labels: pooled, and in-or-out per label."""

    tokens: int = 0
    pooled: Coincidences = field(default_factory=lambda: Coincidences(len(TOKEN_PRECEDENCE) + 1))
    per_label: dict[str, Coincidences] = field(
        default_factory=lambda: {label: Coincidences(2) for label in TOKEN_PRECEDENCE}
    )

    def add(self, labels: dict[str, np.ndarray]) -> None:
        """`labels`: each annotator's per-token label codes (0 none, 1.. TOKEN_PRECEDENCE)."""
        values = np.stack([labels[name] for name in sorted(labels)])
        self.tokens += values.shape[1]
        self.pooled.add(values)

    def add_membership(self, members: dict[str, dict[str, np.ndarray]]) -> None:
        for label, tally in self.per_label.items():
            tally.add(np.stack([members[name][label] for name in sorted(members)]))

    def summary(self) -> dict:
        return {
            "tokens": self.tokens,
            POOLED: self.pooled.alpha(),
            **{label: tally.alpha() for label, tally in self.per_label.items()},
        }


def token_labels(tokens: Tokens, annotation: AnnotationRecord) -> dict[str, np.ndarray]:
    """Per label, whether each token is in a span of it (0/1); POOLED holds each token's
    code: 0 for none, else 1 + the label's place in TOKEN_PRECEDENCE."""
    members = {label: np.zeros(len(tokens), dtype=np.int8) for label in TOKEN_PRECEDENCE}
    for span in annotation.spans:
        if span.label in members:
            members[span.label][tokens.indices(span)] = 1
    pooled = np.zeros(len(tokens), dtype=np.int8)
    for code, label in reversed(list(enumerate(TOKEN_PRECEDENCE, start=1))):
        pooled[members[label] == 1] = code
    return {**members, POOLED: pooled}


@dataclass
class PairTally:
    documents: int = 0
    spans: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    matched: int = 0
    same_speaker: int = 0
    same_cue: int = 0
    tokens: TokenTally = field(default_factory=TokenTally)
    choices: dict[str, Contingency] = field(default_factory=lambda: defaultdict(Contingency))


@dataclass
class ChoiceTally:
    """One choice over every quote unit: Krippendorff's coincidences of all annotators."""

    units: int = 0
    codes: dict[str, int] = field(default_factory=dict)
    coincidences: Coincidences = field(default_factory=Coincidences)

    def add(self, answers: list[list[str]]) -> None:
        """`answers`: for each annotator of one document, its value for every unit."""
        code = self.codes.setdefault
        values = np.array([[code(value, len(self.codes)) for value in row] for row in answers])
        self.units += values.shape[1]
        self.coincidences.add(values)


def quotes(annotation: AnnotationRecord, scheme: Scheme) -> list[QuoteView]:
    spans = annotation.span_by_id()

    def extent(span_id: str | None) -> Extent | None:
        return spans[span_id].pieces if span_id in spans else None

    views = []
    for a in annotation.attributions:
        if a.quote not in spans:
            continue
        choices = {c.name: getattr(a, c.name) or UNSET for c in scheme.choices}
        views.append(
            QuoteView(extent(a.quote), extent(a.speaker), a.speaker_name, extent(a.cue), choices)
        )
    return sorted(views, key=lambda v: v.quote)


def span_counts(
    a: AnnotationRecord, b: AnnotationRecord, label: str, exact: bool
) -> tuple[int, int, int]:
    """(TP, FP, FN) of b's spans of one label against a's."""
    left = [s.pieces for s in a.spans if s.label == label]
    right = [s.pieces for s in b.spans if s.label == label]
    tp = len(match(left, right, exact=exact))
    return tp, len(right) - tp, len(left) - tp


def quote_units(versions: dict[str, list[QuoteView]]) -> list[dict[str, QuoteView]]:
    """Group the annotators' quotes into units: a quote and its overlapping counterparts."""
    units: list[dict[str, QuoteView]] = []
    for annotator in sorted(versions):
        views = versions[annotator]
        heads = [next(iter(unit.values())).quote for unit in units]
        pairs = dict(match([v.quote for v in views], heads))
        for index, view in enumerate(views):
            if index in pairs and annotator not in units[pairs[index]]:
                units[pairs[index]][annotator] = view
            else:
                units.append({annotator: view})
    return units


@dataclass
class DocumentVersions:
    """The annotators' versions of one document (its text for token-wise agreement; its
    database id, when it has one, for storing its figures)."""

    document: str
    annotations: dict[str, AnnotationRecord]
    text: str = ""
    document_id: int | None = None


class AgreementTally:
    """Agreement over documents fed one at a time. What it keeps grows with the
    annotators and their pairs, never with the documents."""

    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        self.documents = 0
        self.annotators: set[str] = set()
        self.pairs: dict[tuple[str, str], PairTally] = defaultdict(PairTally)
        self.tokens = TokenTally()
        self.choices = {choice.name: ChoiceTally() for choice in scheme.choices}

    def add(self, doc: DocumentVersions) -> dict | None:
        """Count one document in; its own figures, or None when fewer than two annotators
        labelled it (it does not count)."""
        if len(doc.annotations) < 2:
            return None
        self.documents += 1
        self.annotators |= set(doc.annotations)
        views = {name: quotes(record, self.scheme) for name, record in doc.annotations.items()}
        _count_pairs(doc, views, self.pairs, self.scheme)
        _count_tokens(doc, self.tokens, self.pairs)
        units = quote_units(views)
        names = list(doc.annotations)
        for choice in self.scheme.choices:
            answers = {
                name: [u[name].choices[choice.name] if name in u else NO_QUOTE for u in units]
                for name in names
            }
            self.choices[choice.name].add([answers[name] for name in names])
            for a, b in combinations(sorted(names), 2):
                table = self.pairs[(a, b)].choices[choice.name]
                for first, second in zip(answers[a], answers[b], strict=True):
                    table.add(first, second)
        return _document_summary(doc, views, units, self.scheme)

    def report(self) -> dict:
        """The pooled and per-pair figures, as plain data."""
        pairs = sorted(self.pairs.items())
        return {
            "documents": self.documents,
            "annotators": sorted(self.annotators),
            "spans": _span_summary(self.pairs, self.scheme),
            "attribution": _attribution_summary(self.pairs.values()),
            "unitizing": self.tokens.summary(),
            "choices": {
                name: _choice_summary(tally, [t.choices[name] for _, t in pairs])
                for name, tally in self.choices.items()
            },
            "pairs": [_pair_summary(key, tally, self.scheme) for key, tally in pairs],
        }


def agreement(documents: Iterable[DocumentVersions], scheme: Scheme) -> dict:
    """Agreement over documents labelled by two or more annotators, as plain data (the
    pooled and per-pair figures; AgreementTally.add gives each document's own)."""
    tally = AgreementTally(scheme)
    for doc in documents:
        tally.add(doc)
    return tally.report()


def _count_pairs(doc: DocumentVersions, views: dict, pairs: dict, scheme: Scheme) -> None:
    for a, b in combinations(sorted(doc.annotations), 2):
        tally = pairs[(a, b)]
        tally.documents += 1
        for label in scheme.label_names():
            for mode in MODES:
                tally.spans[(label, mode)].add(
                    *span_counts(doc.annotations[a], doc.annotations[b], label, mode == "exact")
                )
        left, right = views[a], views[b]
        for i, j in match([v.quote for v in left], [v.quote for v in right]):
            x, y = left[i], right[j]
            tally.matched += 1
            tally.same_speaker += same_speaker(x.speaker_name, x.speaker, y.speaker_name, y.speaker)
            tally.same_cue += overlaps(x.cue, y.cue) if x.cue and y.cue else x.cue == y.cue


def _count_tokens(doc: DocumentVersions, tally: TokenTally, pairs: dict) -> None:
    if not doc.text:
        return
    tokens = tokenize(doc.text)
    labels = {name: token_labels(tokens, record) for name, record in doc.annotations.items()}
    for target, names in [(tally, sorted(labels)), *_pair_tallies(pairs, sorted(labels))]:
        target.add({name: labels[name][POOLED] for name in names})
        target.add_membership({name: labels[name] for name in names})


def _pair_tallies(pairs: dict, names: list[str]) -> list[tuple[TokenTally, list[str]]]:
    return [(pairs[(a, b)].tokens, [a, b]) for a, b in combinations(names, 2)]


def _span_summary(pairs: dict, scheme: Scheme) -> dict:
    summary = {}
    for label in scheme.label_names():
        summary[label] = {}
        for mode in MODES:
            pooled = Tally()
            for tally in pairs.values():
                t = tally.spans[(label, mode)]
                pooled.add(t.tp, t.fp, t.fn)
            summary[label][mode] = pooled.f1()
    return summary


def _attribution_summary(tallies: Iterable[PairTally]) -> dict:
    tallies = list(tallies)
    matched = sum(t.matched for t in tallies)
    return {
        "matched_quotes": matched,
        "same_speaker": sum(t.same_speaker for t in tallies) / matched if matched else None,
        "same_cue": sum(t.same_cue for t in tallies) / matched if matched else None,
    }


def _pair_summary(key: tuple[str, str], tally: PairTally, scheme: Scheme) -> dict:
    return {
        "annotators": list(key),
        "documents": tally.documents,
        "spans": {
            label: {mode: tally.spans[(label, mode)].f1() for mode in MODES}
            for label in scheme.label_names()
        },
        **_attribution_summary([tally]),
        "unitizing": tally.tokens.summary(),
        "kappa": {c.name: tally.choices[c.name].kappa() for c in scheme.choices},
    }


def _choice_summary(tally: ChoiceTally, tables: list[Contingency]) -> dict:
    kappas = [k for k in (table.kappa() for table in tables) if k is not None]
    return {
        "units": tally.units,
        "alpha": tally.coincidences.alpha(),
        "kappa_mean": sum(kappas) / len(kappas) if kappas else None,
    }


def _document_summary(doc: DocumentVersions, views: dict, units: list, scheme: Scheme) -> dict:
    names = sorted(doc.annotations)
    quote_f1 = Tally()
    for a, b in combinations(names, 2):
        quote_f1.add(*span_counts(doc.annotations[a], doc.annotations[b], QUOTE, exact=False))
    disagreements = sum(
        1
        for unit in units
        if len(unit) < len(names)
        or any(len({v.choices[c.name] for v in unit.values()}) > 1 for c in scheme.choices)
    )
    return {
        "document": doc.document,
        "annotators": names,
        "quotes": len(units),
        "quote_f1_overlap": quote_f1.f1(),
        "units_with_disagreement": disagreements,
    }
