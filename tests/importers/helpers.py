from pathlib import Path

from annotations import importers
from annotations.importers.normalize import InputError, InputWarning
from annotations.records import DocumentRecord


def read_all(*paths: Path, fmt: str = "auto", max_bytes: int = 2 * 1024 * 1024):
    """(records, errors, warnings) from reading these paths."""
    sources, warnings = importers.discover(list(paths), fmt)
    items = [
        item
        for source in sources
        for item in importers.read(source, importers.ReadOptions(max_bytes=max_bytes))
    ]
    return (
        [i for i in items if isinstance(i, DocumentRecord)],
        [i for i in items if isinstance(i, InputError)],
        [*warnings, *[i for i in items if isinstance(i, InputWarning)]],
    )
