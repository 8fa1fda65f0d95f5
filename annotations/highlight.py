"""Text cut into pieces by span boundaries, for showing spans highlighted. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    # (label, span id) of every span covering this piece, outermost first.
    spans: tuple[tuple[str, str], ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(label for label, _ in self.spans))


def pieces(text: str, spans: Iterable[tuple[str, str, int, int]]) -> list[Piece]:
    """Cut text at every span boundary; spans are (label, id, start, end) and may overlap."""
    spans = [
        (label, ident, max(0, start), min(len(text), end)) for label, ident, start, end in spans
    ]
    spans = [s for s in spans if s[2] < s[3]]
    cuts = sorted({0, len(text), *(s[2] for s in spans), *(s[3] for s in spans)})
    ordered = sorted(spans, key=lambda s: (s[2], -s[3]))
    result = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = tuple(
            (label, ident) for label, ident, s, e in ordered if s <= start and end <= e
        )
        result.append(Piece(text[start:end], covering))
    return result
