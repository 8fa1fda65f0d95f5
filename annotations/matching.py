"""Matching spans between two annotations of the same text, and comparing speakers. Pure.

A span is compared by its pieces (`SpanRecord.pieces`): a split quote covers its
pieces, not the words between them, so `(("a", b), (c, d))` and the extent
`((a, d),)` overlap on what the pieces hold only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

OVERLAP = 0.5
NAME_FILLER = {"the", "a", "an", "of", "at", "by", "for", "on"}

# The pieces of a span, [start, end) each, in text order and apart.
Extent = tuple[tuple[int, int], ...]


def shared(a: Extent, b: Extent) -> int:
    """How many characters two spans' pieces have in common."""
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def size(extent: Extent) -> int:
    return sum(end - start for start, end in extent)


def jaccard(a: Extent, b: Extent) -> float:
    """Character Jaccard of two spans' pieces."""
    inter = shared(a, b)
    union = size(a) + size(b) - inter
    return inter / union if union else 0.0


def overlaps(a: Extent | None, b: Extent | None) -> bool:
    return a is not None and b is not None and shared(a, b) > 0


def covered(a: Extent, b: Extent) -> float:
    """How much of `a` the pieces of `b` cover."""
    whole = size(a)
    return shared(a, b) / whole if whole else 0.0


def match(
    left: Sequence[Extent],
    right: Sequence[Extent],
    *,
    exact: bool = False,
    threshold: float = OVERLAP,
    score: Callable[[Extent, Extent], float] = jaccard,
) -> list[tuple[int, int]]:
    """One-to-one index pairs: equal pieces (exact) or `score` (Jaccard unless given)
    >= threshold, best first."""
    if exact:
        where: dict[Extent, list[int]] = {}
        for j, extent in enumerate(right):
            where.setdefault(extent, []).append(j)
        return [(i, where[extent].pop(0)) for i, extent in enumerate(left) if where.get(extent)]
    candidates = sorted(
        (
            (score(a, b), i, j)
            for i, a in enumerate(left)
            for j, b in enumerate(right)
            if a[0][0] < b[-1][1] and b[0][0] < a[-1][1]
        ),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    used_left, used_right, pairs = set(), set(), []
    for value, i, j in candidates:
        if value < threshold:
            break
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        pairs.append((i, j))
    return sorted(pairs)


def names_match(a: str, b: str) -> bool:
    """The same entity by name: equal words, or one name within the other with the same
    last word ("Ushakov" and "Yury Ushakov"; "Kandoria's Foreign Ministry" and "Foreign
    Ministry of Kandoria")."""
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    if sorted(ta) == sorted(tb):
        return True
    return ta[-1] == tb[-1] and (set(ta) <= set(tb) or set(tb) <= set(ta))


def name_tokens(name: str) -> list[str]:
    words = re.findall(r"\w+(?:[’']\w+)*", name.casefold())
    words = [re.sub(r"[’']s$", "", word) for word in words]
    return [w for w in words if w not in NAME_FILLER]


def same_speaker(name_a: str, span_a: Extent | None, name_b: str, span_b: Extent | None) -> bool:
    """Two attributions give the same speaker: by name when both name one, else by mention."""
    if name_a and name_b:
        return names_match(name_a, name_b)
    if span_a is not None or span_b is not None:
        return overlaps(span_a, span_b)
    return not name_a and not name_b
