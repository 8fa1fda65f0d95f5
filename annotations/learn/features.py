"""What the tagger sees of each token: the word, its neighbours, the quote marks around
it, and what the rules made of it. Pure.

The tokens are the rules' own (`preannotate.text.analyse`), so a model and the rules
read the same words, and the rules' output is a feature: where the rules found a
quote, a speaker or a cue, the model learns how far to trust them.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from annotations.preannotate.attribute import Attribution
from annotations.preannotate.lexicon import (
    FORM_TO_BASE,
    ORGANISATION_WORDS,
    PERSON_ROLES,
    PRONOUNS,
    TITLES,
)
from annotations.preannotate.text import Text
from annotations.records import AnnotationRecord
from annotations.scheme import CUE, QUOTE, SPEAKER

# One tag set: a token is outside, or begins / continues a quote, a speaker or a cue.
SHORT = {QUOTE: "Q", SPEAKER: "S", CUE: "C"}
LABEL_OF = {short: label for label, short in SHORT.items()}
OUTSIDE = "O"
MARKS = set("\"'“”„«»‘’‹›")
WINDOW = (-2, -1, 1, 2)


@dataclass(frozen=True)
class RuleTags:
    """The rules' reading of each token: Q/S/C with B or I, and the quote's type."""

    tags: list[str]
    quote_types: list[str]


def token_range(text: Text, start: int, end: int) -> range:
    """The tokens inside the characters [start, end)."""
    return range(bisect_left(text.starts, start), bisect_left(text.starts, end))


def rule_tags(text: Text, result: Attribution) -> RuleTags:
    tags = [OUTSIDE] * len(text.tokens)
    types = [""] * len(text.tokens)
    for found in result.found:
        for index in _paint(tags, token_range(text, *found.quote), "Q", over_quotes=True):
            types[index] = found.quote_type
    for found in result.found:
        if found.speaker is not None:
            _paint(tags, token_range(text, found.speaker.start, found.speaker.end), "S")
        if found.cue is not None:
            _paint(tags, range(found.cue.start, found.cue.end), "C")
    return RuleTags(tags, types)


def gold_tags(text: Text, annotation: AnnotationRecord) -> list[str]:
    """The annotation's quotes, speakers and cues as one tag per token.

    A quote keeps its words where another attribution's speaker or cue lies inside it
    (nested attributions), and of nested quotes the outer one keeps them; every piece
    of a split quote begins afresh and the words between its pieces stay outside (or
    are its speaker and cue)."""
    tags = [OUTSIDE] * len(text.tokens)
    for span in annotation.spans:
        if span.label in (SPEAKER, CUE):
            for start, end in span.pieces:
                _paint(tags, token_range(text, start, end), SHORT[span.label])
    pieces = [piece for span in annotation.spans if span.label == QUOTE for piece in span.pieces]
    for start, end in sorted(pieces, key=lambda piece: piece[0] - piece[1]):
        _paint(tags, token_range(text, start, end), "Q")
    return tags


def _paint(tags: list[str], tokens: range, short: str, *, over_quotes: bool = False) -> list[int]:
    """Tag the tokens as one span and return them; unless `over_quotes`, a quote does not
    paint over another (the outer, painted first, keeps its words)."""
    if short == "Q" and not over_quotes and any(tags[i].endswith("-Q") for i in tokens):
        return []
    for position, index in enumerate(tokens):
        tags[index] = ("B-" if position == 0 else "I-") + short
    return list(tokens)


def _shape(word: str) -> str:
    if word.isdigit():
        return "d"
    if word[0] in MARKS:
        return "mark"
    if not word[0].isalnum():
        return "p"
    if word.isupper() and len(word) > 1:
        return "XX"
    return "Xx" if word[0].isupper() else "x"


def featurize(text: Text, result: Attribution) -> list[list[str]]:
    """Each token's features, as strings (a feature present has the weight 1)."""
    tokens = text.tokens
    rules = rule_tags(text, result)
    count = len(tokens)
    cue_tokens = [False] * count
    cue_base = [""] * count
    for cue in result.cues:
        for index in range(cue.start, min(cue.end, count)):
            cue_tokens[index] = True
            cue_base[index] = cue.base
    # Per sentence, where its cues stand, for "before / after a cue" features.
    sentence_cues: dict[int, list[int]] = {}
    for cue in result.cues:
        sentence_cues.setdefault(cue.sentence, []).append(cue.start)
    segment_length: dict[int, int] = {}
    for owner in text.segment_of:
        if owner >= 0:
            segment_length[owner] = segment_length.get(owner, 0) + 1
    words = [token.lower for token in tokens]
    shapes = [_shape(token.text) for token in tokens]
    sentence_of, paragraph_of, segment_of = text.sentence_of, text.paragraph_of, text.segment_of
    sentence_start = {start for start, _ in text.sentences}
    sentence_end = {end - 1 for _, end in text.sentences}
    features: list[list[str]] = []
    for i in range(count):
        word = words[i]
        tag = rules.tags[i]
        row = [
            "bias",
            "w=" + word,
            "s=" + shapes[i],
            "suf=" + word[-3:],
            "r=" + tag,
            "rt=" + tag[2:] + rules.quote_types[i],
        ]
        if word in FORM_TO_BASE:
            row.append("verb=" + FORM_TO_BASE[word])
        if cue_tokens[i]:
            row.append("cue=" + cue_base[i])
        if word in PRONOUNS:
            row.append("pronoun")
        if word in TITLES or word in PERSON_ROLES:
            row.append("person-word")
        if word in ORGANISATION_WORDS:
            row.append("org-word")
        owner = segment_of[i]
        if owner >= 0:
            length = segment_length[owner]
            row.append("inq")
            row.append("inq-long" if length > 4 else "inq-short")
            if i == 0 or segment_of[i - 1] != owner:
                row.append("seg-first")
            if i + 1 == count or segment_of[i + 1] != owner:
                row.append("seg-last")
        if i in sentence_start:
            row.append("sent-start")
            if i == 0 or paragraph_of[i] != paragraph_of[i - 1]:
                row.append("para-start")
        if i in sentence_end:
            row.append("sent-end")
        cues_here = sentence_cues.get(sentence_of[i])
        if cues_here:
            before = [c for c in cues_here if c < i]
            after = [c for c in cues_here if c > i]
            if before:
                gap = i - before[-1]
                row.append("cue-before" + ("-near" if gap <= 3 else "-far"))
                row.append("cue-before=" + cue_base[before[-1]])
                if words[before[-1] + 1 : before[-1] + 2] == ["that"]:
                    row.append("after-cue-that")
            if after:
                gap = after[0] - i
                row.append("cue-after" + ("-near" if gap <= 3 else "-far"))
                row.append("cue-after=" + cue_base[after[0]])
        else:
            row.append("no-cue-in-sentence")
        for offset in WINDOW:
            j = i + offset
            if 0 <= j < count and sentence_of[j] == sentence_of[i]:
                row.append(f"w{offset}={words[j]}")
                row.append(f"r{offset}={rules.tags[j][2:]}")
                if cue_tokens[j]:
                    row.append(f"cue{offset}")
            else:
                row.append(f"edge{offset}")
        row.append(f"w-1w={words[i - 1] if i else ''}|{word}")
        row.append(f"ww+1={word}|{words[i + 1] if i + 1 < count else ''}")
        if word == "that" and i and words[i - 1] in FORM_TO_BASE:
            row.append("verb-that")
        if i < 3 or paragraph_of[i - 3] != paragraph_of[i]:
            row.append("para-opening")
        features.append(row)
    return features
