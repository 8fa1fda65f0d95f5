"""What annotators did with the predictions they started from, and what it saved them. Pure.

An annotation made in Label Studio from a prediction (its `parent_prediction`) is set
beside that prediction. Per label, each predicted span was **kept** (a span of the same
label with the same pieces), **edited** (one overlapping it, matched one to one, best
first) or **deleted**; the annotator's spans left over were **added**. On the quotes kept
or edited, each choice the prediction filled (quote type, stance, claim type) was kept
or changed. Every human annotation's labelling time (Label Studio's `lead_time`) counts
on the side it was made on: with a prediction or without.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from annotations.matching import match, overlaps
from annotations.records import AnnotationRecord
from annotations.scheme import Scheme

OUTCOMES = ("kept", "edited", "deleted", "added")
CHOICE_OUTCOMES = ("kept", "changed")


@dataclass
class Times:
    seconds: float = 0.0
    annotations: int = 0

    def add(self, seconds: float) -> None:
        self.seconds += seconds
        self.annotations += 1

    def mean(self) -> float | None:
        return round(self.seconds / self.annotations, 1) if self.annotations else None


@dataclass
class VersionTally:
    """One model version's predictions against what annotators made of them."""

    annotations: int = 0
    spans: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    choices: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    time: Times = field(default_factory=Times)


class PredictionUseTally:
    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        self.versions: dict[str, VersionTally] = defaultdict(VersionTally)
        self.without = Times()
        self.unknown = 0

    def add(
        self,
        prediction: AnnotationRecord,
        human: AnnotationRecord,
        *,
        model_version: str,
        lead_time: float | None,
    ) -> None:
        """A human annotation started from this prediction."""
        tally = self.versions[model_version or "unknown"]
        tally.annotations += 1
        if lead_time is not None and lead_time >= 0:
            tally.time.add(lead_time)
        for label in self.scheme.label_names():
            predicted = [s for s in prediction.spans if s.label == label]
            made = [s for s in human.spans if s.label == label]
            exact = match([s.pieces for s in predicted], [s.pieces for s in made], exact=True)
            left = [i for i in range(len(predicted)) if i not in {i for i, _ in exact}]
            rest = [j for j in range(len(made)) if j not in {j for _, j in exact}]
            close = match(
                [predicted[i].pieces for i in left],
                [made[j].pieces for j in rest],
                threshold=1e-9,
                score=lambda a, b: 1.0 if overlaps(a, b) else 0.0,
            )
            counts = tally.spans[label]
            counts["kept"] += len(exact)
            counts["edited"] += len(close)
            counts["deleted"] += len(predicted) - len(exact) - len(close)
            counts["added"] += len(made) - len(exact) - len(close)
        self._choices(prediction, human, tally)

    def add_unknown(self) -> None:
        """A human annotation begun from a prediction that is not stored here (one the ML
        backend gave on request): neither side's time, nothing to compare."""
        self.unknown += 1

    def add_time(self, lead_time: float | None) -> None:
        """A human annotation made without a prediction."""
        if lead_time is not None and lead_time >= 0:
            self.without.add(lead_time)

    def _choices(self, prediction: AnnotationRecord, human: AnnotationRecord, tally) -> None:
        spans_p, spans_h = prediction.span_by_id(), human.span_by_id()
        predicted = [a for a in prediction.attributions if a.quote in spans_p]
        made = [a for a in human.attributions if a.quote in spans_h]
        pairs = match(
            [spans_p[a.quote].pieces for a in predicted],
            [spans_h[a.quote].pieces for a in made],
            threshold=1e-9,
            score=lambda a, b: 1.0 if overlaps(a, b) else 0.0,
        )
        for i, j in pairs:
            for choice in self.scheme.choices:
                before = getattr(predicted[i], choice.name, "")
                if before:
                    after = getattr(made[j], choice.name, "")
                    tally.choices[choice.name]["kept" if after == before else "changed"] += 1

    def report(self) -> dict:
        versions = {}
        for version, tally in sorted(self.versions.items()):
            versions[version] = {
                "annotations": tally.annotations,
                "spans": {
                    label: {outcome: tally.spans[label][outcome] for outcome in OUTCOMES}
                    for label in self.scheme.label_names()
                },
                "choices": {
                    choice.name: {o: tally.choices[choice.name][o] for o in CHOICE_OUTCOMES}
                    for choice in self.scheme.choices
                },
                "lead_time": {
                    "mean_seconds": tally.time.mean(),
                    "annotations": tally.time.annotations,
                },
            }
        return {
            "versions": versions,
            "without_predictions": {
                "mean_seconds": self.without.mean(),
                "annotations": self.without.annotations,
            },
            "from_predictions_not_stored": self.unknown,
        }


def kept_share(counts: dict) -> float | None:
    """Of the predicted spans, the share annotators kept as they were."""
    predicted = counts["kept"] + counts["edited"] + counts["deleted"]
    return counts["kept"] / predicted if predicted else None
