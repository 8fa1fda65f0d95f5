"""Canonical JSONL (docs/canonical.schema.json), one file per split: train.jsonl, …"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path

from annotations.canonical import record_to_dict
from annotations.exporters import ExportItem, Written


def write(items: Iterable[ExportItem], out: Path, splits: tuple[str, ...]) -> Written:
    written = Written()
    with ExitStack() as stack:
        files = {}
        for item in items:
            if item.split not in files:
                path = Path(f"{item.split}.jsonl")
                files[item.split] = stack.enter_context((out / path).open("w", encoding="utf-8"))
                written.files.append(path)
            record = record_to_dict(item.document, item.annotation, split=item.split)
            files[item.split].write(json.dumps(record, ensure_ascii=False) + "\n")
            written.counts[item.split] += 1
    written.files.sort(key=lambda p: splits.index(p.stem))
    return written
