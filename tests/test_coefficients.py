"""The incremental coefficients give the statistics libraries' figures, batch by batch."""

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.metrics.agreement import AnnotationTask

from annotations.coefficients import MISSING, Coincidences, Contingency

TOLERANCE = 1e-9


def library_alpha(values: np.ndarray) -> float | None:
    """krippendorff.alpha over coders x units, MISSING as NaN; None where it is undefined."""
    pairable = values[:, (values != MISSING).sum(axis=0) >= 2]
    if len(np.unique(pairable[pairable != MISSING])) < 2:
        return None  # no pairable value, or one value throughout
    data = np.where(values == MISSING, np.nan, values.astype(float))
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


# coders x units of codes 0..4, some missing (a coder who did not see the unit).
reliability_data = st.integers(2, 5).flatmap(
    lambda coders: st.lists(
        st.lists(st.integers(MISSING, 4), min_size=coders, max_size=coders),
        min_size=1,
        max_size=40,
    ).map(lambda units: np.array(units).T)
)


@settings(max_examples=200, deadline=None)
@given(reliability_data, st.integers(1, 4))
def test_alpha_with_missing_values_fed_in_batches_is_the_library_s(values, batches):
    tally = Coincidences()
    for part in np.array_split(values, batches, axis=1):
        tally.add(part)
    expected = library_alpha(values)
    if expected is None:
        assert tally.alpha() is None
    else:
        assert tally.alpha() == pytest.approx(expected, abs=TOLERANCE, rel=0)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda coders: st.lists(
            st.lists(st.integers(0, 3), min_size=coders, max_size=coders), min_size=2, max_size=40
        )
    ),
    st.integers(1, 3),
)
def test_every_coder_valuing_every_unit(units, batches):
    values = np.array(units).T  # coders x units
    tally = Coincidences(4)
    for part in np.array_split(values, batches, axis=1):
        tally.add(part)
    expected = library_alpha(values)
    assert (tally.alpha() is None) == (expected is None)
    if expected is not None:
        assert tally.alpha() == pytest.approx(expected, abs=TOLERANCE, rel=0)


def test_counts_per_unit_and_codes_met_late():
    tally = Coincidences()
    tally.add_counts(np.array([[2, 0], [1, 1]]))  # two units, two coders each
    tally.add(np.array([[2, 0, MISSING], [2, 1, 0]]))  # a third category arrives
    values = np.array([[0, 0, 2, 0, MISSING], [0, 1, 2, 1, 0]])
    assert tally.alpha() == pytest.approx(library_alpha(values), abs=TOLERANCE, rel=0)


def test_alpha_is_undefined_without_pairs_or_without_variety():
    assert Coincidences(3).alpha() is None
    single = Coincidences()
    single.add(np.array([[0, 1], [MISSING, MISSING]]))  # no unit has two values
    assert single.alpha() is None
    same = Coincidences()
    same.add(np.array([[1, 1], [1, 1]]))
    assert same.alpha() is None


def library_kappa(pairs: list[tuple[str, str]]) -> float | None:
    data = [
        (coder, str(unit), label)
        for unit, labels in enumerate(pairs)
        for coder, label in zip("ab", labels, strict=True)
    ]
    if len({label for *_, label in data}) < 2:
        return None
    return float(AnnotationTask(data=data).kappa_pairwise("a", "b"))


values = st.sampled_from(["support", "oppose", "neutral", "(no quote)", "(unset)"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(values, values), max_size=50))
def test_kappa_from_the_running_table_is_nltk_s(pairs):
    table = Contingency()
    for first, second in pairs:
        table.add(first, second)
    expected = library_kappa(pairs)
    if expected is None:
        assert table.kappa() is None
    else:
        assert table.kappa() == pytest.approx(expected, abs=TOLERANCE, rel=0)


def test_kappa_worked_by_hand():
    # (support, support), (oppose, no quote), (no quote, neutral):
    # Po = 1/3, Pe = 1/9 + 1/9 = 2/9, kappa = (1/3 - 2/9) / (7/9) = 1/7.
    table = Contingency()
    for pair in [("s", "s"), ("o", "-"), ("-", "n")]:
        table.add(*pair)
    assert table.kappa() == pytest.approx(1 / 7)
