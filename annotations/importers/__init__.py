"""Readers for every input format, and the choice of reader for a path.

Each reader is pure over the file it is given: it yields DocumentRecords, and
InputError / InputWarning items for what is wrong, so one bad line does not hide
the next. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input: a file, or a brat .txt/.ann pair, in a known format."""

    path: Path
    format: str
    # Document id for formats whose files carry none (txt, brat).
    external_id: str

    @property
    def size(self) -> int:
        sizes = [self.path.stat().st_size]
        if self.format == "brat":
            sizes.append(self.path.with_suffix(".ann").stat().st_size)
        return sum(sizes)


def discover(paths: list[Path], fmt: str = AUTO) -> tuple[list[SourceFile], list[InputWarning]]:
    """The inputs under these paths; directories are searched recursively."""
    if fmt != AUTO and fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (choose from auto, {', '.join(FORMATS)})")
    sources: dict[Path, SourceFile] = {}
    warnings: list[InputWarning] = []
    for path in paths:
        if not path.exists():
            raise InputError("no such file or directory", location=str(path))
        if path.is_dir():
            ignored = 0
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                source = _source_for(child, fmt, root=path, strict=False)
                if source is None:
                    ignored += 1
                else:
                    sources.setdefault(source.path, source)
            if ignored:
                warnings.append(
                    InputWarning(f"ignored {ignored} file(s) of no known format", str(path))
                )
        else:
            source = _source_for(path, fmt, root=None, strict=True)
            sources.setdefault(source.path, source)
    return list(sources.values()), warnings


def _source_for(path: Path, fmt: str, *, root: Path | None, strict: bool) -> SourceFile | None:
    suffix = path.suffix.lower()
    external_id = (path.relative_to(root) if root else Path(path.name)).with_suffix("").as_posix()
    if fmt == AUTO:
        if suffix == ".ann" or (suffix == ".txt" and path.with_suffix(".ann").exists()):
            fmt = "brat"
        else:
            fmt = _EXTENSIONS.get(suffix, "")
        if not fmt:
            if strict:
                raise InputError(
                    f"cannot tell the format from the extension {suffix or '(none)'!r}; "
                    "pass --format",
                    location=str(path),
                )
            return None
    elif not strict and suffix not in _ACCEPTS[fmt]:
        return None
    if fmt == "brat":
        text_path, ann_path = path.with_suffix(".txt"), path.with_suffix(".ann")
        for needed in (text_path, ann_path):
            if not needed.exists():
                raise InputError(f"brat input needs {needed.name} beside it", location=str(path))
        return SourceFile(text_path, "brat", external_id)
    return SourceFile(path, fmt, external_id)


def read(source: SourceFile, options: ReadOptions) -> Iterator[ReadItem]:
    """The records of one input, with an InputError for each bad part."""
    from annotations.importers import brat, jsonl, labelstudio, txt

    readers = {
        "txt": txt.read,
        "jsonl": jsonl.read,
        "brat": brat.read,
        "labelstudio": labelstudio.read,
    }
    try:
        yield from readers[source.format](source, options)
    except InputError as error:
        yield error
    except OSError as error:
        yield InputError(f"cannot read: {error.strerror or error}", location=str(source.path))
