"""brat standoff: a .txt and its .ann, in the attribution-relation convention.

Text-bound entities `Source`, `Cue` and `Content` become Speaker, Cue and Quote
spans; an `Attribution` event ties them (`Attribution:T4 Content:T3 Cue:T2
Source:T1`, its trigger a text-bound `Attribution` or the cue itself).
Attributes on the event (`A1 quote_type E1 direct`) carry the per-quote
choices, an AnnotatorNotes comment on the event the speaker's name, and
`Coref Arg1:T5 Arg2:T1` relations link a mention to its antecedent.
Discontinuous entities (`Content 0 10;15 30`) keep their fragments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from annotations.importers.normalize import (
    InputError,
    check_size,
    decode_utf8,
    normalize_text,
    remap_annotation,
)
from annotations.records import (
    AnnotationKind,
    AnnotationRecord,
    AttributionRecord,
    DocumentRecord,
    RelationRecord,
    SpanRecord,
)
from annotations.scheme import COREF, CUE, QUOTE, SPEAKER

if TYPE_CHECKING:
    from annotations.importers import ReadItem, ReadOptions, SourceFile

ENTITY_LABELS = {"Source": SPEAKER, "Cue": CUE, "Content": QUOTE}
TRIGGER = "Attribution"
EVENT_ROLES = {"Content": "quote", "Source": "speaker", "Cue": "cue"}
CHOICE_ATTRIBUTES = ("quote_type", "stance", "claim_type")
_OFFSETS = re.compile(r"^\d+ \d+(;\d+ \d+)*$")


@dataclass
class _Parsed:
    spans: dict[str, SpanRecord] = field(default_factory=dict)
    triggers: set[str] = field(default_factory=set)
    events: dict[str, dict[str, str]] = field(default_factory=dict)
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    relations: list[RelationRecord] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)


def read(source: SourceFile, options: ReadOptions) -> Iterator[ReadItem]:
    text_path, ann_path = source.path, source.path.with_suffix(".ann")
    raw = decode_utf8(text_path.read_bytes(), location=str(text_path))
    normalized = normalize_text(raw)
    check_size(normalized.text, max_bytes=options.max_bytes, location=str(text_path))
    ann = decode_utf8(ann_path.read_bytes(), location=str(ann_path))
    parsed = _parse(ann, raw, location=str(ann_path))
    annotation = remap_annotation(_annotation(parsed, location=str(ann_path)), normalized)
    yield DocumentRecord(
        external_id=source.external_id,
        text=normalized.text,
        title=source.path.stem,
        annotations=[annotation],
        location=str(ann_path),
    )


def _parse(ann: str, text: str, *, location: str) -> _Parsed:
    parsed = _Parsed()
    for number, line in enumerate(ann.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{location}:{number}"
        ann_id, _, rest = line.partition("\t")
        if not rest:
            raise InputError("expected an id, a tab and the annotation", location=where)
        if ann_id in parsed.lines and ann_id != "*":
            raise InputError(f"{ann_id} is defined twice", location=where)
        parsed.lines[ann_id] = number
        kind = ann_id[:1]
        if kind == "T":
            _text_bound(parsed, ann_id, rest, text, where)
        elif kind == "E":
            _event(parsed, ann_id, rest, where)
        elif kind in "AM":
            _attribute(parsed, rest, where)
        elif kind == "#":
            _note(parsed, rest, where)
        elif kind == "R":
            _relation(parsed, rest.split(), where)
        elif ann_id == "*":
            _equivalence(parsed, rest.split(), where)
        else:
            raise InputError(f"unsupported brat annotation {ann_id!r}", location=where)
    return parsed


def _text_bound(parsed: _Parsed, ann_id: str, rest: str, text: str, where: str) -> None:
    header, _, span_text = rest.partition("\t")
    label, _, offsets = header.partition(" ")
    if not _OFFSETS.match(offsets):
        raise InputError(f"{ann_id}: offsets {offsets!r} are not 'start end[;start end]'", where)
    pieces = [tuple(int(n) for n in piece.split()) for piece in offsets.split(";")]
    for start, end in pieces:
        if not 0 <= start < end <= len(text):
            raise InputError(
                f"{ann_id}: offsets {start} {end} are out of range "
                f"(the text has {len(text)} characters)",
                where,
            )
    expected = " ".join(text[s:e] for s, e in pieces)
    if span_text.replace("\n", " ") != expected.replace("\n", " ").replace("\r", " "):
        raise InputError(
            f"{ann_id}: text {span_text!r:.80} does not match the .txt at {offsets} "
            f"({expected!r:.80})",
            where,
        )
    if label == TRIGGER:
        parsed.triggers.add(ann_id)
        return
    if label not in ENTITY_LABELS:
        known = ", ".join([*ENTITY_LABELS, TRIGGER])
        raise InputError(f"{ann_id}: unknown entity type {label!r} (expected {known})", where)
    start, end = pieces[0][0], pieces[-1][1]
    parsed.spans[ann_id] = SpanRecord(
        id=ann_id,
        label=ENTITY_LABELS[label],
        start=start,
        end=end,
        text=text[start:end],
        fragments=tuple(pieces) if len(pieces) > 1 else (),
    )


def _event(parsed: _Parsed, ann_id: str, rest: str, where: str) -> None:
    trigger, *arguments = rest.split()
    event_type, _, trigger_id = trigger.partition(":")
    if event_type != TRIGGER:
        raise InputError(f"{ann_id}: unknown event type {event_type!r} (expected {TRIGGER})", where)
    roles = {"trigger": trigger_id}
    for argument in arguments:
        role, _, target = argument.partition(":")
        if role not in EVENT_ROLES:
            known = ", ".join(EVENT_ROLES)
            raise InputError(f"{ann_id}: unknown role {role!r} (expected {known})", where)
        if EVENT_ROLES[role] in roles:
            raise InputError(f"{ann_id}: role {role} is given twice", where)
        roles[EVENT_ROLES[role]] = target
    if "quote" not in roles:
        raise InputError(f"{ann_id}: an Attribution event needs a Content argument", where)
    parsed.events[ann_id] = roles


def _attribute(parsed: _Parsed, rest: str, where: str) -> None:
    parts = rest.split()
    if len(parts) != 3 or parts[0] not in CHOICE_ATTRIBUTES:
        known = ", ".join(CHOICE_ATTRIBUTES)
        raise InputError(
            f"expected an attribute '<name> <target> <value>' with name {known}", where
        )
    name, target, value = parts
    parsed.attributes.setdefault(target, {})[name] = value


def _note(parsed: _Parsed, rest: str, where: str) -> None:
    header, _, note = rest.partition("\t")
    kind, _, target = header.partition(" ")
    if kind != "AnnotatorNotes" or not target:
        raise InputError("expected 'AnnotatorNotes <target>\\t<note>'", where)
    parsed.notes[target] = note.strip()


def _relation(parsed: _Parsed, parts: list[str], where: str) -> None:
    if len(parts) != 3 or parts[0] != "Coref":
        raise InputError("expected a relation 'Coref Arg1:<mention> Arg2:<antecedent>'", where)
    arguments = dict(part.partition(":")[::2] for part in parts[1:])
    if set(arguments) != {"Arg1", "Arg2"}:
        raise InputError("a Coref relation needs Arg1 and Arg2", where)
    parsed.relations.append(RelationRecord(COREF, arguments["Arg1"], arguments["Arg2"]))


def _equivalence(parsed: _Parsed, parts: list[str], where: str) -> None:
    if len(parts) < 3 or parts[0] != "Coref":
        raise InputError("expected an equivalence 'Coref <antecedent> <mention>...'", where)
    antecedent, *mentions = parts[1:]
    parsed.relations.extend(RelationRecord(COREF, m, antecedent) for m in mentions)


def _annotation(parsed: _Parsed, *, location: str) -> AnnotationRecord:
    known = set(parsed.spans) | parsed.triggers
    attributions: list[AttributionRecord] = []
    for event_id, roles in parsed.events.items():
        where = f"{location}:{parsed.lines[event_id]}"
        for role, target in roles.items():
            if target not in known:
                raise InputError(f"{event_id}: its {role} {target} is not a defined entity", where)
        choices = {
            **parsed.attributes.get(roles["quote"], {}),
            **parsed.attributes.get(event_id, {}),
        }
        attributions.append(
            AttributionRecord(
                quote=roles["quote"],
                speaker=roles.get("speaker"),
                cue=roles.get("cue"),
                speaker_name=parsed.notes.get(event_id, ""),
                **choices,
            )
        )
    for target in parsed.attributes:
        if target not in parsed.events and target not in parsed.spans:
            raise InputError(f"an attribute refers to {target}, which is not defined", location)
    for relation in parsed.relations:
        for end in (relation.source, relation.target):
            if end not in parsed.spans:
                raise InputError(
                    f"a Coref relation refers to {end}, which is not defined", location
                )
    return AnnotationRecord(
        kind=AnnotationKind.IMPORTED,
        spans=sorted(parsed.spans.values(), key=lambda s: (s.start, s.end, s.id)),
        attributions=attributions,
        relations=parsed.relations,
        source_key="import:imported",
    )
