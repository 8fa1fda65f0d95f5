"""Label Studio JSON: a task per document, the annotation marked as ground truth.

Import it into a Label Studio project with this scheme's labeling config; each
task's data holds the text, title, our document id (external_id) and split.
Discontinuous spans become their whole extent (Label Studio has no gaps).
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
            written.counts["discontinuous spans"] += sum(
                1 for s in item.annotation.spans if s.fragments
            )
        stream.write("\n]\n")
    if written.counts["discontinuous spans"]:
        written.notes.append(
            f"Label Studio JSON: {written.counts['discontinuous spans']} discontinuous span(s) "
            "are given as their whole extent."
        )
    return written


def _scheme(item: ExportItem) -> str:
    return str(item.annotation.provenance.get("scheme") or "quotes-v1")


def task(item: ExportItem, scheme: Scheme) -> dict:
    document, annotation = item.document, item.annotation
    result = domain_to_result(
        annotation.spans, annotation.attributions, annotation.relations, scheme
    )
    data = {k: v for k, v in document.meta.items() if k not in ("text", "title", "external_id")}
    data.update(
        text=document.text, title=document.title, external_id=document.external_id, split=item.split
    )
    return {
        "data": data,
        "annotations": [{"result": result, "ground_truth": True, "was_cancelled": False}],
    }
