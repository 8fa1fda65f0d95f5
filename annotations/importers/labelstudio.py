"""Label Studio JSON export: a list of tasks with their annotations and predictions.

The task's `data.text` is the document; `data.external_id` (as pushed by this
service) or the task id names it. Annotations become human annotations (gold
when marked ground truth), predictions stay predictions; each keeps its Label
Studio JSON as received.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from annotations.importers.normalize import (
    InputError,
    InputWarning,
    check_size,
    decode_utf8,
    normalize_text,
    remap_annotation,
)
from annotations.labelstudio.convert import result_to_domain
from annotations.records import AnnotationKind, AnnotationRecord, DocumentRecord

if TYPE_CHECKING:
    from annotations.importers import ReadItem, ReadOptions, SourceFile

# Task data keys this service writes itself; the rest of `data` is kept as meta.
OWN_DATA_KEYS = ("text", "title", "external_id", "document_id", "split")


def read(source: SourceFile, options: ReadOptions) -> Iterator[ReadItem]:
    content = decode_utf8(source.path.read_bytes(), location=str(source.path))
    for line, task in iter_json_array(content, location=str(source.path)):
        location = f"{source.path}:{line}"
        try:
            yield from task_to_record(task, location=location, options=options)
        except InputError as error:
            yield error


def iter_json_array(content: str, *, location: str) -> Iterator[tuple[int, Any]]:
    """The items of a top-level JSON array (or one object), each with its line number."""
    decoder = json.JSONDecoder()
    index = _skip_space(content, 0)
    if content.startswith("{", index):
        yield _line(content, index), _decode(decoder, content, index, location)[0]
        return
    if not content.startswith("[", index):
        raise InputError("expected a JSON list of Label Studio tasks", location)
    index = _skip_space(content, index + 1)
    if content.startswith("]", index):
        return
    while True:
        item, end = _decode(decoder, content, index, location)
        yield _line(content, index), item
        index = _skip_space(content, end)
        if content.startswith("]", index):
            return
        if not content.startswith(",", index):
            raise InputError(
                "malformed JSON: expected ',' or ']'", f"{location}:{_line(content, index)}"
            )
        index = _skip_space(content, index + 1)


def _decode(decoder: json.JSONDecoder, content: str, index: int, location: str) -> tuple[Any, int]:
    try:
        return decoder.raw_decode(content, index)
    except json.JSONDecodeError as error:
        raise InputError(f"malformed JSON: {error.msg}", f"{location}:{error.lineno}") from None


def _skip_space(content: str, index: int) -> int:
    while index < len(content) and content[index] in " \t\r\n":
        index += 1
    return index


def _line(content: str, index: int) -> int:
    return content.count("\n", 0, index) + 1


def task_to_record(task: Any, *, location: str, options: ReadOptions) -> Iterator[ReadItem]:
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise InputError("a Label Studio task needs a 'data' object", location)
    data = task["data"]
    raw_text = data.get("text")
    if not isinstance(raw_text, str):
        raise InputError("the task has no data.text string", location)
    external_id = data.get("external_id") or (f"ls-task-{task['id']}" if "id" in task else None)
    if not external_id:
        raise InputError("the task has neither data.external_id nor an id", location)
    normalized = normalize_text(raw_text)
    check_size(normalized.text, max_bytes=options.max_bytes, location=location)
    record = DocumentRecord(
        external_id=str(external_id),
        text=normalized.text,
        title=" ".join(str(data.get("title") or "").split()),
        meta={key: value for key, value in data.items() if key not in OWN_DATA_KEYS},
        location=location,
    )
    for annotation in task.get("annotations") or []:
        if isinstance(annotation, dict) and annotation.get("was_cancelled"):
            yield InputWarning("a skipped (cancelled) annotation was not imported", location)
            continue
        converted = _convert(annotation, "annotation", raw_text, options, location)
        record.annotations.append(remap_annotation(converted, normalized))
    for prediction in task.get("predictions") or []:
        if not isinstance(prediction, dict):
            yield InputWarning(
                "a prediction listed by id only was not imported; export a snapshot with "
                "full predictions to import it",
                location,
            )
            continue
        converted = _convert(prediction, "prediction", raw_text, options, location)
        record.annotations.append(remap_annotation(converted, normalized))
    yield record


def _convert(
    item: Any, what: str, text: str, options: ReadOptions, location: str
) -> AnnotationRecord:
    if not isinstance(item, dict):
        raise InputError(f"an {what} must be an object", location)
    converted = result_to_domain(item.get("result"), options.scheme, text=text)
    if converted.problems:
        details = "; ".join(converted.problems[:5])
        raise InputError(f"{what} {item.get('id', '?')}: {details}", location)
    annotation = AnnotationRecord(
        kind=AnnotationKind.HUMAN,
        spans=converted.spans,
        attributions=converted.attributions,
        relations=converted.relations,
        raw=item,
        lead_time=item.get("lead_time") if isinstance(item.get("lead_time"), int | float) else None,
    )
    if what == "prediction":
        annotation.kind = AnnotationKind.PREDICTION
        annotation.model_version = str(item.get("model_version") or "")
        score = item.get("score")
        annotation.score = float(score) if isinstance(score, int | float) else None
        annotation.source_key = f"lsfile:prediction:{item.get('id', annotation.content_hash())}"
    else:
        if item.get("ground_truth"):
            annotation.kind = AnnotationKind.GOLD
        annotation.annotator = annotator_of(item)
        annotation.source_key = f"lsfile:annotation:{item.get('id', annotation.content_hash())}"
    return annotation


def annotator_of(annotation: dict) -> str:
    """The annotator's email where the export has it, else a stable Label Studio user name."""
    completed_by = annotation.get("completed_by")
    if isinstance(completed_by, dict):
        if completed_by.get("email"):
            return str(completed_by["email"])
        completed_by = completed_by.get("id")
    username = annotation.get("created_username")
    if isinstance(username, str) and "@" in username:
        return username.split(",")[0].strip()
    return f"ls-user-{completed_by}" if completed_by is not None else ""
