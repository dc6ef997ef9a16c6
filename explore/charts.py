"""Geometry for the charts page's SVG, drawn on the server (see reactions.charts).

Functions take plain rows and return numbers a template turns into SVG elements with
classes (never style attributes: the Content-Security-Policy forbids inline styles).
"""

import itertools
from dataclasses import dataclass, field

from reactions.charts import Tick
from timeline.models import MissileClass


@dataclass
class Bar:
    label: str
    total: int
    x: float
    center: float
    segments: list = field(default_factory=list)


@dataclass
class Segment:
    key: str
    label: str
    count: int
    y: float
    height: float


def nice_ceiling(value):
    """The smallest of 5, 10, 20, 50, 100, 200… that is at least `value`."""
    for power in itertools.count():
        for unit in (1, 2, 5):
            if unit * 10**power >= max(value, 5):
                return unit * 10**power


def launches_per_year(rows, *, width=640, height=260, margin=36):
    """Stacked bars of launches per year by missile class, from rows of year, class, count."""
    years = sorted({row["year"] for row in rows})
    counts = {(row["year"], row["missile_class"]): row["count"] for row in rows}
    classes = [key for key in MissileClass.values if any(k[1] == key for k in counts)]
    labels = dict(MissileClass.choices)
    top = nice_ceiling(max((sum(counts.get((y, c), 0) for c in classes) for y in years), default=1))
    plot_height = height - 2 * margin
    slot = (width - 2 * margin) / max(len(years), 1)
    bars = []
    for index, year in enumerate(years):
        x = margin + index * slot + slot * 0.2
        bar = Bar(label=str(year), total=0, x=round(x, 1), center=round(x + slot * 0.3, 1))
        base = height - margin
        for key in classes:
            count = counts.get((year, key), 0)
            if not count:
                continue
            segment_height = plot_height * count / top
            base -= segment_height
            bar.segments.append(Segment(key, labels[key], count, round(base, 1), segment_height))
            bar.total += count
        bars.append(bar)
    ticks = [
        Tick(str(value), round(height - margin - plot_height * value / top, 1))
        for value in range(0, top + 1, max(top // 5, 1))
    ]
    table = [(labels[key], [counts.get((year, key), 0) for year in years]) for key in classes]
    return {
        "years": years,
        "table": table,
        "width": width,
        "height": height,
        "margin": margin,
        "bar_width": round(slot * 0.6, 1),
        "bars": bars,
        "ticks": ticks,
        "legend": [(key, labels[key]) for key in classes],
        "baseline": height - margin,
        "right": width - margin,
    }
