"""A quote, speaker and cue tagger learnt from gold annotations, stacked on the rules. Pure.

The model is a linear-chain CRF (crfsuite) over the rules' tokens: it reads each
word, its neighbours, the quote marks around it and what the rules made of it
(`features`), and tags quotes, speakers and cues. Its quotes are then tied to a cue
and a speaker — the rules' own where the rules found the same quote, else the
nearest cue the model or the lexicon saw and the speaker next to it — and written
as the rules write theirs (`preannotate.to_record`), split quotes included.

A model file is a zip: `model.json` (format, labels, training facts) and the
crfsuite weights. Training runs on a CPU in minutes and downloads nothing.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from annotations.learn.features import LABEL_OF, OUTSIDE, featurize, gold_tags, token_range
from annotations.preannotate import to_record
from annotations.preannotate.attribute import Attribution, Cue, Found, attribute_text
from annotations.preannotate.evaluate import evaluate, quote_type_by_form
from annotations.preannotate.lexicon import FORM_TO_BASE, PRONOUNS
from annotations.preannotate.speakers import Mention
from annotations.preannotate.text import Text, analyse
from annotations.records import AnnotationRecord
from annotations.scheme import CUE, QUOTE, SPEAKER

FORMAT = 1
WEIGHTS = "weights.crfsuite"
META = "model.json"
# A strong L1 keeps the model small (most features never matter) and, on PolNeAR's dev
# split, did best (c1 from 0.02 to 2 and 40 to 100 passes tried; docs/benchmarks.md).
PARAMETERS = {"c1": 1.0, "c2": 0.001, "max_iterations": 60, "feature.possible_transitions": True}
# How far (in tokens, within the paragraph) a quote looks for its cue.
CUE_REACH = 40


class ModelFileError(ValueError):
    """A model file that is missing, unreadable or not a model of this format."""


@dataclass(frozen=True)
class Example:
    """One document to learn from: its text and an annotation of it (gold)."""

    text: str
    annotation: AnnotationRecord


BASES = ("rules", "none")


def _rules(text: Text, base: str, known_speakers: dict[str, str] | None = None) -> Attribution:
    """What the model stacks on: the rules' reading of the text, or nothing."""
    return attribute_text(text, known_speakers) if base == "rules" else Attribution()


def sequences(example: Example, base: str = "rules") -> tuple[list[list[str]], list[str]]:
    text = analyse(example.text)
    return featurize(text, _rules(text, base)), gold_tags(text, example.annotation)


def train(
    examples: Iterable[Example],
    *,
    base: str = "rules",
    min_confidence: float = 0.0,
    facts: dict | None = None,
    parameters: dict | None = None,
    on_document: Callable[[int], None] | None = None,
    on_iteration: Callable[[int, int], None] | None = None,
) -> bytes:
    """A model file's bytes, learnt from the examples. `facts` go into its model.json;
    `on_document(n)` is told of each document read, `on_iteration(done, total)` of
    each pass of the optimiser. `min_confidence`: a quote the rules did not find is
    kept only when the model is at least this sure of it (0 keeps every one)."""
    if base not in BASES:
        raise ValueError(f"base {base!r}: choose from {', '.join(BASES)}")
    if not 0.0 <= min_confidence < 1.0:
        raise ValueError(f"min_confidence {min_confidence!r}: from 0 up to (not) 1")
    settings = {**PARAMETERS, **(parameters or {})}
    total = int(settings["max_iterations"])

    class Trainer(pycrfsuite.Trainer):
        """Quiet, but telling `on_iteration` of each pass of the optimiser."""

        def message(self, message: str) -> None:
            event = self.logparser.feed(message)
            if event == "iteration" and on_iteration is not None:
                done = int(self.logparser.last_iteration.get("num", 0))
                on_iteration(min(done, total), total)

    trainer = Trainer(verbose=False)
    documents = tokens = 0
    for example in examples:
        features, tags = sequences(example, base)
        if features:
            trainer.append(features, tags)
            documents += 1
            tokens += len(tags)
        if on_document is not None:
            on_document(1)
    if not documents:
        raise ValueError("no document with text to learn from")
    trainer.set_params(settings)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, WEIGHTS)
        trainer.train(path)
        weights = Path(path).read_bytes()
    meta = {
        "format": FORMAT,
        "kind": "crf",
        "base": base,
        "min_confidence": min_confidence,
        "labels": sorted(LABEL_OF),
        "parameters": settings,
        "documents": documents,
        "tokens": tokens,
        **(facts or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # Fixed dates: the same gold and settings give the same file, byte for byte.
        for name, content in (
            (META, json.dumps(meta, indent=2, sort_keys=True)),
            (WEIGHTS, weights),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


class Tagger:
    """A trained model, ready to predict."""

    def __init__(self, data: bytes, *, version: str, min_confidence: float | None = None) -> None:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                meta = json.loads(archive.read(META))
                weights = archive.read(WEIGHTS)
        except (zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError) as error:
            raise ModelFileError(f"not a model file: {error}") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            found = meta.get("format") if isinstance(meta, dict) else None
            raise ModelFileError(f"model format {found!r}, expected {FORMAT}")
        if meta.get("base") not in BASES:
            raise ModelFileError(f"the model stacks on {meta.get('base')!r}, not a known base")
        self.meta = meta
        self.version = version
        self.min_confidence = (
            float(meta.get("min_confidence", 0.0)) if min_confidence is None else min_confidence
        )
        self._tagger = pycrfsuite.Tagger()
        # crfsuite reads the weights where they lie: they must live as long as the tagger.
        self._weights = weights
        try:
            self._tagger.open_inmemory(weights)
        except (ValueError, OSError) as error:
            raise ModelFileError(f"the model's weights are unreadable: {error}") from None

    @classmethod
    def load(cls, path: Path, *, version: str) -> Tagger:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise ModelFileError(f"{path}: {error.strerror}") from None
        return cls(data, version=version)

    def tags(self, text: Text, result: Attribution) -> tuple[list[str], list[float]]:
        """Each token's tag and the model's confidence in it."""
        features = featurize(text, result)
        if not features:
            return [], []
        tags = self._tagger.tag(features)
        marginal = self._tagger.marginal
        return tags, [marginal(tag, i) for i, tag in enumerate(tags)]

    def predict(
        self, source: str, known_speakers: dict[str, str] | None = None
    ) -> AnnotationRecord:
        text = analyse(source)
        result = _rules(text, self.meta["base"], known_speakers)
        tags, confidence = self.tags(text, result)
        found = link(text, result, spans_of(tags), confidence, self.min_confidence)
        return to_record(
            source, Attribution(found, result.mentions, result.cues), model_version=self.version
        )


def spans_of(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """(label, first token, token after the last) for each run of tags; an I- after
    another label starts a span of its own."""
    spans: list[tuple[str, int, int]] = []
    current: list = []
    for i, tag in enumerate([*tags, OUTSIDE]):
        short = tag[2:] if tag != OUTSIDE else ""
        if current and (tag == OUTSIDE or tag.startswith("B-") or short != current[0]):
            spans.append((LABEL_OF[current[0]], current[1], i))
            current = []
        if tag != OUTSIDE and not current:
            current = [short, i]
    return spans


def link(
    text: Text,
    result: Attribution,
    spans: list[tuple[str, int, int]],
    confidence: Sequence[float],
    min_confidence: float = 0.0,
) -> list[Found]:
    """The model's quotes, each with its cue and speaker; of those the rules did not
    find, only the ones it is at least `min_confidence` sure of (its mean marginal
    probability over the quote's tokens)."""
    tokens = text.tokens
    rules = sorted(result.found, key=lambda f: f.quote)
    cues = {(cue.start, cue.end): cue for cue in result.cues}
    for label, first, after in spans:
        if label == CUE and (first, after) not in cues:
            cues[(first, after)] = _cue(text, first, after)
    speakers = [(first, after) for label, first, after in spans if label == SPEAKER]
    mention_at = {(m.start, m.end): m for m in result.mentions}
    speaker_of_cue = {f.cue.chars: f.speaker for f in result.found if f.cue is not None}
    found: list[Found] = []
    for label, first, after in spans:
        if label != QUOTE:
            continue
        start, end = tokens[first].start, tokens[after - 1].end
        score = sum(confidence[first:after]) / (after - first)
        kind = quote_type_by_form(text.text, ((start, end),))
        same = _same_quote(rules, start, end)
        if same is not None and (same.cue is not None or same.speaker is not None):
            # The rules' quote, as the model bounds it: its cue, speaker and form.
            kind = same.quote_type if same.quote == (start, end) else kind
            found.append(Found((start, end), kind, same.cue, same.speaker, score, same.entity))
            continue
        if score < min_confidence:
            continue
        cue = _nearest_cue(text, cues.values(), first, after)
        speaker = None
        if cue is not None:
            speaker = speaker_of_cue.get(cue.chars) or _speaker_near(
                text, speakers, mention_at, cue, first, after
            )
        entity = speaker.entity if speaker is not None else ""
        found.append(Found((start, end), kind, cue, speaker, score, entity))
    return found


def _same_quote(rules: list[Found], start: int, end: int) -> Found | None:
    """The rules' quote that is mostly this one, if any."""
    best, best_share = None, 0.0
    for found in rules:
        a, b = found.quote
        shared = min(b, end) - max(a, start)
        if shared <= 0:
            continue
        share = shared / max(b - a, end - start)
        if share > best_share:
            best, best_share = found, share
    return best if best_share >= 0.5 else None


def _cue(text: Text, first: int, after: int) -> Cue:
    words = [token.lower for token in text.tokens[first:after]]
    base = " ".join(FORM_TO_BASE.get(word, word) for word in words)
    chars = (text.tokens[first].start, text.tokens[after - 1].end)
    return Cue(first, after, base, text.sentence_of[first], chars)


def _nearest_cue(text: Text, cues: Iterable[Cue], first: int, after: int) -> Cue | None:
    """The closest cue outside the quote in its paragraph, within reach; one in the
    quote's own sentences before one in a neighbouring sentence."""
    paragraph = text.paragraph_of[first]
    sentences = {text.sentence_of[first], text.sentence_of[after - 1]}
    best, best_key = None, None
    for cue in cues:
        if cue.end <= first:
            distance = first - cue.end
        elif cue.start >= after:
            distance = cue.start - after
        else:
            continue  # inside the quote: its own words
        if distance > CUE_REACH or text.paragraph_of[cue.start] != paragraph:
            continue
        key = (cue.sentence not in sentences, distance)
        if best_key is None or key < best_key:
            best, best_key = cue, key
    return best


def _speaker_near(
    text: Text,
    speakers: list[tuple[int, int]],
    mention_at: dict[tuple[int, int], Mention],
    cue: Cue,
    first: int,
    after: int,
) -> Mention | None:
    """The model's speaker closest to the cue in the cue's sentence, outside the quote."""
    best, best_distance = None, None
    for start, end in speakers:
        if text.sentence_of[start] != cue.sentence or (start < after and end > first):
            continue
        distance = cue.start - end if end <= cue.start else start - cue.end + 1
        if best_distance is None or abs(distance) < best_distance:
            best, best_distance = (start, end), abs(distance)
    if best is None:
        return None
    chars = (text.tokens[best[0]].start, text.tokens[best[1] - 1].end)
    if chars in mention_at:
        return mention_at[chars]
    words = text.text[chars[0] : chars[1]]
    kind = (
        "pronoun" if words.lower() in PRONOUNS else "name" if words[:1].isupper() else "description"
    )
    return Mention(chars[0], chars[1], words, kind, "")


def evaluate_model(model: Tagger, examples: Iterable[Example], *, types: str = "given") -> dict:
    """The model's scores on gold examples (`preannotate.evaluate`'s report)."""
    return evaluate(
        ((e.text, e.annotation, model.predict(e.text)) for e in examples), types=types
    ).as_dict()


__all__ = [
    "Example",
    "ModelFileError",
    "Tagger",
    "evaluate_model",
    "spans_of",
    "token_range",
    "train",
]
