"""Horizontal bar charts as inline SVG, drawn here so the HTML report needs no chart library.

Each row is a label, a bar stacked by level (each segment with a <title> naming its level and
count) and the row's total; the chart has a <title> for screen readers. Only presentation
attributes are used, never `style`, so the report's Content-Security-Policy needs no exception.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from portacheck.model import Level
from portacheck.report.escape import html as e

# Level colours, each at least 4.5:1 against white (the report's background) and distinct in hue.
COLOURS = {
    Level.P0: "#1a7f37",
    Level.P1: "#0550ae",
    Level.P2: "#7d4e00",
    Level.P3: "#bc4c00",
    Level.P4: "#a40e26",
    Level.U: "#57606a",
}
LABEL_WIDTH = 210
BAR_WIDTH = 440
ROW = 24
MAX_LABEL = 30


def bars(title: str, key: str, rows: Sequence[tuple[str, Mapping[Level, int]]]) -> str:
    """A chart of `rows` (label, count per level); `key` names the rows' data attribute (`data-category`)."""
    largest = max((sum(counts.values()) for _label, counts in rows), default=0) or 1
    width = LABEL_WIDTH + BAR_WIDTH + 60
    height = ROW * len(rows) + 4
    ident = f"chart-{key}"
    out = [
        f'<svg class="chart" role="img" aria-labelledby="{ident}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f'<title id="{ident}">{e(title)}</title>',
    ]
    for index, (label, counts) in enumerate(rows):
        y = index * ROW + 2
        total = sum(counts.values())
        shown = label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"
        out.append(f'<g data-{key}="{e(label)}" data-count="{total}">')
        out.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end" fill="#1f2328" font-size="13"><title>{e(label)}</title>{e(shown)}</text>')
        x = float(LABEL_WIDTH)
        for level in Level:
            count = counts.get(level, 0)
            if not count:
                continue
            size = BAR_WIDTH * count / largest
            out.append(
                f'<rect x="{x:.1f}" y="{y + 2}" width="{size:.1f}" height="{ROW - 6}" fill="{COLOURS[level]}" stroke="#ffffff" '
                f'data-level="{level.value}" data-count="{count}"><title>{e(label)}: {level.value} {level.title}, {count}</title></rect>'
            )
            x += size
        out.append(f'<text x="{x + 6:.1f}" y="{y + 15}" fill="#1f2328" font-size="13">{total}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
