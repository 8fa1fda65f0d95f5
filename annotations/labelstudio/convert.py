"""Label Studio result JSON <-> spans, attributions and relations. Pure.

A Label Studio result is a flat list: one `labels` item per region, a
`choices` / `textarea` item per per-region answer (reusing the region's id, so
items are keyed by `(id, from_name)`), and `relation` items between region ids.
An arrow nobody labelled is read from the labels at its ends (Quote -> Speaker
is said_by, Quote -> Cue is cue, Speaker -> Speaker is coref), so annotators
need not label arrows. Whatever breaks the scheme becomes a problem message;
nothing is dropped without one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from annotations.records import (
    AnnotationRecord,
    AttributionRecord,
    RelationRecord,
    SpanRecord,
    sort_annotation,
)
from annotations.scheme import COREF, CUE_OF, QUOTE, SAID_BY, Scheme


@dataclass
class Converted:
    spans: list[SpanRecord] = field(default_factory=list)
    attributions: list[AttributionRecord] = field(default_factory=list)
    relations: list[RelationRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def result_to_domain(result: Any, scheme: Scheme) -> Converted:
    """Spans, one attribution per quote, coref relations, and the problems found."""
    out = Converted()
    if not isinstance(result, list):
        out.problems.append(f"the result is not a list but {type(result).__name__}")
        return out
    regions: dict[str, SpanRecord] = {}
    answers: dict[str, dict[str, str]] = {}
    arrows: list[dict] = []
    for index, item in enumerate(result):
        where = f"result[{index}]"
        if not isinstance(item, dict):
            out.problems.append(f"{where}: not an object")
        elif item.get("type") == "relation":
            arrows.append(item)
        elif item.get("from_name") == scheme.span_control:
            _read_region(item, where, scheme, regions, out.problems)
        else:
            _read_answer(item, where, scheme, answers, out.problems)
    quotes = {rid: AttributionRecord(quote=rid) for rid, s in regions.items() if s.label == QUOTE}
    for region_id, values in answers.items():
        if region_id not in quotes:
            what = "is not a region" if region_id not in regions else "is not a Quote"
            out.problems.append(f"answers {sorted(values)} belong to {region_id!r}, which {what}")
            continue
        quotes[region_id] = dataclasses.replace(quotes[region_id], **values)
    for arrow in arrows:
        _read_arrow(arrow, scheme, regions, quotes, out)
    annotation = sort_annotation(
        AnnotationRecord(
            kind="",
            spans=list(regions.values()),
            attributions=list(quotes.values()),
            relations=out.relations,
        )
    )
    out.spans, out.attributions, out.relations = (
        annotation.spans,
        annotation.attributions,
        annotation.relations,
    )
    return out


def _read_region(item: dict, where: str, scheme: Scheme, regions: dict, problems: list) -> None:
    region_id, value = item.get("id"), item.get("value")
    if not isinstance(region_id, str) or not region_id or not isinstance(value, dict):
        problems.append(f"{where}: a region needs an id and a value")
        return
    labels = value.get("labels")
    start, end, text = value.get("start"), value.get("end"), value.get("text")
    if not (isinstance(labels, list) and len(labels) == 1):
        problems.append(f"{where}: region {region_id!r} needs exactly one label, has {labels!r}")
        return
    if labels[0] not in scheme.label_names():
        problems.append(f"{where}: region {region_id!r} has unknown label {labels[0]!r}")
        return
    if not (isinstance(start, int) and isinstance(end, int) and isinstance(text, str)):
        problems.append(f"{where}: region {region_id!r} needs integer start/end and a text")
        return
    if region_id in regions:
        problems.append(f"{where}: region {region_id!r} appears twice")
        return
    regions[region_id] = SpanRecord(region_id, labels[0], start, end, text)


def _read_answer(item: dict, where: str, scheme: Scheme, answers: dict, problems: list) -> None:
    name, region_id, value = item.get("from_name"), item.get("id"), item.get("value")
    choice_set = scheme.choice_set(name) if isinstance(name, str) else None
    if not isinstance(value, dict) or not isinstance(region_id, str):
        problems.append(f"{where}: {name!r} needs an id and a value")
        return
    if choice_set is not None and item.get("type") == "choices":
        choices = value.get("choices")
        if not (isinstance(choices, list) and len(choices) == 1):
            problems.append(f"{where}: {name} of {region_id!r} needs one choice, has {choices!r}")
        elif choices[0] not in choice_set.allowed():
            problems.append(f"{where}: {name} of {region_id!r} has unknown value {choices[0]!r}")
        else:
            answers.setdefault(region_id, {})[name] = choices[0]
    elif name == scheme.speaker_name_control and item.get("type") == "textarea":
        texts = value.get("text")
        if not (isinstance(texts, list) and all(isinstance(t, str) for t in texts)):
            problems.append(f"{where}: speaker name of {region_id!r} is not a list of strings")
        elif " ".join(" ".join(texts).split()):
            answers.setdefault(region_id, {})["speaker_name"] = " ".join(" ".join(texts).split())
    else:
        problems.append(f"{where}: unknown control {name!r} of type {item.get('type')!r}")


def _read_arrow(arrow: dict, scheme: Scheme, regions: dict, quotes: dict, out: Converted) -> None:
    source, target = arrow.get("from_id"), arrow.get("to_id")
    if arrow.get("direction") == "left":
        source, target = target, source
    missing = [end for end in (source, target) if end not in regions]
    if missing:
        out.problems.append(f"dangling relation {source!r} -> {target!r}: {missing} not regions")
        return
    labels = arrow.get("labels") or []
    source_label, target_label = regions[source].label, regions[target].label
    if len(labels) > 1:
        out.problems.append(f"relation {source!r} -> {target!r} has several labels {labels}")
        return
    definition = scheme.relation(labels[0]) if labels else None
    if labels and definition is None:
        out.problems.append(f"relation {source!r} -> {target!r} has unknown label {labels[0]!r}")
        return
    if definition is None or (definition.source, definition.target) != (source_label, target_label):
        # An unlabelled arrow, or one drawn backwards, is read from the labels at its ends.
        reverse = scheme.relation_between(target_label, source_label)
        forward = scheme.relation_between(source_label, target_label)
        if forward and (definition is None or forward == definition):
            definition = forward
        elif reverse and (definition is None or reverse == definition):
            definition, source, target = reverse, target, source
        else:
            what = labels[0] if labels else "an unlabelled relation"
            out.problems.append(
                f"{what} cannot join a {source_label} to a {target_label} "
                f"({source!r} -> {target!r})"
            )
            return
    _apply_relation(definition.name, source, target, quotes, out)


def _apply_relation(name: str, source: str, target: str, quotes: dict, out: Converted) -> None:
    if name == COREF:
        relation = RelationRecord(COREF, source, target)
        if relation not in out.relations:
            out.relations.append(relation)
        return
    role = "speaker" if name == SAID_BY else "cue"
    current = getattr(quotes[source], role)
    if current is not None and current != target:
        out.problems.append(f"quote {source!r} has two {name} relations ({current!r}, {target!r})")
        return
    quotes[source] = dataclasses.replace(quotes[source], **{role: target})


def domain_to_result(
    spans: list[SpanRecord],
    attributions: list[AttributionRecord],
    relations: list[RelationRecord],
    scheme: Scheme,
    scores: dict[str, float] | None = None,
) -> list[dict[str, Any]]:
    """The Label Studio result for an annotation (discontinuous spans become their extent).

    `scores` (by span id) become the regions' confidence, shown to annotators.
    """
    result: list[dict[str, Any]] = []
    by_id = {span.id: span for span in spans}
    for span in spans:
        item = _item(scheme, span, scheme.span_control, "labels", labels=[span.label])
        if scores and span.id in scores:
            item["score"] = scores[span.id]
        result.append(item)
    for attribution in attributions:
        quote = by_id[attribution.quote]
        for choice_set in scheme.choices:
            value = getattr(attribution, choice_set.name)
            if value:
                result.append(_item(scheme, quote, choice_set.name, "choices", choices=[value]))
        if attribution.speaker_name:
            result.append(
                _item(
                    scheme,
                    quote,
                    scheme.speaker_name_control,
                    "textarea",
                    text=[attribution.speaker_name],
                )
            )
        for name, target in ((SAID_BY, attribution.speaker), (CUE_OF, attribution.cue)):
            if target is not None:
                result.append(_relation(attribution.quote, target, name))
    result.extend(_relation(r.source, r.target, r.type) for r in relations)
    return result


def _item(scheme: Scheme, span: SpanRecord, name: str, kind: str, **answer: Any) -> dict:
    value = {"start": span.start, "end": span.end, "text": span.text, **answer}
    return {
        "id": span.id,
        "from_name": name,
        "to_name": scheme.text_object,
        "type": kind,
        "value": value,
    }


def _relation(source: str, target: str, name: str) -> dict:
    return {
        "from_id": source,
        "to_id": target,
        "type": "relation",
        "direction": "right",
        "labels": [name],
    }
