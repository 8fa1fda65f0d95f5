"""Label Studio result JSON <-> spans, attributions and relations. Pure.

A Label Studio result is a flat list: one `labels` item per region, a
`choices` / `textarea` item per per-region answer (reusing the region's id, so
items are keyed by `(id, from_name)`), and `relation` items between region ids.
An arrow nobody labelled is read from the labels at its ends (Quote -> Speaker
is said_by, Quote -> Cue is cue, Speaker -> Speaker is coref, Quote -> Quote
is continues), so annotators need not label arrows. A quote's cue needs no
arrow either when it sits next to the quote's speaker (at most
`ADJACENT_CUE_GAP` characters away, the nearest one): "Trump told reporters"
says whose cue it is. An arrow to another cue states it; a said_by arrow that
is labelled says "this speaker, and no cue implied". Label Studio has no
discontinuous regions: a split span is one region per piece, the pieces
joined by `continues` arrows. Whatever breaks the scheme becomes a problem
message; nothing is dropped without one.

`domain_to_result` writes what the labeling screen needs (`compact`: only the
arrows that carry information, none labelled that can be read from its ends)
or, for files other tools read, every arrow labelled.
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
    span_of_pieces,
)
from annotations.scheme import CONTINUES, COREF, CUE, CUE_OF, QUOTE, SAID_BY, Scheme

# A Cue at most this many characters from a quote's speaker is that quote's cue unless an
# arrow says otherwise ("Trump had told", "President Trump himself told reporters").
ADJACENT_CUE_GAP = 12


@dataclass
class Converted:
    spans: list[SpanRecord] = field(default_factory=list)
    attributions: list[AttributionRecord] = field(default_factory=list)
    relations: list[RelationRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def result_to_domain(result: Any, scheme: Scheme, *, text: str | None = None) -> Converted:
    """Spans, one attribution per quote, coref relations, and the problems found.

    Regions joined by `continues` arrows are the pieces of one split span, named
    by its first piece; `text` (the document's) gives the split span its text.
    """
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
    readings = [r for r in (_read_arrow(a, scheme, regions, out.problems) for a in arrows) if r]
    joins = [(source, target) for name, source, target, _ in readings if name == CONTINUES]
    alias = _join_pieces(regions, joins, text, out.problems)
    quotes = {rid: AttributionRecord(quote=rid) for rid, s in regions.items() if s.label == QUOTE}
    for region_id, values in answers.items():
        owner = alias.get(region_id, region_id)
        if owner not in quotes:
            what = "is not a region" if owner not in regions else "is not a Quote"
            out.problems.append(f"answers {sorted(values)} belong to {region_id!r}, which {what}")
            continue
        _answer(quotes, owner, values, out.problems)
    stated = set()  # quotes whose said_by arrow was labelled: no cue implied
    for name, source, target, labelled in readings:
        if name != CONTINUES:
            _apply_relation(name, alias[source], alias[target], quotes, out)
        if name == SAID_BY and labelled:
            stated.add(alias[source])
    cues = [span for span in regions.values() if span.label == CUE]
    for quote_id, attribution in quotes.items():
        if attribution.speaker and attribution.cue is None and quote_id not in stated:
            implied = implied_cue(regions[attribution.speaker], cues)
            if implied is not None:
                quotes[quote_id] = dataclasses.replace(attribution, cue=implied)
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


def _read_arrow(
    arrow: dict, scheme: Scheme, regions: dict, problems: list[str]
) -> tuple[str, str, str, bool] | None:
    """(relation name, source region, target region, whether it was labelled), or None
    with a problem."""
    source, target = arrow.get("from_id"), arrow.get("to_id")
    if not (isinstance(source, str) and isinstance(target, str)):
        problems.append(f"a relation needs from_id and to_id region ids, has {source!r:.40}, "
                        f"{target!r:.40}")  # fmt: skip
        return None
    if arrow.get("direction") == "left":
        source, target = target, source
    missing = [end for end in (source, target) if end not in regions]
    if missing:
        problems.append(f"dangling relation {source!r} -> {target!r}: {missing} not regions")
        return None
    labels = arrow.get("labels") or []
    source_label, target_label = regions[source].label, regions[target].label
    if len(labels) > 1:
        problems.append(f"relation {source!r} -> {target!r} has several labels {labels}")
        return None
    definition = scheme.relation(labels[0]) if labels else None
    if labels and definition is None:
        problems.append(f"relation {source!r} -> {target!r} has unknown label {labels[0]!r}")
        return None
    if definition is None or not definition.joins(source_label, target_label):
        # An unlabelled arrow, or one drawn backwards, is read from the labels at its ends.
        reverse = scheme.relation_between(target_label, source_label)
        forward = scheme.relation_between(source_label, target_label)
        if forward and (definition is None or forward == definition):
            definition = forward
        elif reverse and (definition is None or reverse == definition):
            definition, source, target = reverse, target, source
        else:
            what = labels[0] if labels else "an unlabelled relation"
            problems.append(
                f"{what} cannot join a {source_label} to a {target_label} "
                f"({source!r} -> {target!r})"
            )
            return None
    return definition.name, source, target, bool(labels)


def implied_cue(speaker: SpanRecord, cues: list[SpanRecord]) -> str | None:
    """The id of the cue next to this speaker mention (the nearest within
    ADJACENT_CUE_GAP characters; on a tie the earlier, then the shorter, then
    the smaller id), or None. It never depends on the order of `cues`: the
    writer and the reader of a result must find the same one."""
    nearest: tuple[int, int, int, str] | None = None
    for cue in cues:
        # Every piece lies between start and end: a cue farther than that is never near.
        if cue.start - speaker.end > ADJACENT_CUE_GAP or speaker.start - cue.end > ADJACENT_CUE_GAP:
            continue
        gap = min(
            max(cue_start - end, start - cue_end, 0)
            for start, end in speaker.pieces
            for cue_start, cue_end in cue.pieces
        )
        candidate = (gap, cue.start, cue.end, cue.id)
        if gap <= ADJACENT_CUE_GAP and (nearest is None or candidate < nearest):
            nearest = candidate
    return nearest[3] if nearest else None


def _join_pieces(
    regions: dict[str, SpanRecord],
    joins: list[tuple[str, str]],
    text: str | None,
    problems: list[str],
) -> dict[str, str]:
    """Replace each group of regions joined by `continues` with one split span (in place);
    returns the span id each region now belongs to."""
    parent = {region_id: region_id for region_id in regions}

    def root(region_id: str) -> str:
        while parent[region_id] != region_id:
            parent[region_id] = parent[parent[region_id]]
            region_id = parent[region_id]
        return region_id

    for source, target in joins:
        parent[root(source)] = root(target)
    groups: dict[str, list[SpanRecord]] = {}
    for region_id, span in regions.items():
        groups.setdefault(root(region_id), []).append(span)
    alias = {region_id: region_id for region_id in regions}
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda span: (span.start, span.end, span.id))
        names = [span.id for span in members]
        if text is None:
            problems.append(f"the pieces {names} of a split span need the document text")
            continue
        if any(text[span.start : span.end] != span.text for span in members):
            problems.append(f"the pieces {names} of a split span do not match the text")
            continue
        first = members[0]
        for span in members:
            del regions[span.id]
            alias[span.id] = first.id
        pieces = [(span.start, span.end) for span in members]
        regions[first.id] = span_of_pieces(first.id, first.label, pieces, text)
    return alias


def _answer(quotes: dict, owner: str, values: dict[str, str], problems: list[str]) -> None:
    current = quotes[owner]
    for name, value in values.items():
        if getattr(current, name) not in ("", value):
            problems.append(f"the pieces of quote {owner!r} give two {name} values")
            return
    quotes[owner] = dataclasses.replace(current, **values)


def _apply_relation(name: str, source: str, target: str, quotes: dict, out: Converted) -> None:
    if source == target:
        out.problems.append(f"a {name} relation joins {source!r} to itself")
        return
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
    *,
    compact: bool = True,
) -> list[dict[str, Any]]:
    """The Label Studio result for an annotation.

    A split span becomes one region per piece: the first keeps the span's id
    and carries its choices and relations; each later piece (`<id>.2`, …) has a
    `continues` arrow to the piece before it. `scores` (by span id) become the
    regions' confidence, shown to annotators. `compact` leaves out the arrows
    a reader infers (a cue next to its speaker) and the labels of arrows read
    from their ends; otherwise every arrow is drawn and labelled. Both read
    back the same.
    """
    result: list[dict[str, Any]] = []
    labels = {span.id: span.label for span in spans}
    cues = [span for span in spans if span.label == CUE]
    by_id = {span.id: span for span in spans}

    def arrow(source: str, target: str, name: str, *, stated: bool = False) -> dict:
        inferred = scheme.relation_between(labels[source], labels[target])
        keep_label = not compact or stated or inferred is None or inferred.name != name
        return _relation(source, target, name if keep_label else None)

    first_pieces: dict[str, dict] = {}
    joins: list[dict] = []
    taken = {span.id for span in spans}
    for span in spans:
        previous = None
        for number, (start, end) in enumerate(span.pieces, start=1):
            region_id = span.id if number == 1 else _piece_id(span.id, number, taken)
            piece = span.text[start - span.start : end - span.start]
            value = {"start": start, "end": end, "text": piece}
            item = _item(scheme, region_id, value, scheme.span_control, "labels", [span.label])
            if scores and span.id in scores:
                item["score"] = scores[span.id]
            result.append(item)
            if previous is None:
                first_pieces[span.id] = value
            else:
                labels[region_id] = span.label
                joins.append(arrow(region_id, previous, CONTINUES))
            previous = region_id
    for attribution in attributions:
        quote = first_pieces[attribution.quote]
        for choice_set in scheme.choices:
            value = getattr(attribution, choice_set.name)
            if value:
                result.append(
                    _item(scheme, attribution.quote, quote, choice_set.name, "choices", [value])
                )
        if attribution.speaker_name:
            name = [attribution.speaker_name]
            control = scheme.speaker_name_control
            result.append(_item(scheme, attribution.quote, quote, control, "textarea", name))
        if attribution.speaker is None:
            if attribution.cue is not None:
                result.append(arrow(attribution.quote, attribution.cue, CUE_OF))
            continue
        implied = implied_cue(by_id[attribution.speaker], cues)
        # No cue, though one stands next to the speaker: the labelled arrow says so.
        stated = attribution.cue is None and implied is not None
        result.append(arrow(attribution.quote, attribution.speaker, SAID_BY, stated=stated))
        if attribution.cue is not None and not (compact and attribution.cue == implied):
            result.append(arrow(attribution.quote, attribution.cue, CUE_OF))
    result.extend(arrow(r.source, r.target, r.type) for r in relations)
    result.extend(joins)
    return result


def _piece_id(span_id: str, number: int, taken: set[str]) -> str:
    """A region id for a later piece of a split span, unlike any other span's id."""
    candidate = f"{span_id}.{number}"
    while candidate in taken:
        candidate += "'"
    taken.add(candidate)
    return candidate


_ANSWER_KEYS = {"labels": "labels", "choices": "choices", "textarea": "text"}


def _item(
    scheme: Scheme, region_id: str, value: dict, name: str, kind: str, answer: list[str]
) -> dict:
    return {
        "id": region_id,
        "from_name": name,
        "to_name": scheme.text_object,
        "type": kind,
        "value": {**value, _ANSWER_KEYS[kind]: answer},
    }


def _relation(source: str, target: str, name: str | None) -> dict:
    arrow = {"from_id": source, "to_id": target, "type": "relation", "direction": "right"}
    if name is not None:
        arrow["labels"] = [name]
    return arrow
