"""Matching spans between two annotations of the same text, and comparing speakers. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence

OVERLAP = 0.5
NAME_FILLER = {"the", "a", "an", "of", "at", "by", "for", "on"}

Extent = tuple[int, int]


def jaccard(a: Extent, b: Extent) -> float:
    """Character Jaccard of two [start, end) ranges."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    return inter / union if union else 0.0


def overlaps(a: Extent | None, b: Extent | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def match(
    left: Sequence[Extent],
    right: Sequence[Extent],
    *,
    exact: bool = False,
    threshold: float = OVERLAP,
) -> list[tuple[int, int]]:
    """One-to-one index pairs: equal ranges (exact) or Jaccard >= threshold, best first."""
    if exact:
        where = {extent: j for j, extent in enumerate(right)}
        return [(i, where[extent]) for i, extent in enumerate(left) if extent in where]
    candidates = sorted(
        ((jaccard(a, b), i, j) for i, a in enumerate(left) for j, b in enumerate(right)),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    used_left, used_right, pairs = set(), set(), []
    for score, i, j in candidates:
        if score < threshold:
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
