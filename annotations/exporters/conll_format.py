"""CoNLL-style columns, one token per line, one file per split: train.conll, …

Tokenizer: words are runs of letters and digits, with inner hyphens and
apostrophes kept ("Mar-a-Lago", "don't", "Ukraine’s"); every other non-space
character is a token of its own. Columns, tab-separated:

    TOKEN  START  END  QUOTE  SPEAKER  CUE  ATTRIBUTION

START/END are character offsets in the document text. QUOTE, SPEAKER and CUE
are BIO tags; a token partly inside a span counts as inside. Where two spans of
one label overlap (a quote inside a quote), the column shows the outer one and
the overlap is counted in the card. ATTRIBUTION lists the ids (a1, a2, …, one
per quote in reading order) of the attributions the token takes part in, as
quote, speaker or cue, joined by "|", or "_". A document starts with comment
lines "# newdoc id = …" and "# split = …"; a blank line ends each paragraph.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from pathlib import Path

from annotations.exporters import ExportItem, SplitFiles, Written
from annotations.scheme import CUE, QUOTE, SPEAKER

TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")
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
    annotation = item.annotation
    tokens = [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]
    token_starts = [start for _, start, _ in tokens]
    token_ends = [end for _, _, end in tokens]
    starts, ends = set(token_starts), set(token_ends)

    def covered(span) -> range:
        return range(bisect_right(token_ends, span.start), bisect_left(token_starts, span.end))

    tags = {label: ["O"] * len(tokens) for label in LABELS}
    roles: list[list[str]] = [[] for _ in tokens]
    spans = annotation.span_by_id()
    for span in sorted(annotation.spans, key=lambda s: (s.start, -s.end)):
        written.counts["misaligned boundaries"] += (span.start not in starts) + (
            span.end not in ends
        )
        inside = covered(span)
        column = tags[span.label]
        if any(column[i] != "O" for i in inside):
            written.counts["overlapping spans"] += 1
            continue
        for position, i in enumerate(inside):
            column[i] = "B" if position == 0 else "I"
    for number, attribution in enumerate(annotation.attributions, start=1):
        for span_id in (attribution.quote, attribution.speaker, attribution.cue):
            span = spans.get(span_id)
            if span is None:
                continue
            for i in covered(span):
                if f"a{number}" not in roles[i]:
                    roles[i].append(f"a{number}")
    lines, previous_end = [], 0
    for i, (word, start, end) in enumerate(tokens):
        if i and "\n" in text[previous_end:start]:
            lines.append("")  # paragraph break
        columns = [word, str(start), str(end), *(tags[label][i] for label in LABELS)]
        lines.append("\t".join([*columns, "|".join(roles[i]) or "_"]))
        previous_end = end
    return lines
