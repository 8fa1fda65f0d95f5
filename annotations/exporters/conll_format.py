"""CoNLL-style columns, one token per line, one file per split: train.conll, …

Tokens as annotations.tokens makes them. Columns, tab-separated:

    TOKEN  START  END  QUOTE  SPEAKER  CUE  ATTRIBUTION

START/END are character offsets in the document text. QUOTE, SPEAKER and CUE
are BIO tags; a token partly inside a span counts as inside. Only the pieces
of a split span are tagged, each beginning with B; the words between them (a
split quote's speaker and cue) are not part of it, and the ATTRIBUTION column
ties the pieces together. Where two spans of one label overlap (a quote
inside a quote), the column shows the outer one and the overlap is counted in
the card. ATTRIBUTION lists the ids (a1, a2, …, one per quote in reading
order) of the attributions the token takes part in, as quote, speaker or cue,
joined by "|", or "_". A document starts with comment
lines "# newdoc id = …" and "# split = …"; a blank line ends each paragraph.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from annotations.exporters import ExportItem, SplitFiles, Written
from annotations.scheme import CUE, QUOTE, SPEAKER
from annotations.tokens import bio_tags

LABELS = (QUOTE, SPEAKER, CUE)
HEADER = "# columns = TOKEN START END QUOTE SPEAKER CUE ATTRIBUTION"


def write(items: Iterable[ExportItem], out: Path, splits: tuple[str, ...]) -> Written:
    written = Written()
    with SplitFiles(out, ".conll", written, splits, header=HEADER + "\n\n") as files:
        for item in items:
            stream = files[item.split]
            stream.write(f"# newdoc id = {item.document.external_id}\n# split = {item.split}\n")
            for line in document_lines(item, written):
                stream.write(line + "\n")
            stream.write("\n")
            written.counts[item.split] += 1
    if written.counts["overlapping spans"]:
        written.notes.append(
            f"CoNLL: {written.counts['overlapping spans']} span(s) overlap another span of the "
            "same label (nested quotes); their tokens carry the outer span's tag."
        )
    if written.counts["misaligned boundaries"]:
        written.notes.append(
            f"CoNLL: {written.counts['misaligned boundaries']} span boundary(ies) fall inside a "
            "token; the whole token is tagged."
        )
    return written


def document_lines(item: ExportItem, written: Written) -> list[str]:
    text = item.document.text
    tagged = bio_tags(text, item.annotation, LABELS)
    written.counts["misaligned boundaries"] += tagged.misaligned
    written.counts["overlapping spans"] += tagged.overlapping
    lines, previous_end = [], 0
    for i, (word, start, end) in enumerate(tagged.tokens.words):
        if i and "\n" in text[previous_end:start]:
            lines.append("")  # paragraph break
        columns = [word, str(start), str(end), *(tagged.tags[label][i] for label in LABELS)]
        lines.append("\t".join([*columns, "|".join(tagged.roles[i]) or "_"]))
        previous_end = end
    return lines
