"""Krippendorff's alpha (nominal) and Cohen's kappa, filled a batch of units at a time. Pure.

Why not call the libraries: `krippendorff.alpha` takes the whole reliability
data as one coders x units array, and nltk's `AnnotationTask` keeps a dict per
coder and unit (and sorts them all for every pair). A collection of a million
documents has some fifteen million quote units per choice and about a billion
tokens: gigabytes held in memory for figures that depend only on small tables.
Nominal alpha is a function of the coincidence matrix (categories x
categories), Cohen's kappa of the two coders' contingency table; the classes
here fill those tables as the units stream past and give the libraries' figures
(tests/test_coefficients.py checks them against both on random data, to 1e-9).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from itertools import permutations

import numpy as np

# The code of "this coder gave no value for this unit".
MISSING = -1


class Coincidences:
    """Krippendorff's coincidence matrix for nominal values.

    A unit with m pairable values (m >= 2; a unit with fewer pairs with nothing and
    is left out, as the library does) adds each ordered pair of its values with
    weight 1/(m - 1). Pair counts are kept as integers per m and weighted only in
    alpha(), so the figure does not depend on the order the units came in.
    """

    def __init__(self, categories: int = 0) -> None:
        self.categories = categories
        self.pairs: dict[int, np.ndarray] = {}  # m -> ordered pair counts, c x k

    def add(self, values: np.ndarray) -> None:
        """`values`: coders x units of category codes 0, 1, …, MISSING where a coder gave none."""
        if values.size == 0 or values.max() < 0:
            return
        self._grow(int(values.max()) + 1)
        values = values.astype(np.int64)
        if values.min() >= 0:
            # Every coder valued every unit (token labels, a document's quotes): m is the
            # number of coders, and the pairs are counted coder pair by coder pair.
            size = self.categories
            pairs = np.zeros(size * size, dtype=np.int64)
            for i, j in permutations(range(len(values)), 2):
                pairs += np.bincount(values[i] * size + values[j], minlength=size * size)
            self._add_pairs(len(values), pairs.reshape(size, size))
            return
        present = values[:, None, :] == np.arange(self.categories)[None, :, None]
        self.add_counts(present.sum(axis=0).T)

    def add_counts(self, counts: np.ndarray) -> None:
        """`counts`: units x categories, how many coders gave each unit each value."""
        self._grow(counts.shape[1])
        full = np.zeros((len(counts), self.categories), dtype=np.int64)
        full[:, : counts.shape[1]] = counts
        pairable = full.sum(axis=1)
        for m in np.unique(pairable[pairable >= 2]).tolist():
            rows = full[pairable == m]
            self._add_pairs(m, rows.T @ rows - np.diag(rows.sum(axis=0)))

    def _add_pairs(self, m: int, pairs: np.ndarray) -> None:
        if m < 2:
            return
        if m in self.pairs:
            self.pairs[m] += pairs
        else:
            self.pairs[m] = pairs

    def _grow(self, categories: int) -> None:
        if categories <= self.categories:
            return
        extra = categories - self.categories
        self.pairs = {m: np.pad(pairs, ((0, extra), (0, extra))) for m, pairs in self.pairs.items()}
        self.categories = categories

    def alpha(self) -> float | None:
        """Nominal alpha; None when undefined (no pairable values, or one value throughout)."""
        totals = np.zeros(self.categories, dtype=np.int64)
        observed = 0.0  # the weighted count of pairs of different values
        for m, pairs in sorted(self.pairs.items()):
            totals += pairs.sum(axis=1) // (m - 1)  # each value pairs with m - 1 others
            observed += int(pairs.sum() - np.trace(pairs)) / (m - 1)
        n = int(totals.sum())
        expected = n * n - sum(int(t) ** 2 for t in totals)  # exact: Python integers
        if n <= 1 or expected == 0:
            return None
        return 1 - (n - 1) * observed / expected


class Contingency:
    """Two coders' values over the units both valued, for Cohen's kappa: observed
    agreement against the agreement expected from each coder's own marginals."""

    def __init__(self) -> None:
        self.table: Counter[tuple[Hashable, Hashable]] = Counter()

    def add(self, first: Hashable, second: Hashable) -> None:
        self.table[(first, second)] += 1

    def kappa(self) -> float | None:
        """None when undefined: no units, or one value throughout."""
        first, second = Counter(), Counter()
        for (a, b), count in self.table.items():
            first[a] += count
            second[b] += count
        if len(first.keys() | second.keys()) < 2:
            return None
        n = sum(first.values())
        observed = sum(count for (a, b), count in self.table.items() if a == b) / n
        expected = sum(first[value] * second[value] for value in first) / (n * n)
        return (observed - expected) / (1 - expected)
