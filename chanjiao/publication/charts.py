"""Inline SVG line charts for the bulletin, drawn here so the page needs no script and no network."""
from __future__ import annotations

import math
from html import escape

WIDTH, HEIGHT = 420, 200
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36


def _nice_top(value: float) -> float:
    """The axis top: the smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at least `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value)


def _fmt(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def trend_chart(title: str, periods: list[str], values: list[float | None], target_lines: list[tuple[str, float, str]],
                unit: str, attrs: dict[str, str]) -> str:
    """A line of `values` over `periods` with one horizontal line per (label, level, kind) in `target_lines`.

    Missing values leave a gap in the line (a month without a value is not zero)."""
    levels = [v for v in values if v is not None] + [level for _, level, _ in target_lines]
    top = _nice_top(max(levels + [0.0]) * 1.1)
    if unit == "%" and top > 100 >= max(levels + [0.0]):
        top = 100.0  # a share never exceeds 100%
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if len(periods) == 1 else plot_w * i / (len(periods) - 1))

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    data = " ".join(f'data-{k}="{escape(v)}"' for k, v in attrs.items())
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" {data}>',
             f"<title>{escape(title)}</title>",
             f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}"/>',
             f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}"/>']
    for frac in (0, 0.5, 1):
        level = top * frac
        parts.append(f'<text class="tick" x="{LEFT - 4}" y="{y(level) + 4:.1f}" text-anchor="end">{_fmt(level)}</text>')
    for i, period in enumerate(periods):
        anchor = "start" if i == 0 and len(periods) > 1 else "end" if i == len(periods) - 1 and len(periods) > 1 else "middle"
        parts.append(f'<text class="tick" x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="{anchor}">{escape(period)}</text>')
    for label, level, kind in target_lines:
        parts.append(f'<line class="target-line {kind}" data-level="{level}" x1="{LEFT}" y1="{y(level):.1f}" x2="{WIDTH - RIGHT}" y2="{y(level):.1f}"/>')
        parts.append(f'<text class="target-label" x="{WIDTH - RIGHT}" y="{y(level) - 4:.1f}" text-anchor="end">{escape(label)}</text>')
    segment: list[str] = []
    segments = []
    for i, v in enumerate(values):
        if v is None:
            segments.append(segment)
            segment = []
        else:
            segment.append(f"{x(i):.1f},{y(v):.1f}")
            parts.append(f'<circle class="point" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5"><title>{escape(periods[i])}: {_fmt(v)}{escape(unit)}</title></circle>')
    segments.append(segment)
    for s in segments:
        if len(s) > 1:
            parts.append(f'<polyline class="series" points="{" ".join(s)}"/>')
    if not any(v is not None for v in values):
        parts.append(f'<text class="empty" x="{LEFT + plot_w / 2}" y="{TOP + plot_h * 0.8:.1f}" text-anchor="middle">无数据</text>')
    parts.append("</svg>")
    return "".join(parts)


BAR_HEIGHT, BAR_GAP, BAR_LEFT = 22, 8, 110


def bar_chart(title: str, bars: list[tuple[str, float | None, str]], target_lines: list[tuple[str, float, str]],
              unit: str, attrs: dict[str, str]) -> str:
    """Horizontal bars, one per (label, value, note) in `bars` (the counties of a city), with a vertical line
    per target level. A bar without a value (withheld or not computable) shows its note instead."""
    levels = [v for _, v, _ in bars if v is not None] + [level for _, level, _ in target_lines]
    top = _nice_top(max(levels + [0.0]) * 1.1)
    if unit == "%" and top > 100 >= max(levels + [0.0]):
        top = 100.0
    plot_w = WIDTH - BAR_LEFT - RIGHT - 40
    height = TOP + len(bars) * (BAR_HEIGHT + BAR_GAP) + BOTTOM

    def x(v: float) -> float:
        return BAR_LEFT + plot_w * v / top

    data = " ".join(f'data-{k}="{escape(v)}"' for k, v in attrs.items())
    parts = [f'<svg class="chart bars" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" {data}>',
             f"<title>{escape(title)}</title>",
             f'<line class="axis" x1="{BAR_LEFT}" y1="{TOP}" x2="{BAR_LEFT}" y2="{height - BOTTOM}"/>']
    for i, (label, value, note) in enumerate(bars):
        y = TOP + i * (BAR_HEIGHT + BAR_GAP)
        parts.append(f'<text class="tick" x="{BAR_LEFT - 6}" y="{y + BAR_HEIGHT * 0.7:.1f}" text-anchor="end">{escape(label)}</text>')
        if value is None:
            parts.append(f'<text class="bar-note" x="{BAR_LEFT + 6}" y="{y + BAR_HEIGHT * 0.7:.1f}">{escape(note)}</text>')
            continue
        parts.append(f'<rect class="bar" x="{BAR_LEFT}" y="{y}" width="{max(x(value) - BAR_LEFT, 1):.1f}" height="{BAR_HEIGHT}">'
                     f"<title>{escape(label)}: {_fmt(value)}{escape(unit)}</title></rect>")
        parts.append(f'<text class="bar-value" x="{x(value) + 4:.1f}" y="{y + BAR_HEIGHT * 0.7:.1f}">{_fmt(value)}{escape(unit)}</text>')
    for frac in (0, 0.5, 1):
        parts.append(f'<text class="tick" x="{x(top * frac):.1f}" y="{height - BOTTOM + 16}" text-anchor="middle">{_fmt(top * frac)}</text>')
    for label, level, kind in target_lines:
        parts.append(f'<line class="target-line {kind}" data-level="{level}" x1="{x(level):.1f}" y1="{TOP - 4}" x2="{x(level):.1f}" y2="{height - BOTTOM}"/>')
        parts.append(f'<text class="target-label" x="{x(level):.1f}" y="{height - 4}" text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
