"""Canonical JSONL (docs/canonical.schema.json), one file per split: train.jsonl, …"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from annotations.canonical import record_to_dict
from annotations.exporters import ExportItem, SplitFiles, Written


def write(items: Iterable[ExportItem], out: Path, splits: tuple[str, ...]) -> Written:
    written = Written()
    with SplitFiles(out, ".jsonl", written, splits) as files:
        for item in items:
            record = record_to_dict(item.document, item.annotation, split=item.split)
            files[item.split].write(json.dumps(record, ensure_ascii=False) + "\n")
            written.counts[item.split] += 1
    return written
