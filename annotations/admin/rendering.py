"""HTML pieces shared by admin pages. Everything from documents is escaped."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from annotations import highlight


def render_highlights(text: str, spans: Iterable[tuple[str, str, int, int]]) -> SafeString:
    """The text with each (label, id, start, end) span wrapped in a labelled element;
    a split span is given once per piece, so the words between its pieces stay plain."""
    pieces = highlight.pieces(text, spans)
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html(
                    '<span class="hl {}" title="{}">{}</span>',
                    " ".join(f"hl-{label}" for label in piece.labels),
                    "; ".join(f"{label} {ident}" for label, ident in piece.spans),
                    piece.text,
                )
                if piece.spans
                else piece.text,
            )
            for piece in pieces
        ),
    )


def span_pieces(spans: Iterable) -> list[tuple[str, str, int, int]]:
    """(label, id, start, end) for each piece of these spans (records or Span rows)."""
    rows = []
    for span in spans:
        ident = getattr(span, "region_id", None) or span.id
        for start, end in span.fragments or ((span.start, span.end),):
            rows.append((span.label, ident, start, end))
    return rows
