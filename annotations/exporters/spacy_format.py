"""spaCy DocBin files (the `spacy` extra): spacy/<split>-NNN.spacy, 5,000 documents each.

Each Doc is tokenized by spaCy's blank English tokenizer (no model is loaded).
Spans are in doc.spans["sc"] with their labels, a split span as one spaCy span
per piece (the words between the pieces belong to none); the attributions, the
document id, title and split are in doc.user_data, each part of an attribution
as its pieces [[start, end], ...]. A span whose boundaries fall inside a token
is widened to whole tokens ("expand"; a piece of a split span shrinks to the
tokens inside it instead, so it never takes in a word between the pieces),
listed in user_data["misaligned"] and counted in the card: none is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from annotations.exporters import ExportItem, Written

SHARD = 5000


def write(items: Iterable[ExportItem], out: Path, splits: tuple[str, ...]) -> Written:
    written = Written()
    nlp = spacy.blank("en")
    (out / "spacy").mkdir()
    bins: dict[str, DocBin] = {}
    shards: dict[str, int] = {}

    def flush(split: str) -> None:
        path = Path("spacy") / f"{split}-{shards.get(split, 0):03d}.spacy"
        bins.pop(split).to_disk(out / path)
        written.files.append(path)
        shards[split] = shards.get(split, 0) + 1

    for item in items:
        docbin = bins.setdefault(item.split, DocBin(store_user_data=True))
        docbin.add(to_doc(nlp, item, written))
        written.counts[item.split] += 1
        if len(docbin) >= SHARD:
            flush(item.split)
    for split in [s for s in splits if s in bins]:
        flush(split)
    if written.counts["misaligned spans"]:
        written.notes.append(
            f"spaCy: {written.counts['misaligned spans']} span(s) do not fall on token "
            "boundaries; they are widened to whole tokens (a split span's pieces shrink to "
            "the tokens inside them) and listed in user_data['misaligned']."
        )
    written.files.sort(key=lambda p: (splits.index(p.stem.rsplit("-", 1)[0]), p.name))
    return written


def to_doc(nlp, item: ExportItem, written: Written):
    doc = nlp.make_doc(item.document.text)
    spans, misaligned = [], []
    for span in item.annotation.spans:
        aligned = True
        # Widening a piece of a split span could reach into the words between its pieces:
        # such a piece shrinks to the tokens inside it instead, where any are.
        modes = ("contract", "expand") if span.fragments else ("expand",)
        for start, end in span.pieces:
            made = doc.char_span(start, end, label=span.label, alignment_mode="strict")
            if made is None:
                aligned = False
                for mode in modes:
                    made = made or doc.char_span(start, end, label=span.label, alignment_mode=mode)
            spans.append(made)
        if not aligned:
            misaligned.append(span.id)
            written.counts["misaligned spans"] += 1
    doc.spans["sc"] = spans
    by_id = item.annotation.span_by_id()

    def extent(span_id: str | None) -> list[list[int]] | None:
        return [list(piece) for piece in by_id[span_id].pieces] if span_id in by_id else None

    doc.user_data["id"] = item.document.external_id
    doc.user_data["title"] = item.document.title
    doc.user_data["split"] = item.split
    doc.user_data["misaligned"] = misaligned
    doc.user_data["attributions"] = [
        {
            "quote": extent(a.quote),
            "speaker": extent(a.speaker),
            "cue": extent(a.cue),
            "speaker_name": a.speaker_name,
            "quote_type": a.quote_type,
            "stance": a.stance,
            "claim_type": a.claim_type,
        }
        for a in item.annotation.attributions
    ]
    return doc
