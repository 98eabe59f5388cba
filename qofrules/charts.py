"""Two small inline SVG charts for the report: a histogram and a signed horizontal bar chart.

Drawn here rather than with a plotting library because the report must be one self-contained
file with no scripts or fonts fetched from anywhere, and both charts are a few rectangles and
labels. Every label is escaped; every chart carries a <title> and <desc> so that it reads
without the picture, and the numbers it shows are also in the tables beside it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from .money import pounds

WIDTH = 720
BAR_COLOUR = "#3568a8"
GAIN_COLOUR = "#2e7d4f"
LOSS_COLOUR = "#b3372f"
AXIS_COLOUR = "#555"


@dataclass(frozen=True)
class Bin:
    low: Decimal   # inclusive
    high: Decimal  # exclusive, except the last bin, which includes its upper edge
    count: int


def nice_step(span: Decimal, bins: int = 10) -> Decimal:
    """A bin width of 1, 2 or 5 × a power of ten, giving about ``bins`` bins over ``span``."""
    if span <= 0:
        return Decimal(1)
    raw = float(span) / bins
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return Decimal(str(factor * power))
    return Decimal(str(10 * power))  # pragma: no cover - the loop always returns


def histogram_bins(values: list[Decimal], bins: int = 10) -> list[Bin]:
    """Equal-width bins on round numbers covering every value; empty list for no values."""
    if not values:
        return []
    low, high = min(values), max(values)
    step = nice_step(high - low, bins)
    start = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    edges = [start]
    while edges[-1] + step <= high:
        edges.append(edges[-1] + step)
    counts = [0] * len(edges)
    for value in values:
        index = min(int((value - start) // step), len(edges) - 1)
        counts[index] += 1
    return [Bin(edge, edge + step, count) for edge, count in zip(edges, counts)]


def _short_pounds(amount: Decimal) -> str:
    sign = "−" if amount < 0 else ""
    amount = abs(amount)
    if amount >= 1000 and amount % 1000 == 0:
        return f"{sign}£{amount / 1000:,.0f}k"
    if amount >= 1000:
        return f"{sign}£{amount / 1000:,.1f}k"
    return f"{sign}£{amount:,.0f}" if amount == amount.to_integral_value() else f"{sign}£{amount:,.2f}"


def histogram_svg(bins: list[Bin], unchanged: int, title: str, description: str) -> Markup:
    """Counts of practices per £ band of payment change, after a grey bar of those unchanged (£0
    exactly), so that a band starting at £0 does not hide how many are not changed at all."""
    height, left, right, top, bottom = 260, 48, 16, 16, 56
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
           f'class="chart" aria-labelledby="hist-title hist-desc">',
           f'<title id="hist-title">{escape(title)}</title><desc id="hist-desc">{escape(description)}</desc>']
    if not bins and not unchanged:
        out.append(f'<text x="{WIDTH / 2}" y="{height / 2}" text-anchor="middle">no practices to show</text></svg>')
        return Markup("".join(out))
    most = max([b.count for b in bins] + [unchanged]) or 1
    slot = min(plot_w / (len(bins) + 1.5), 90)  # a few bins are not drawn as slabs
    h = plot_h * unchanged / most
    out.append(f'<rect class="bin unchanged" x="{left + 1}" y="{top + plot_h - h:.1f}" width="{slot - 2:.1f}" '
               f'height="{h:.1f}" fill="#8a8a8a" data-low="0" data-high="0" data-count="{unchanged}">'
               f'<title>unchanged (£0): {unchanged} practice{"" if unchanged == 1 else "s"}</title></rect>')
    out.append(f'<text x="{left + slot / 2:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" class="count">'
               f'{unchanged}</text>')
    out.append(f'<text x="{left + slot / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" class="tick">unchanged</text>')
    left += slot * 1.5
    plot_w = slot * len(bins)  # the axis ends where the last bin does
    label_every = max(1, math.ceil(len(bins) / 8))
    for i, b in enumerate(bins):
        h = plot_h * b.count / most
        x = left + i * slot
        y = top + plot_h - h
        colour = LOSS_COLOUR if b.high <= 0 else GAIN_COLOUR if b.low >= 0 else BAR_COLOUR
        out.append(f'<rect class="bin" x="{x + 1:.1f}" y="{y:.1f}" width="{slot - 2:.1f}" height="{h:.1f}" '
                   f'fill="{colour}" data-low="{b.low}" data-high="{b.high}" data-count="{b.count}">'
                   f'<title>{escape(_short_pounds(b.low))} to {escape(_short_pounds(b.high))}: '
                   f'{b.count} practice{"" if b.count == 1 else "s"}</title></rect>')
        if b.count:
            out.append(f'<text x="{x + slot / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" class="count">{b.count}</text>')
        if i % label_every == 0:
            out.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" class="tick">'
                       f'{escape(_short_pounds(b.low))}</text>')
    if bins and len(bins) % label_every == 0:  # no bins: every known difference is £0
        out.append(f'<text x="{left + plot_w:.1f}" y="{top + plot_h + 16}" text-anchor="middle" class="tick">'
                   f'{escape(_short_pounds(bins[-1].high))}</text>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{AXIS_COLOUR}"/>')
    out.append(f'<text x="{left + plot_w / 2}" y="{height - 12}" text-anchor="middle" class="axis">change in payment '
               f'per practice (scheme − national rules)</text>')
    out.append(f'<text x="14" y="{top + plot_h / 2}" text-anchor="middle" class="axis" '
               f'transform="rotate(-90 14 {top + plot_h / 2})">practices</text>')
    out.append("</svg>")
    return Markup("".join(out))


def _clip(label: str, most: int = 44) -> str:
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def bars_svg(items: list[tuple[str, Decimal, str]], title: str, description: str,
             empty: str = "nothing to show") -> Markup:
    """One horizontal bar per item (label, value, key), left of the zero line for a loss and right
    for a gain. A label is shown clipped to fit beside the bars; its bar's tooltip has it whole,
    and ``key`` (a group code, a top-up's title) marks the bar for tests and scripts."""
    row, left, right, top = 24, 290, 110, 10
    height = top * 2 + row * max(len(items), 1) + 20
    plot_w = WIDTH - left - right
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
           f'class="chart" aria-labelledby="bars-title bars-desc">',
           f'<title id="bars-title">{escape(title)}</title><desc id="bars-desc">{escape(description)}</desc>']
    if not items:
        out.append(f'<text x="{WIDTH / 2}" y="{height / 2}" text-anchor="middle">{escape(empty)}</text></svg>')
        return Markup("".join(out))
    low = min(min(v for _, v, _ in items), Decimal(0))
    high = max(max(v for _, v, _ in items), Decimal(0))
    span = (high - low) or Decimal(1)
    zero = left + plot_w * float(-low / span)
    for i, (label, value, key) in enumerate(items):
        y = top + i * row
        x_end = left + plot_w * float((value - low) / span)
        x, w = min(zero, x_end), abs(x_end - zero)
        colour = GAIN_COLOUR if value > 0 else LOSS_COLOUR
        out.append(f'<text x="{left - 8}" y="{y + row / 2 + 4:.1f}" text-anchor="end" class="label">'
                   f'{escape(_clip(label))}</text>')
        out.append(f'<rect class="bar" x="{x:.1f}" y="{y + 4}" width="{max(w, 0.5):.1f}" height="{row - 8}" '
                   f'fill="{colour}" data-label="{escape(key)}" data-value="{value}">'
                   f'<title>{escape(label)}: {escape(pounds(value))}</title></rect>')
        anchor_x = max(zero, x_end) + 6
        out.append(f'<text x="{anchor_x:.1f}" y="{y + row / 2 + 4:.1f}" class="value">'
                   f'{"+" if value > 0 else ""}{escape(pounds(value))}</text>')
    bottom = top + row * len(items)
    out.append(f'<line x1="{zero:.1f}" y1="{top}" x2="{zero:.1f}" y2="{bottom}" stroke="{AXIS_COLOUR}"/>')
    out.append(f'<text x="{zero:.1f}" y="{bottom + 16}" text-anchor="middle" class="tick">£0</text>')
    out.append("</svg>")
    return Markup("".join(out))
