"""Words of a document and the spans' tags on them, for token exports and token-wise agreement.

Tokenizer: words are runs of letters and digits, with inner hyphens and
apostrophes kept ("Mar-a-Lago", "don't", "Ukraine’s"); every other non-space
character is a token of its own. A token partly inside a span counts as
inside. Only the pieces of a split span cover tokens: the words between the
pieces (a split quote's speaker and cue) are not part of it. Pure.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from annotations.records import AnnotationRecord, SpanRecord

TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")


@dataclass(frozen=True)
class Tokens:
    """A text's tokens as (word, start, end), with lookups by offset."""

    words: tuple[tuple[str, int, int], ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.words)

    def covered(self, span: SpanRecord) -> list[range]:
        """The tokens of each piece of the span, piece by piece."""
        return [
            range(bisect_right(self.ends, start), bisect_left(self.starts, end))
            for start, end in span.pieces
        ]

    def indices(self, span: SpanRecord) -> list[int]:
        return [i for piece in self.covered(span) for i in piece]

    def misaligned(self, span: SpanRecord) -> int:
        """How many of the span's piece boundaries fall inside a token."""
        starts, ends = set(self.starts), set(self.ends)
        return sum((start not in starts) + (end not in ends) for start, end in span.pieces)


def tokenize(text: str) -> Tokens:
    words = tuple((m.group(), m.start(), m.end()) for m in TOKEN.finditer(text))
    return Tokens(words, tuple(w[1] for w in words), tuple(w[2] for w in words))


@dataclass
class Tagged:
    """BIO tags per label over a document's tokens, and each token's attributions."""

    tokens: Tokens
    tags: dict[str, list[str]]
    # Per token: ids of the attributions it takes part in (a1, a2, … in reading order).
    roles: list[list[str]] = field(default_factory=list)
    overlapping: int = 0
    misaligned: int = 0


def bio_tags(text: str, annotation: AnnotationRecord, labels: tuple[str, ...]) -> Tagged:
    """Each label's BIO column; every piece of a split span begins with B. Where two
    spans of one label overlap, the outer one is tagged and the overlap counted."""
    tokens = tokenize(text)
    tagged = Tagged(tokens, {label: ["O"] * len(tokens) for label in labels})
    tagged.roles = [[] for _ in range(len(tokens))]
    for span in sorted(annotation.spans, key=lambda s: (s.start, -s.end)):
        tagged.misaligned += tokens.misaligned(span)
        pieces = tokens.covered(span)
        column = tagged.tags[span.label]
        if any(column[i] != "O" for piece in pieces for i in piece):
            tagged.overlapping += 1
            continue
        for piece in pieces:
            for position, i in enumerate(piece):
                column[i] = "B" if position == 0 else "I"
    spans = annotation.span_by_id()
    for number, attribution in enumerate(annotation.attributions, start=1):
        for span_id in (attribution.quote, attribution.speaker, attribution.cue):
            if span_id in spans:
                for i in tokens.indices(spans[span_id]):
                    if f"a{number}" not in tagged.roles[i]:
                        tagged.roles[i].append(f"a{number}")
    return tagged
