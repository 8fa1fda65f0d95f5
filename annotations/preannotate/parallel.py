"""The rules over many documents on several cores, in order and in bounded memory. Pure.

Only the texts travel to the worker processes and only predictions come back;
each item's key stays here, beside its prediction. The workers are forked (no
script is imported again, whatever started the process) and run nothing but the
rules: they never touch a database connection or file the parent holds, and
leave without running the parent's exit handlers. At most a few chunks per
worker are in flight, so a collection of any size streams through.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import TypeVar

from annotations.preannotate import preannotate
from annotations.records import AnnotationRecord

Key = TypeVar("Key")
CHUNK = 25  # documents per task: big enough to amortise the hand-over, small enough to balance
IN_FLIGHT = 3  # chunks per worker waiting or running

Predictor = Callable[..., AnnotationRecord]
_known: dict[str, str] = {}
_predictor: Predictor = preannotate


def predict_all(
    items: Iterable[tuple[Key, str]],
    *,
    known: dict[str, str],
    workers: int = 1,
    predict: Predictor = preannotate,
) -> Iterator[tuple[Key, AnnotationRecord]]:
    """(key, text) in, (key, prediction) out, in the same order. `predict(text,
    known_speakers=…)` is the rules or a trained model's; forked workers inherit it."""
    if workers <= 1:
        for key, text in items:
            yield key, predict(text, known_speakers=known)
        return
    global _predictor
    _predictor = predict
    context = multiprocessing.get_context("fork")
    iterator = iter(items)
    pending: deque[tuple[list[Key], Future]] = deque()
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_remember, initargs=(known,)
    ) as pool:
        while True:
            while len(pending) < workers * IN_FLIGHT:
                chunk = list(islice(iterator, CHUNK))
                if not chunk:
                    break
                keys = [key for key, _ in chunk]
                pending.append((keys, pool.submit(_predict, [text for _, text in chunk])))
            if not pending:
                return
            keys, future = pending.popleft()
            yield from zip(keys, future.result(), strict=True)


def _remember(known: dict[str, str]) -> None:
    global _known
    _known = known


def _predict(texts: list[str]) -> list[AnnotationRecord]:
    return [_predictor(text, known_speakers=_known) for text in texts]
