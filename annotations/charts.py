"""Small server-rendered SVG charts (no script, nothing fetched). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

PALETTE = ("#2a9d8f", "#f4a261", "#8ab17d", "#e76f51", "#264653", "#e9c46a", "#a8dadc")


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 420,
    bar_height: int = 22,
    value_format: str = "{:g}",
    maximum: float | None = None,
) -> str:
    """Horizontal bars with their labels and values; an empty chart says so."""
    label_width, gap, top = 150, 6, 28
    height = top + max(1, len(bars)) * (bar_height + gap) + 8
    parts = [_open(width, height, title)]
    if not bars:
        parts.append(f'<text x="8" y="{top + 16}" class="empty">no data yet</text>')
    largest = maximum if maximum is not None else max((value for _, value in bars), default=0)
    room = width - label_width - 60
    for index, (label, value) in enumerate(bars):
        y = top + index * (bar_height + gap)
        length = room * value / largest if largest else 0
        colour = PALETTE[index % len(PALETTE)]
        shown = escape(value_format.format(value))
        baseline = f"{y + bar_height * 0.7:.1f}"
        parts.append(
            f'<text x="{label_width - 6}" y="{baseline}" text-anchor="end">'
            f"{escape(_clip(label))}</text>"
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{colour}"><title>{escape(label)}: {shown}</title></rect>'
            f'<text x="{label_width + length + 4:.1f}" y="{baseline}">{shown}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def column_chart(
    columns: Sequence[tuple[str, float]], *, title: str, width: int = 640, height: int = 200
) -> str:
    """Vertical columns over time (one per day), labelled below at a readable interval."""
    top, bottom, left = 28, 36, 36
    parts = [_open(width, height, title)]
    if not columns:
        parts.append(f'<text x="8" y="{top + 16}" class="empty">no data yet</text></svg>')
        return "".join(parts)
    largest = max(value for _, value in columns) or 1
    step = (width - left - 8) / len(columns)
    plot = height - top - bottom
    every = max(1, len(columns) // 8)
    parts.append(f'<text x="{left - 4}" y="{top + 10}" text-anchor="end">{largest:g}</text>')
    parts.append(
        f'<line x1="{left}" y1="{top + plot}" x2="{width - 8}" y2="{top + plot}" class="axis"/>'
    )
    for index, (label, value) in enumerate(columns):
        bar = plot * value / largest
        x = left + index * step
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{top + plot - bar:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{bar:.1f}" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {value:g}</title></rect>"
        )
        if index % every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle">'
                f"{escape(label[5:] if len(label) == 10 else label)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    series: Sequence[tuple[str, Sequence[tuple[float, float]]]],
    *,
    title: str,
    x_label: str,
    width: int = 420,
    height: int = 220,
    maximum: float = 1.0,
) -> str:
    """Lines through (x, y) points, y from 0 to `maximum`, each series named in a legend;
    a series of one point is drawn level across the chart (a reference)."""
    top, bottom, left, right = 28, 44, 36, 12
    parts = [_open(width, height, title)]
    points = [x for _, line in series for x, _ in line]
    if not points:
        parts.append(f'<text x="8" y="{top + 16}" class="empty">no data yet</text></svg>')
        return "".join(parts)
    low, high = 0.0, max(points) or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def at(x: float, y: float) -> tuple[float, float]:
        return left + plot_w * (x - low) / (high - low), top + plot_h * (1 - y / maximum)

    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'class="axis"/><line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" class="axis"/>'
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{maximum:g}</text>'
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>'
        f'<text x="{width - right}" y="{top + plot_h + 14}" text-anchor="end">{high:g}</text>'
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
    )
    for index, (name, line) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        drawn = list(line) if len(line) > 1 else [(low, line[0][1]), (high, line[0][1])]
        path = " ".join("{:.1f},{:.1f}".format(*at(x, y)) for x, y in drawn)
        dash = ' stroke-dasharray="4 3"' if len(line) == 1 else ""
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}>'
            f"<title>{escape(name)}</title></polyline>"
        )
        for x, y in line if len(line) > 1 else []:
            cx, cy = at(x, y)
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(name)}: {y:.3f} at {x:g}</title></circle>"
            )
        parts.append(
            f'<rect x="{left + 8 + index * 140}" y="{top + plot_h + 20}" width="10" height="10" '
            f'fill="{colour}"/><text x="{left + 22 + index * 140}" y="{top + plot_h + 29}">'
            f"{escape(_clip(name, 20))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(title)}>'
        f'<text x="8" y="16" class="title">{escape(title)}</text>'
    )


def _clip(label: str, limit: int = 24) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
