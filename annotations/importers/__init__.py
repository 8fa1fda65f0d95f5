"""Readers for every input format, and the choice of reader for a path.

Each reader is pure over the file it is given: it yields DocumentRecords, and
InputError / InputWarning items for what is wrong, so one bad line does not hide
the next. Nothing here touches the database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from annotations.importers.brat import DEFAULT_PROFILE, BratProfile
from annotations.importers.normalize import InputError, InputWarning
from annotations.records import DocumentRecord
from annotations.scheme import QUOTES_V1, Scheme

FORMATS = ("txt", "jsonl", "brat", "labelstudio")
AUTO = "auto"
_EXTENSIONS = {".txt": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "labelstudio"}
# What a directory search picks up when the format is given.
_ACCEPTS = {
    "txt": {".txt"},
    "jsonl": {".jsonl", ".ndjson"},
    "labelstudio": {".json"},
    "brat": {".txt", ".ann"},
}

ReadItem = DocumentRecord | InputError | InputWarning


@dataclass(frozen=True, slots=True)
class ReadOptions:
    max_bytes: int = 2 * 1024 * 1024
    scheme: Scheme = QUOTES_V1
    brat_profile: BratProfile = DEFAULT_PROFILE


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input: a file, or a brat text with one of its .ann files, in a known format."""

    path: Path
    format: str
    # Document id for formats whose files carry none (txt, brat).
    external_id: str
    # brat: the .ann read with the text (None: the text alone), and whose it is.
    ann: Path | None = None
    annotator: str = ""
    # Why the input cannot be read (a brat .ann with no text); reading reports it.
    error: str = ""

    @property
    def size(self) -> int:
        return sum(p.stat().st_size for p in (self.path, self.ann) if p is not None)


def importable(name: str, fmt: str = AUTO) -> bool:
    """Whether a file of this name is read in this format (by its extension)."""
    suffix = Path(name).suffix.lower()
    if fmt == AUTO:
        return suffix in _EXTENSIONS or suffix == ".ann"
    return suffix in _ACCEPTS.get(fmt, set())


def described_formats() -> str:
    return ".txt, .jsonl, .ndjson, .json (Label Studio) and brat's .txt with .ann"


def discover(paths: list[Path], fmt: str = AUTO) -> tuple[list[SourceFile], list[InputWarning]]:
    """The inputs under these paths; directories are searched recursively.

    A brat `.ann` pairs with the `.txt` of the same name beside it or anywhere
    under the folder given (the nearest one), or, named `<stem>_<annotator>.ann`,
    with `<stem>.txt`: then it is that annotator's annotation. A text may have
    several `.ann` files, one per annotator; each is its own input.
    """
    if fmt != AUTO and fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (choose from auto, {', '.join(FORMATS)})")
    sources: dict[tuple[Path, Path | None], SourceFile] = {}
    warnings: list[InputWarning] = []
    for path in paths:
        if not path.exists():
            raise InputError("no such file or directory", location=str(path))
        if path.is_dir():
            found, ignored = _directory_sources(path, fmt)
            for source in found:
                sources.setdefault((source.path, source.ann), source)
            if ignored:
                warnings.append(
                    InputWarning(f"ignored {ignored} file(s) of no known format", str(path))
                )
        else:
            source = _file_source(path, fmt)
            sources.setdefault((source.path, source.ann), source)
    return list(sources.values()), warnings


def _directory_sources(root: Path, fmt: str) -> tuple[list[SourceFile], int]:
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    sources: list[SourceFile] = []
    paired: set[Path] = set()
    if fmt in (AUTO, "brat"):
        texts = [p for p in files if p.suffix.lower() == ".txt"]
        for ann in (p for p in files if p.suffix.lower() == ".ann"):
            source = _brat_source(ann, texts, root)
            sources.append(source)
            paired.add(source.path)
    ignored = 0
    for path in files:
        suffix = path.suffix.lower()
        if path in paired or (suffix == ".ann" and fmt in (AUTO, "brat")):
            continue
        chosen = _EXTENSIONS.get(suffix, "") if fmt == AUTO else fmt
        if not chosen or suffix not in _ACCEPTS[chosen]:
            ignored += 1
            continue
        sources.append(SourceFile(path, chosen, _document_id(path, root)))
    sources.sort(key=lambda s: (s.path, s.ann or Path()))
    return sources, ignored


def _file_source(path: Path, fmt: str) -> SourceFile:
    suffix = path.suffix.lower()
    if fmt == AUTO:
        if suffix == ".ann" or (suffix == ".txt" and path.with_suffix(".ann").exists()):
            fmt = "brat"
        else:
            fmt = _EXTENSIONS.get(suffix, "")
        if not fmt:
            raise InputError(
                f"cannot tell the format from the extension {suffix or '(none)'!r}; pass --format",
                location=str(path),
            )
    if fmt != "brat":
        return SourceFile(path, fmt, _document_id(path, None))
    if suffix == ".ann":
        # The text sits beside the .ann, or else in a folder beside its folder (text/, ann/).
        source = _brat_source(path, list(path.parent.glob("*.txt")), None)
        if source.error:
            siblings = [p for p in path.parent.parent.glob("*/*.txt") if p.parent != path.parent]
            source = _brat_source(path, siblings, None)
        if source.error:
            raise InputError(source.error, location=str(path))
        return source
    ann = path.with_suffix(".ann")
    if not ann.exists():
        raise InputError(f"brat input needs {ann.name} beside it", location=str(path))
    return SourceFile(path, "brat", _document_id(path, None), ann=ann)


def _brat_source(ann: Path, texts: list[Path], root: Path | None) -> SourceFile:
    """The text an .ann belongs to: `<stem>.txt`, else `<prefix>.txt` of `<prefix>_<annotator>`
    with the longest prefix; among several such texts the nearest to the .ann."""
    by_stem: dict[str, list[Path]] = {}
    for text in texts:
        by_stem.setdefault(text.stem, []).append(text)
    words = ann.stem.split("_")
    for cut in range(len(words), 0, -1):
        stem, annotator = "_".join(words[:cut]), "_".join(words[cut:])
        candidates = by_stem.get(stem)
        if not candidates:
            continue
        text = _nearest(ann, candidates)
        if text is None:
            listed = ", ".join(str(c) for c in sorted(candidates))
            return _failed(ann, f"{stem}.txt is ambiguous: it could be {listed}")
        return SourceFile(text, "brat", _document_id(text, root), ann=ann, annotator=annotator)
    return _failed(
        ann,
        f"no {ann.stem}.txt (or <stem>.txt for a name <stem>_<annotator>.ann) was found "
        "beside it or under the folder given",
    )


def _nearest(ann: Path, candidates: list[Path]) -> Path | None:
    """The candidate sharing the longest folder path with the .ann; None on a tie."""

    def shared(text: Path) -> int:
        return len(os.path.commonpath([ann.parent, text.parent]).split(os.sep))

    ranked = sorted(candidates, key=shared, reverse=True)
    if len(ranked) > 1 and shared(ranked[0]) == shared(ranked[1]):
        return None
    return ranked[0]


def _failed(ann: Path, message: str) -> SourceFile:
    return SourceFile(ann, "brat", ann.stem, error=message)


def _document_id(path: Path, root: Path | None) -> str:
    return (path.relative_to(root) if root else Path(path.name)).with_suffix("").as_posix()


def read(source: SourceFile, options: ReadOptions) -> Iterator[ReadItem]:
    """The records of one input, with an InputError for each bad part."""
    from annotations.importers import brat, jsonl, labelstudio, txt

    readers = {
        "txt": txt.read,
        "jsonl": jsonl.read,
        "brat": brat.read,
        "labelstudio": labelstudio.read,
    }
    if source.error:
        yield InputError(source.error, location=str(source.path))
        return
    try:
        yield from readers[source.format](source, options)
    except InputError as error:
        yield error
    except OSError as error:
        yield InputError(f"cannot read: {error.strerror or error}", location=str(source.path))
