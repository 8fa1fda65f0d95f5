"""HTML pieces shared by admin pages. Everything from documents is escaped."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse
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


def object_url(name: str, pk: int, *, current_app: str | None = None) -> str:
    """The URL `name` reverses to for an object's integer primary key, from a pattern
    reversed once (a list page reversing one per row spent more on it than on its
    queries)."""
    head, tail = url_pattern(name, current_app=current_app)
    return f"{head}{int(pk)}{tail}"


def url_pattern(name: str, *, current_app: str | None = None) -> tuple[str, str]:
    """What comes before and after the one argument in the URL `name` reverses to."""
    return _url_pattern(name, current_app, get_script_prefix(), get_urlconf())


URL_PLACEHOLDER = "pk0placeholder"


@lru_cache(maxsize=64)
def _url_pattern(
    name: str, current_app: str | None, prefix: str, urlconf: str | None
) -> tuple[str, str]:
    # The prefix and urlconf are what reverse reads besides its arguments (keys only).
    url = reverse(name, urlconf=urlconf, args=[URL_PLACEHOLDER], current_app=current_app)
    head, placeholder, tail = url.partition(URL_PLACEHOLDER)
    if not placeholder or URL_PLACEHOLDER in tail:
        raise ValueError(f"{name} does not take one argument that stays as given")
    return head, tail
