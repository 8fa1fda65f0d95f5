"""The canonical JSONL record (docs/canonical.schema.json): read and written here.

Import and export use the same shape, so a gold export re-imports unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotations.records import (
    AnnotationKind,
    AnnotationRecord,
    AttributionRecord,
    DocumentRecord,
    RelationRecord,
    SpanRecord,
)

RECORD_KEYS = {
    "id",
    "title",
    "text",
    "meta",
    "split",
    "spans",
    "attributions",
    "relations",
    "provenance",
}
SPAN_KEYS = {"id", "label", "start", "end", "text", "fragments"}
ATTRIBUTION_KEYS = {"quote", "speaker", "cue", "speaker_name", "quote_type", "stance", "claim_type"}
RELATION_KEYS = {"type", "from", "to"}


class RecordError(ValueError):
    """A record does not have the canonical shape; the message names the field."""


def record_from_dict(obj: Any) -> DocumentRecord:
    """A DocumentRecord from one canonical JSON object (offsets not yet checked)."""
    _require_object(obj, "the record", RECORD_KEYS)
    external_id = obj.get("id")
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)
    if not isinstance(external_id, str) or not external_id.strip():
        raise RecordError("id: required, a non-empty string")
    text = _typed(obj, "text", str, "the record", required=True)
    document = DocumentRecord(
        external_id=external_id,
        text=text,
        title=_typed(obj, "title", str, "the record") or "",
        meta=_typed(obj, "meta", dict, "the record") or {},
    )
    if "spans" in obj or "attributions" in obj or "relations" in obj:
        document.annotations.append(_annotation_from_dict(obj))
    return document


def _annotation_from_dict(obj: dict) -> AnnotationRecord:
    spans = [
        _span_from_dict(item, f"spans[{i}]")
        for i, item in enumerate(_typed(obj, "spans", list, "the record") or [])
    ]
    attributions = [
        _attribution_from_dict(item, f"attributions[{i}]")
        for i, item in enumerate(_typed(obj, "attributions", list, "the record") or [])
    ]
    relations = [
        _relation_from_dict(item, f"relations[{i}]")
        for i, item in enumerate(_typed(obj, "relations", list, "the record") or [])
    ]
    provenance = _typed(obj, "provenance", dict, "the record") or {}
    return annotation_with_provenance(
        AnnotationRecord(
            kind=AnnotationKind.IMPORTED,
            spans=spans,
            attributions=attributions,
            relations=relations,
            provenance=provenance,
        )
    )


def annotation_with_provenance(annotation: AnnotationRecord) -> AnnotationRecord:
    """Kind, annotator and source identity as the provenance says.

    `provenance.annotator` makes it that annotator's human annotation;
    `provenance.model_version` makes it a prediction; otherwise it is imported.
    """
    provenance = annotation.provenance
    annotator = provenance.get("annotator")
    model_version = provenance.get("model_version")
    if annotator:
        if not isinstance(annotator, str):
            raise RecordError("provenance.annotator: expected a string")
        annotation.kind, annotation.annotator = AnnotationKind.HUMAN, annotator
        annotation.source_key = f"import:human:{annotator}"
    elif model_version:
        if not isinstance(model_version, str):
            raise RecordError("provenance.model_version: expected a string")
        score = provenance.get("score")
        if score is not None and not isinstance(score, int | float):
            raise RecordError("provenance.score: expected a number")
        annotation.kind, annotation.model_version = AnnotationKind.PREDICTION, model_version
        annotation.score = score
        annotation.source_key = f"import:prediction:{model_version}"
    else:
        annotation.kind = AnnotationKind.IMPORTED
        annotation.source_key = "import:imported"
    return annotation


def _span_from_dict(obj: Any, where: str) -> SpanRecord:
    _require_object(obj, where, SPAN_KEYS)
    start = _typed(obj, "start", int, where, required=True)
    end = _typed(obj, "end", int, where, required=True)
    fragments = []
    for i, piece in enumerate(_typed(obj, "fragments", list, where) or []):
        if not (
            isinstance(piece, list)
            and len(piece) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in piece)
        ):
            raise RecordError(f"{where}.fragments[{i}]: expected [start, end]")
        fragments.append((piece[0], piece[1]))
    return SpanRecord(
        id=_span_id(obj.get("id"), f"{where}.id", required=True),
        label=_typed(obj, "label", str, where, required=True),
        start=start,
        end=end,
        text=_typed(obj, "text", str, where) if "text" in obj else None,
        fragments=tuple(fragments),
    )


def _attribution_from_dict(obj: Any, where: str) -> AttributionRecord:
    _require_object(obj, where, ATTRIBUTION_KEYS)
    return AttributionRecord(
        quote=_span_id(obj.get("quote"), f"{where}.quote", required=True),
        speaker=_span_id(obj.get("speaker"), f"{where}.speaker"),
        cue=_span_id(obj.get("cue"), f"{where}.cue"),
        speaker_name=_typed(obj, "speaker_name", str, where) or "",
        quote_type=_typed(obj, "quote_type", str, where) or "",
        stance=_typed(obj, "stance", str, where) or "",
        claim_type=_typed(obj, "claim_type", str, where) or "",
    )


def _relation_from_dict(obj: Any, where: str) -> RelationRecord:
    _require_object(obj, where, RELATION_KEYS)
    return RelationRecord(
        type=_typed(obj, "type", str, where, required=True),
        source=_span_id(obj.get("from"), f"{where}.from", required=True),
        target=_span_id(obj.get("to"), f"{where}.to", required=True),
    )


def _require_object(obj: Any, where: str, allowed: set[str]) -> None:
    if not isinstance(obj, dict):
        raise RecordError(f"{where}: expected an object, got {_json_type(obj)}")
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise RecordError(
            f"{where}: unknown field(s) {', '.join(map(repr, unknown))} "
            f"(allowed: {', '.join(sorted(allowed))})"
        )


def _typed(obj: dict, key: str, kind: type, where: str, *, required: bool = False) -> Any:
    value = obj.get(key)
    if value is None:
        if required:
            raise RecordError(f"{_field(where, key)}: required")
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RecordError(
            f"{_field(where, key)}: expected {_TYPE_NAMES[kind]}, got {_json_type(value)}"
        )
    return value


def _span_id(value: Any, where: str, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value:
        raise RecordError(f"{where}: expected a span id (a non-empty string)")
    return value


def _field(where: str, key: str) -> str:
    return key if where == "the record" else f"{where}.{key}"


_TYPE_NAMES = {str: "a string", int: "an integer", list: "a list", dict: "an object"}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    for kind, name in _TYPE_NAMES.items():
        if isinstance(value, kind):
            return f"{name} ({value!r:.40})" if kind in (str, int) else name
    return "a number" if isinstance(value, float) else type(value).__name__


@dataclass(frozen=True, slots=True)
class CanonicalDocument:
    """What a canonical record is written from."""

    external_id: str
    title: str
    text: str
    meta: dict[str, Any]


def record_to_dict(
    document: CanonicalDocument, annotation: AnnotationRecord | None, *, split: str | None = None
) -> dict[str, Any]:
    """The canonical JSON object for a document and (optionally) one annotation."""
    record: dict[str, Any] = {
        "id": document.external_id,
        "title": document.title,
        "text": document.text,
        "meta": document.meta,
    }
    if split is not None:
        record["split"] = split
    if annotation is None:
        return record
    record["spans"] = [_span_to_dict(span) for span in annotation.spans]
    record["attributions"] = [_attribution_to_dict(a) for a in annotation.attributions]
    if annotation.relations:
        record["relations"] = [
            {"type": r.type, "from": r.source, "to": r.target} for r in annotation.relations
        ]
    record["provenance"] = annotation.provenance
    return record


def _span_to_dict(span: SpanRecord) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": span.id,
        "label": span.label,
        "start": span.start,
        "end": span.end,
        "text": span.text,
    }
    if span.fragments:
        item["fragments"] = [list(piece) for piece in span.fragments]
    return item


def _attribution_to_dict(attribution: AttributionRecord) -> dict[str, Any]:
    item: dict[str, Any] = {"quote": attribution.quote}
    for key in ("speaker", "cue"):
        if getattr(attribution, key) is not None:
            item[key] = getattr(attribution, key)
    for key in ("speaker_name", "quote_type", "stance", "claim_type"):
        if getattr(attribution, key):
            item[key] = getattr(attribution, key)
    return item
