"""brat standoff, read back by the brat importer: brat/<split>/<id>.txt and .ann, and
brat/<split>.sha256 listing every file of the split with its SHA-256.

Quotes, speakers and cues are Content, Source and Cue entities (a split span
with its pieces, `a b;c d`); each
attribution is an Attribution event (its trigger over the cue, or the quote
when there is none) with quote_type, stance and claim_type attributes and the
speaker's name as an AnnotatorNotes comment; coref links are Coref relations.
annotation.conf lets the brat tool open the folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from annotations.exporters import ExportError, ExportItem, SplitFiles, Written
from annotations.importers.brat import ATTRIBUTION, CHOICE_ATTRIBUTES, DEFAULT_PROFILE
from annotations.records import AnnotationRecord, SpanRecord

LABEL_TO_ENTITY = {label: entity for entity, label in DEFAULT_PROFILE.entities.items()}
CONF = """[entities]
Source
Cue
Content
Attribution

[relations]
Coref Arg1:Source, Arg2:Source

[events]
Attribution Content:Content, Source?:Source, Cue?:Cue

[attributes]
quote_type Arg:Attribution, Value:direct|indirect|mixed
stance Arg:Attribution, Value:support|oppose|neutral
claim_type Arg:Attribution, Value:factual|opinion|prediction|commitment|demand|question|other
"""


def write(items: Iterable[ExportItem], out: Path, splits: tuple[str, ...]) -> Written:
    written = Written()
    (out / "brat").mkdir()
    (out / "brat" / "annotation.conf").write_text(CONF, encoding="utf-8")
    written.files.append(Path("brat/annotation.conf"))
    manifests = Written()
    with SplitFiles(out / "brat", ".sha256", manifests, splits) as sums:
        for item in items:
            relative = Path(item.split) / safe_path(item.document.external_id)
            (out / "brat" / relative).parent.mkdir(parents=True, exist_ok=True)
            for suffix, content in (
                (".txt", item.document.text),
                (".ann", standoff(item.annotation)),
            ):
                path = relative.with_name(relative.name + suffix)
                data = content.encode("utf-8")
                (out / "brat" / path).write_bytes(data)
                sums[item.split].write(f"{hashlib.sha256(data).hexdigest()}  {path.as_posix()}\n")
            written.counts[item.split] += 1
    # The card and the Export list each split's manifest rather than its two files per
    # document (two million at a million documents): the manifests certify them.
    written.files += [Path("brat") / path for path in manifests.files]
    if manifests.files:
        written.notes.append(
            "brat: the SHA-256 of every .txt and .ann file is in brat/<split>.sha256 "
            "(`cd brat && sha256sum -c train.sha256`)."
        )
    return written


def safe_path(external_id: str) -> Path:
    """The id as a relative path inside the export (ids may hold '/', never '..')."""
    parts = [p for p in PurePosixPath(external_id).parts if p not in ("", ".", "/")]
    if not parts or ".." in parts or external_id.startswith("/"):
        raise ExportError(f"document id {external_id!r} cannot be a file name")
    return Path(*parts)


def standoff(annotation: AnnotationRecord) -> str:
    lines: list[str] = []
    ids: dict[str, str] = {}
    for span in annotation.spans:
        ids[span.id] = f"T{len(ids) + 1}"
        lines.append(_text_bound(ids[span.id], LABEL_TO_ENTITY[span.label], span))
    spans = annotation.span_by_id()
    trigger_number = len(ids)
    attributes = notes = 0
    for number, attribution in enumerate(annotation.attributions, start=1):
        anchor = spans.get(attribution.cue) or spans[attribution.quote]
        trigger_number += 1
        trigger = f"T{trigger_number}"
        lines.append(_text_bound(trigger, ATTRIBUTION, anchor))
        arguments = [f"Attribution:{trigger}", f"Content:{ids[attribution.quote]}"]
        if attribution.cue:
            arguments.append(f"Cue:{ids[attribution.cue]}")
        if attribution.speaker:
            arguments.append(f"Source:{ids[attribution.speaker]}")
        lines.append(f"E{number}\t{' '.join(arguments)}")
        for name in CHOICE_ATTRIBUTES:
            value = getattr(attribution, name)
            if value:
                attributes += 1
                lines.append(f"A{attributes}\t{name} E{number} {value}")
        if attribution.speaker_name:
            notes += 1
            lines.append(f"#{notes}\tAnnotatorNotes E{number}\t{attribution.speaker_name}")
    for number, relation in enumerate(annotation.relations, start=1):
        lines.append(f"R{number}\tCoref Arg1:{ids[relation.source]} Arg2:{ids[relation.target]}")
    return "".join(line + "\n" for line in lines)


def _text_bound(ann_id: str, label: str, span: SpanRecord) -> str:
    pieces = span.fragments or ((span.start, span.end),)
    offsets = ";".join(f"{start} {end}" for start, end in pieces)
    if span.fragments:
        full = span.text
        text = " ".join(full[s - span.start : e - span.start] for s, e in pieces)
    else:
        text = span.text
    return f"{ann_id}\t{label} {offsets}\t{text.replace(chr(10), ' ')}"
