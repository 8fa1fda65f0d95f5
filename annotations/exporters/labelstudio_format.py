"""Label Studio JSON: a task per document, the annotation marked as ground truth.

Import it into a Label Studio project with this scheme's labeling config; each
task's data holds the text, title, our document id (external_id) and split.
A split span is one region per piece, joined by `continues` relations, as the
service pushes it; the file re-imports to the same annotations.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from annotations.exporters import ExportItem, Written
from annotations.labelstudio.convert import domain_to_result
from annotations.scheme import Scheme, get_scheme

FILE = Path("labelstudio.json")


def write(items: Iterable[ExportItem], out: Path, splits: tuple[str, ...]) -> Written:
    written = Written(files=[FILE])
    with (out / FILE).open("w", encoding="utf-8") as stream:
        stream.write("[")
        for index, item in enumerate(items):
            stream.write(",\n" if index else "\n")
            stream.write(json.dumps(task(item, get_scheme(_scheme(item))), ensure_ascii=False))
            written.counts[item.split] += 1
        stream.write("\n]\n")
    return written


def _scheme(item: ExportItem) -> str:
    return str(item.annotation.provenance.get("scheme") or "quotes-v1")


def task(item: ExportItem, scheme: Scheme) -> dict:
    document, annotation = item.document, item.annotation
    # Every arrow drawn and labelled: a file is read by tools that know no implied cue.
    result = domain_to_result(
        annotation.spans, annotation.attributions, annotation.relations, scheme, compact=False
    )
    data = {k: v for k, v in document.meta.items() if k not in ("text", "title", "external_id")}
    data.update(
        text=document.text, title=document.title, external_id=document.external_id, split=item.split
    )
    return {
        "data": data,
        "annotations": [{"result": result, "ground_truth": True, "was_cancelled": False}],
    }
