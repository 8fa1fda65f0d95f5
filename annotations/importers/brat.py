"""brat standoff: a .txt and its .ann files, in the attribution-relation convention.

Text-bound entities `Source`, `Cue` and `Content` become Speaker, Cue and Quote
spans; an `Attribution` event ties them (`Attribution:T4 Content:T3 Cue:T2
Source:T1`, its trigger a text-bound `Attribution` or the cue itself). A role
repeated in brat's way (`Content2`) is a further quote of the same event: its
own attribution, with the same speaker and cue. Attributes on the event
(`A1 quote_type E1 direct`) carry the per-quote choices, an AnnotatorNotes
comment on the event the speaker's name, and `Coref Arg1:T5 Arg2:T1`
relations link a mention to its antecedent. A discontinuous entity
(`Content 0 10;15 30`, pieces in any order) is one split span.

How a corpus's own labels map onto the scheme is a `BratProfile`: `default`
reads what the exporter writes; `polnear` reads PolNeAR as shipped (Discuss and
Discard skipped, Attribution-no-source an attribution without a source,
annotator notes kept as comments). `--brat-map LABEL=TARGET,...` changes a
profile. An `.ann` named `<stem>_<annotator>.ann` is that annotator's human
annotation of `<stem>.txt` (see importers.discover for the pairing).
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from annotations.errors import DomainError
from annotations.importers.normalize import (
    InputError,
    InputWarning,
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
    join_pieces,
)
from annotations.scheme import COREF, CUE, QUOTE, SPEAKER

if TYPE_CHECKING:
    from annotations.importers import ReadItem, ReadOptions, SourceFile

SKIP = "skip"
ATTRIBUTION = "Attribution"
ROLES = ("quote", "speaker", "cue")
CHOICE_ATTRIBUTES = ("quote_type", "stance", "claim_type")
_OFFSETS = re.compile(r"^\d+ \d+(;\d+ \d+)*$")
# The start of a line that holds an annotation (anything else continues a text).
_ANNOTATION_LINE = re.compile(r"^([TERAMN#]\d+|\*)\t")
_ROLE_NUMBER = re.compile(r"\d+$")


@dataclass(frozen=True)
class BratProfile:
    """How one corpus's brat labels read as the scheme's spans and attributions."""

    name: str
    # Entity type -> scheme span label, or SKIP.
    entities: dict[str, str]
    # Event (and trigger) types that are attributions; mapped SKIP, they are ignored.
    events: dict[str, str]
    # Event role (brat's repeat number removed: Content2 -> Content) -> quote/speaker/cue/SKIP.
    roles: dict[str, str]
    # AnnotatorNotes on an event name its speaker; otherwise notes are comments.
    notes_name_speakers: bool = True
    # An event with no content is a warning (the corpus has such leftovers), not an error.
    lenient: bool = False


DEFAULT_PROFILE = BratProfile(
    name="default",
    entities={"Source": SPEAKER, "Cue": CUE, "Content": QUOTE},
    events={ATTRIBUTION: ATTRIBUTION},
    roles={"Content": "quote", "Source": "speaker", "Cue": "cue"},
)
POLNEAR_PROFILE = BratProfile(
    name="polnear",
    entities={"Source": SPEAKER, "Cue": CUE, "Content": QUOTE, "Discuss": SKIP, "Discard": SKIP},
    events={ATTRIBUTION: ATTRIBUTION, "Attribution-no-source": ATTRIBUTION},
    roles={"Content": "quote", "Source": "speaker", "Cue": "cue"},
    notes_name_speakers=False,
    lenient=True,
)
PROFILES = {profile.name: profile for profile in (DEFAULT_PROFILE, POLNEAR_PROFILE)}
MAP_TARGETS = (QUOTE, SPEAKER, CUE, ATTRIBUTION, SKIP)


class ProfileError(DomainError, ValueError):
    """A profile name or a --brat-map entry that cannot be used."""


def brat_profile(name: str = "default", mapping: str = "") -> BratProfile:
    """The named profile, changed by 'LABEL=TARGET,...' (TARGET one of MAP_TARGETS).

    A target Quote, Speaker or Cue reads the brat entity type LABEL as that span
    label and the event role LABEL as that part of the attribution; Attribution
    reads the event type LABEL as an attribution; skip ignores LABEL wherever it is.
    """
    if name not in PROFILES:
        raise ProfileError(f"unknown brat profile {name!r} (choose from {', '.join(PROFILES)})")
    profile = PROFILES[name]
    entities, events, roles = dict(profile.entities), dict(profile.events), dict(profile.roles)
    for entry in filter(None, (part.strip() for part in mapping.split(","))):
        label, equals, target = (piece.strip() for piece in entry.partition("="))
        known = {t.casefold(): t for t in MAP_TARGETS}
        if not equals or not label or target.casefold() not in known:
            raise ProfileError(
                f"--brat-map: {entry!r} is not LABEL=TARGET with TARGET one of "
                f"{', '.join(MAP_TARGETS)}"
            )
        target = known[target.casefold()]
        if target == SKIP:
            entities[label] = events[label] = roles[label] = SKIP
        elif target == ATTRIBUTION:
            events[label] = ATTRIBUTION
        else:
            entities[label], roles[label] = target, target.casefold()
    return dataclasses.replace(
        profile,
        name=f"{name}+map" if mapping.strip() else name,
        entities=entities,
        events=events,
        roles=roles,
    )


@dataclass
class _Parsed:
    spans: dict[str, SpanRecord] = field(default_factory=dict)
    triggers: set[str] = field(default_factory=set)
    skipped_ids: set[str] = field(default_factory=set)
    events: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    relations: list[RelationRecord] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    skipped: Counter = field(default_factory=Counter)
    warnings: list[InputWarning] = field(default_factory=list)


def read(source: SourceFile, options: ReadOptions) -> Iterator[ReadItem]:
    text_path = source.path
    raw = decode_utf8(text_path.read_bytes(), location=str(text_path))
    normalized = normalize_text(raw)
    check_size(normalized.text, max_bytes=options.max_bytes, location=str(text_path))
    document = DocumentRecord(
        external_id=source.external_id,
        text=normalized.text,
        title=text_path.stem,
        location=str(source.ann or text_path),
    )
    if source.ann is None:
        yield InputWarning("no .ann file pairs with it; imported as text only", str(text_path))
        yield document
        return
    location = str(source.ann)
    ann = decode_utf8(source.ann.read_bytes(), location=location)
    parsed = parse(ann, raw, profile=options.brat_profile, location=location)
    annotation = _annotation(parsed, options.brat_profile, source.annotator, location=location)
    document.annotations.append(remap_annotation(annotation, normalized))
    yield from parsed.warnings
    yield document


def parse(ann: str, text: str, *, profile: BratProfile, location: str) -> _Parsed:
    """The .ann's annotations over `text` (offsets as in the file), checked line by line."""
    parsed = _Parsed()
    lines = [line.removesuffix("\r") for line in ann.split("\n")]
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        if not line.strip():
            continue
        where = f"{location}:{number}"
        ann_id, _, rest = line.partition("\t")
        if not rest or not _ANNOTATION_LINE.match(line):
            raise InputError("expected an id, a tab and the annotation", location=where)
        if ann_id in parsed.lines and ann_id != "*":
            raise InputError(f"{ann_id} is defined twice", location=where)
        parsed.lines[ann_id] = number
        kind = ann_id[:1]
        if kind == "T":
            # A span's text may hold line breaks: its lines follow as they are.
            needed = _text_bound(parsed, profile, ann_id, rest, text, where, lines, number)
            number += needed
        elif kind == "E":
            _event(parsed, profile, ann_id, rest, where)
        elif kind in "AM":
            _attribute(parsed, profile, rest, where)
        elif kind == "#":
            _note(parsed, rest, where)
        elif kind == "R":
            _relation(parsed, profile, rest.split(), where)
        elif ann_id == "*":
            _equivalence(parsed, profile, rest.split(), where)
        else:
            raise InputError(f"unsupported brat annotation {ann_id!r}", location=where)
    return parsed


def _text_bound(
    parsed: _Parsed,
    profile: BratProfile,
    ann_id: str,
    rest: str,
    text: str,
    where: str,
    lines: list[str],
    next_line: int,
) -> int:
    """Read one text-bound annotation; returns how many continuation lines its text took."""
    header, _, span_text = rest.partition("\t")
    label, _, offsets = header.partition(" ")
    if not _OFFSETS.match(offsets):
        raise InputError(f"{ann_id}: offsets {offsets!r} are not 'start end[;start end]'", where)
    pieces = [(int(a), int(b)) for a, b in (piece.split() for piece in offsets.split(";"))]
    for start, end in pieces:
        if not 0 <= start < end <= len(text):
            raise InputError(
                f"{ann_id}: offsets {start} {end} are out of range "
                f"(the text has {len(text)} characters)",
                where,
            )
    expected = " ".join(text[s:e] for s, e in pieces)
    taken = 0
    while span_text.count("\n") < expected.count("\n"):
        following = next_line + taken
        if following >= len(lines) or _ANNOTATION_LINE.match(lines[following]):
            break
        span_text += "\n" + lines[following]
        taken += 1
    if _comparable(span_text) != _comparable(expected):
        raise InputError(
            f"{ann_id}: text {span_text!r:.80} does not match the .txt at {offsets} "
            f"({expected!r:.80})",
            where,
        )
    target = profile.events.get(label) or profile.entities.get(label)
    if target is None:
        known = ", ".join(sorted({*profile.entities, *profile.events}))
        raise InputError(
            f"{ann_id}: unknown entity type {label!r} (expected {known}; "
            f"map it with --brat-map {label}=Quote|Speaker|Cue|skip)",
            where,
        )
    if target == SKIP:
        parsed.skipped[label] += 1
        parsed.skipped_ids.add(ann_id)
    elif label in profile.events:
        parsed.triggers.add(ann_id)
    else:
        joined = join_pieces(pieces)
        start, end = joined[0][0], joined[-1][1]
        parsed.spans[ann_id] = SpanRecord(
            id=ann_id,
            label=target,
            start=start,
            end=end,
            text=text[start:end],
            fragments=joined if len(joined) > 1 else (),
        )
    return taken


def _comparable(value: str) -> str:
    return value.replace("\r", "").replace("\n", " ")


def _event(parsed: _Parsed, profile: BratProfile, ann_id: str, rest: str, where: str) -> None:
    trigger, *arguments = rest.split()
    event_type, _, trigger_id = trigger.partition(":")
    kind = profile.events.get(event_type)
    if kind is None:
        known = ", ".join(sorted(t for t, k in profile.events.items() if k != SKIP))
        raise InputError(
            f"{ann_id}: unknown event type {event_type!r} (expected {known}; "
            f"map it with --brat-map {event_type}=Attribution|skip)",
            where,
        )
    if kind == SKIP:
        parsed.skipped[event_type] += 1
        return
    roles: dict[str, list[str]] = {"trigger": [trigger_id]}
    for argument in arguments:
        role, _, target = argument.partition(":")
        part = profile.roles.get(role) or profile.roles.get(_ROLE_NUMBER.sub("", role))
        if part is None:
            known = ", ".join(r for r, p in profile.roles.items() if p != SKIP)
            raise InputError(
                f"{ann_id}: unknown role {role!r} (expected {known}; "
                f"map it with --brat-map {role}=Quote|Speaker|Cue|skip)",
                where,
            )
        if part == SKIP:
            parsed.skipped[f"{role} argument"] += 1
            continue
        if part != "quote" and part in roles:
            raise InputError(f"{ann_id}: role {role} is given twice", where)
        roles.setdefault(part, []).append(target)
    parsed.events[ann_id] = roles


def _attribute(parsed: _Parsed, profile: BratProfile, rest: str, where: str) -> None:
    parts = rest.split()
    if parts and profile.entities.get(parts[0]) == SKIP:
        parsed.skipped[f"{parts[0]} attribute"] += 1
        return
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
    earlier = parsed.notes.get(target)
    parsed.notes[target] = f"{earlier}\n{note.strip()}" if earlier else note.strip()


def _relation(parsed: _Parsed, profile: BratProfile, parts: list[str], where: str) -> None:
    if parts and profile.entities.get(parts[0]) == SKIP:
        parsed.skipped[f"{parts[0]} relation"] += 1
        return
    if len(parts) != 3 or parts[0] != "Coref":
        raise InputError("expected a relation 'Coref Arg1:<mention> Arg2:<antecedent>'", where)
    arguments = dict(part.partition(":")[::2] for part in parts[1:])
    if set(arguments) != {"Arg1", "Arg2"}:
        raise InputError("a Coref relation needs Arg1 and Arg2", where)
    parsed.relations.append(RelationRecord(COREF, arguments["Arg1"], arguments["Arg2"]))


def _equivalence(parsed: _Parsed, profile: BratProfile, parts: list[str], where: str) -> None:
    if parts and profile.entities.get(parts[0]) == SKIP:
        parsed.skipped[f"{parts[0]} relation"] += 1
        return
    if len(parts) < 3 or parts[0] != "Coref":
        raise InputError("expected an equivalence 'Coref <antecedent> <mention>...'", where)
    antecedent, *mentions = parts[1:]
    parsed.relations.extend(RelationRecord(COREF, m, antecedent) for m in mentions)


def _annotation(
    parsed: _Parsed, profile: BratProfile, annotator: str, *, location: str
) -> AnnotationRecord:
    known = set(parsed.spans) | parsed.triggers | parsed.skipped_ids
    attributions: list[AttributionRecord] = []
    for event_id, roles in parsed.events.items():
        where = f"{location}:{parsed.lines[event_id]}"
        for role, targets in roles.items():
            for target in targets:
                if target not in known:
                    raise InputError(
                        f"{event_id}: its {role} {target} is not a defined entity", where
                    )
        attributions += _event_attributions(parsed, profile, event_id, roles, where)
    for target in parsed.attributes:
        if target not in parsed.events and target not in parsed.spans:
            raise InputError(f"an attribute refers to {target}, which is not defined", location)
    for relation in parsed.relations:
        for end in (relation.source, relation.target):
            if end not in parsed.spans:
                raise InputError(
                    f"a Coref relation refers to {end}, which is not defined", location
                )
    attributions = _one_per_quote(parsed, attributions)  # may add spans
    return AnnotationRecord(
        kind=AnnotationKind.HUMAN if annotator else AnnotationKind.IMPORTED,
        annotator=annotator,
        spans=sorted(parsed.spans.values(), key=lambda s: (s.start, s.end, s.id)),
        attributions=attributions,
        relations=parsed.relations,
        source_key=f"import:human:{annotator}" if annotator else "import:imported",
        provenance=_provenance(parsed, profile, annotator),
    )


def _event_attributions(
    parsed: _Parsed, profile: BratProfile, event_id: str, roles: dict[str, list[str]], where: str
) -> list[AttributionRecord]:
    """One attribution per quote of the event, each with the event's speaker and cue."""
    parts = {role: [t for t in roles.get(role, []) if t in parsed.spans] for role in ROLES}
    if any(t in parsed.skipped_ids for r in ROLES for t in roles.get(r, [])):
        parsed.warnings.append(
            InputWarning(f"{event_id}: an argument of a skipped type was left out", where)
        )
    if profile.lenient:
        parts = _parts_by_label(parsed, event_id, parts, where)
    if not parts["quote"]:
        if not profile.lenient:
            raise InputError(f"{event_id}: an Attribution event needs a Content argument", where)
        parsed.skipped["event without content"] += 1
        parsed.warnings.append(
            InputWarning(
                f"{event_id}: an attribution with no content was not imported "
                "(its source and cue spans were)",
                where,
            )
        )
        return []
    choices = parsed.attributes.get(event_id, {})
    name = parsed.notes.get(event_id, "") if profile.notes_name_speakers else ""
    return [
        AttributionRecord(
            quote=quote,
            speaker=next(iter(parts["speaker"]), None),
            cue=next(iter(parts["cue"]), None),
            speaker_name=" ".join(name.split()),
            **{**parsed.attributes.get(quote, {}), **choices},
        )
        for quote in parts["quote"]
    ]


def _parts_by_label(
    parsed: _Parsed, event_id: str, parts: dict[str, list[str]], where: str
) -> dict[str, list[str]]:
    """The event's arguments in the roles their entity types give (a corpus may swap a
    Source and a Content role by mistake; the entity type is the surer reading)."""
    by_label = {QUOTE: "quote", SPEAKER: "speaker", CUE: "cue"}
    regrouped: dict[str, list[str]] = {role: [] for role in ROLES}
    for role in ROLES:
        for target in parts[role]:
            regrouped[by_label[parsed.spans[target].label]].append(target)
    if regrouped != parts:
        parsed.warnings.append(
            InputWarning(
                f"{event_id}: an argument's role disagrees with its entity type; "
                "read by the entity type",
                where,
            )
        )
    return regrouped


def _one_per_quote(
    parsed: _Parsed, attributions: list[AttributionRecord]
) -> list[AttributionRecord]:
    """A quote that two events attribute (to two sources or by two cues) is one quote span per
    event: the later events get a copy of it. An event that only repeats an earlier one on the
    same quote (no speaker or cue of its own) adds nothing and is read once."""
    first: dict[str, AttributionRecord] = {}
    kept = []
    for attribution in attributions:
        earlier = first.get(attribution.quote)
        if earlier is None:
            first[attribution.quote] = attribution
            kept.append(attribution)
            continue
        repeats = attribution.speaker in (None, earlier.speaker)
        if repeats and attribution.cue in (None, earlier.cue):
            parsed.skipped["repeated event"] += 1
            continue
        quote = parsed.spans[attribution.quote]
        copy_id = f"{quote.id}-{len(kept) + 1}"
        parsed.spans[copy_id] = dataclasses.replace(quote, id=copy_id)
        kept.append(dataclasses.replace(attribution, quote=copy_id))
    return kept


def _provenance(parsed: _Parsed, profile: BratProfile, annotator: str) -> dict:
    """What the file held beyond the spans: who, its comments, what the profile skipped."""
    provenance: dict = {"annotator": annotator} if annotator else {}
    notes = parsed.notes
    if profile.notes_name_speakers:
        notes = {target: note for target, note in notes.items() if target not in parsed.events}
    if notes:
        provenance["brat_notes"] = dict(sorted(notes.items()))
    if parsed.skipped:
        provenance["brat_skipped"] = dict(sorted(parsed.skipped.items()))
    return provenance
