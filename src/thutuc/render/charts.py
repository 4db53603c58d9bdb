"""Small static SVG bar charts for the HTML report: before/after pairs and single series, text escaped.

Our own renderer rather than a plotting library: two kinds of horizontal bar chart need no heavy
dependency, and the output stays plain text we can test and check for safety.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

__all__ = ["AFTER_COLOUR", "BEFORE_COLOUR", "ChartRow", "bar_chart", "paired_bar_chart"]

# Okabe-Ito blue and a mid grey: told apart by colour-blind readers and in greyscale print,
# and every bar carries its value in words as well.
BEFORE_COLOUR = "#8C8C8C"
AFTER_COLOUR = "#0072B2"
_FONT = "DejaVu Sans, Verdana, sans-serif"
_CHAR_WIDTH = 6.6
"""Average advance of a 12 px DejaVu Sans character, for laying out labels without a font engine."""
_LABEL_CHARACTERS = 42
_BAR = 11
_GAP = 9
_PLOT_WIDTH = 420
_VALUE_ROOM = 120


@dataclass(frozen=True)
class ChartRow:
    """One category of a chart: its label, the full text for the tooltip, and the values."""

    label: str
    before: float | None
    after: float | None = None
    tooltip: str | None = None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _LABEL_CHARACTERS else text[: _LABEL_CHARACTERS - 1].rstrip() + "…"


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value`` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 12, weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}">'
        f"{escape(content)}</text>"
    )


def _frame(title: str, width: float, height: float, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" font-family={quoteattr(_FONT)} fill="#1A1A1A">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#FFFFFF"/>' + "".join(body) + "</svg>\n"
    )


def _tick_count(scale_max: float, values: list[float]) -> int:
    """Four intervals, or as many as keep the ticks whole numbers when every value is whole."""
    if any(v != int(v) for v in values):
        return 4
    return next((n for n in (4, 5, 2, 1) if scale_max % n == 0), 4)


def _axis(
    left: float, top: float, bottom: float, scale_max: float, values: list[float], fmt: Callable[[float], str]
) -> list[str]:
    parts = []
    intervals = _tick_count(scale_max, values)
    for tick in range(intervals + 1):
        x = left + _PLOT_WIDTH * tick / intervals
        parts.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="#E0E0E0"/>')
        parts.append(_text(x, bottom + 14, fmt(scale_max * tick / intervals), anchor="middle", size=10))
    parts.append(f'<line x1="{left:.1f}" y1="{top:.1f}" x2="{left:.1f}" y2="{bottom:.1f}" stroke="#595959"/>')
    return parts


def _bar(x: float, y: float, value: float | None, scale_max: float, colour: str, text: str) -> list[str]:
    length = 0.0 if value is None else _PLOT_WIDTH * value / scale_max
    parts = []
    if value is not None:
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(length, 0.5):.1f}" height="{_BAR}" fill="{colour}"/>')
    parts.append(_text(x + length + 4, y + _BAR - 1.5, text, size=10))
    return parts


def paired_bar_chart(
    title: str,
    rows: Sequence[ChartRow],
    *,
    legend: tuple[str, str],
    value_format: Callable[[float], str],
    unknown: str = "unknown",
) -> str:
    """A horizontal bar chart with a before bar and an after bar per row, values written at the bars.

    ``legend`` names the two series; a ``None`` value draws no bar and writes ``unknown``.

    Examples
    --------
    >>> svg = paired_bar_chart("Visits", [ChartRow("A & B", 2, 1)], legend=("Before", "After"), value_format=str)
    >>> "A &amp; B" in svg, ">2</text>" in svg, ">1</text>" in svg
    (True, True, True)
    """
    label_width = _CHAR_WIDTH * min(_LABEL_CHARACTERS, max((len(_short(r.label)) for r in rows), default=10)) + 12
    left, top = label_width, 52
    row_height = 2 * _BAR + _GAP
    bottom = top + row_height * len(rows)
    width = left + _PLOT_WIDTH + _VALUE_ROOM
    values = [v for r in rows for v in (r.before, r.after) if v is not None]
    scale_max = _nice_ceiling(max(values, default=0))
    body = [_text(8, 20, title, size=14, weight="bold")]
    for index, (name, colour) in enumerate(zip(legend, (BEFORE_COLOUR, AFTER_COLOUR), strict=True)):
        x = left + index * 140
        body.append(f'<rect x="{x:.1f}" y="30" width="12" height="12" fill="{colour}"/>')
        body.append(_text(x + 17, 40, name, size=11))
    body += _axis(left, top - 4, bottom, scale_max, values, value_format)
    for index, row in enumerate(rows):
        y = top + index * row_height
        group = [f"<g><title>{escape(row.tooltip or row.label)}</title>"]
        group.append(_text(left - 6, y + _BAR + 3, _short(row.label), anchor="end", size=11))
        for offset, value, colour in ((0, row.before, BEFORE_COLOUR), (_BAR, row.after, AFTER_COLOUR)):
            text = unknown if value is None else value_format(value)
            group += _bar(left, y + offset, value, scale_max, colour, text)
        body.append("".join(group) + "</g>")
    return _frame(title, width, bottom + 24, body)


def bar_chart(
    title: str,
    rows: Sequence[ChartRow],
    *,
    value_format: Callable[[float], str] = lambda v: f"{v:g}",
    colour: str = AFTER_COLOUR,
) -> str:
    """A horizontal bar chart of one series (``ChartRow.before``), values written at the bars.

    Examples
    --------
    >>> svg = bar_chart("Blockers", [ChartRow("<cash>", 3)])
    >>> "&lt;cash&gt;" in svg and "<cash>" not in svg
    True
    """
    label_width = _CHAR_WIDTH * min(_LABEL_CHARACTERS, max((len(_short(r.label)) for r in rows), default=10)) + 12
    left, top = label_width, 36
    row_height = _BAR + _GAP + 4
    bottom = top + row_height * len(rows)
    width = left + _PLOT_WIDTH + _VALUE_ROOM
    values = [r.before for r in rows if r.before is not None]
    scale_max = _nice_ceiling(max(values, default=0))
    body = [_text(8, 20, title, size=14, weight="bold")]
    body += _axis(left, top - 4, bottom, scale_max, values, value_format)
    for index, row in enumerate(rows):
        y = top + index * row_height + 2
        group = [f"<g><title>{escape(row.tooltip or row.label)}</title>"]
        group.append(_text(left - 6, y + _BAR - 1, _short(row.label), anchor="end", size=11))
        text = "–" if row.before is None else value_format(row.before)
        group += _bar(left, y, row.before, scale_max, colour, text)
        body.append("".join(group) + "</g>")
    return _frame(title, width, bottom + 24, body)
