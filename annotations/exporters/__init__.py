"""Writers of the gold dataset, one module per format, pure over an iterator of items.

Each writer takes the items (already in a stable order, each with its split)
and an output folder, writes its files incrementally, and returns what it
wrote and anything it could not represent exactly. Nothing here touches the
database.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TextIO

from annotations.canonical import CanonicalDocument
from annotations.errors import DomainError
from annotations.records import AnnotationRecord

FORMATS = ("jsonl", "conll", "spacy", "hf", "brat", "labelstudio")
# Formats that need an optional extra installed: format -> (module, extra).
OPTIONAL = {"spacy": ("spacy", "spacy"), "hf": ("datasets", "hf")}
SPLIT_NAMES = {1: ("train",), 2: ("train", "test"), 3: ("train", "dev", "test")}


@dataclass(frozen=True)
class ExportItem:
    document: CanonicalDocument
    annotation: AnnotationRecord
    split: str


@dataclass
class Written:
    """What a writer produced: files (relative to the output folder) and notes for the card."""

    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)


class SplitFiles:
    """One text file per split in `out` (train.jsonl, dev.jsonl …), each opened when its
    first item comes and starting with `header`; on leaving, all are closed and listed in
    `written.files` in split order."""

    def __init__(
        self, out: Path, suffix: str, written: Written, splits: tuple[str, ...], header: str = ""
    ) -> None:
        self.out, self.suffix, self.written, self.splits = out, suffix, written, splits
        self.header = header
        self.stack = ExitStack()
        self.files: dict[str, TextIO] = {}

    def __enter__(self) -> SplitFiles:
        self.stack.__enter__()
        return self

    def __exit__(self, *exc) -> bool | None:
        self.written.files.sort(key=lambda p: self.splits.index(p.stem))
        return self.stack.__exit__(*exc)

    def __getitem__(self, split: str) -> TextIO:
        if split not in self.files:
            path = Path(f"{split}{self.suffix}")
            stream = self.stack.enter_context((self.out / path).open("w", encoding="utf-8"))
            stream.write(self.header)
            self.files[split] = stream
            self.written.files.append(path)
        return self.files[split]


class ExportError(DomainError):
    pass


def split_names(ratios: tuple[float, ...]) -> tuple[str, ...]:
    return SPLIT_NAMES[len(ratios)]


def parse_split(value: str) -> tuple[float, ...]:
    """'0.8,0.1,0.1' -> (0.8, 0.1, 0.1): one to three non-negative ratios summing to 1."""
    try:
        ratios = tuple(float(part) for part in value.split(","))
    except ValueError:
        raise ExportError(f"split {value!r}: expected numbers like 0.8,0.1,0.1") from None
    if not 1 <= len(ratios) <= 3:
        raise ExportError(f"split {value!r}: give one, two or three ratios")
    if any(r < 0 for r in ratios) or abs(sum(ratios) - 1) > 1e-6:
        raise ExportError(f"split {value!r}: the ratios must be non-negative and sum to 1")
    return ratios


def assign_split(external_id: str, ratios: tuple[float, ...], seed: int) -> str:
    """A document's split from a stable hash of its id and the seed (not Python's hash())."""
    digest = hashlib.sha256(f"{seed}:{external_id}".encode()).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    cumulative = 0.0
    names = split_names(ratios)
    for name, ratio in zip(names, ratios, strict=True):
        cumulative += ratio
        if position < cumulative:
            return name
    return names[-1]


def writer(fmt: str) -> Callable[[Iterable[ExportItem], Path, tuple[str, ...]], Written]:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if fmt in OPTIONAL:
        package, extra = OPTIONAL[fmt]
        try:
            import_module(package)
        except ImportError:
            raise ExportError(
                f"the {fmt} format needs the {package!r} package: "
                f"pip install 'quote-annotations[{extra}]'"
            ) from None
    return import_module(f"annotations.exporters.{fmt}_format").write


def by_split(
    items: Iterable[ExportItem], splits: tuple[str, ...]
) -> Iterator[tuple[str, ExportItem]]:
    for item in items:
        if item.split not in splits:
            raise ExportError(
                f"item {item.document.external_id!r} has unknown split {item.split!r}"
            )
        yield item.split, item


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
