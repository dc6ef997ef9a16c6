"""Geometry for the charts page's SVG, drawn on the server (see reactions.charts).

Functions take plain rows and return numbers a template turns into SVG elements with
classes (never style attributes: the Content-Security-Policy forbids inline styles), and
the table each chart is drawn from.

Launches are counted as launch events (timeline.counting.LAUNCH_EVENTS, as the JCS counts): a
salvo of several missiles fired together is one launch, whatever its missile count. A launch
known only to the month counts in its month; one known only to the year in its year, and in
the per-month chart under "month unknown".
"""

import datetime
import itertools
import statistics
from dataclasses import dataclass, field

from reactions.charts import Tick
from reactions.models import Stance
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


# Column headings short enough for a phone, each with the full name in its <abbr> title.
SHORT_CLASS_NAMES = {
    "cruise": "Cruise",
    "hypersonic_glide": "HGV",
    "slv": "SLV",
    "artillery_rocket": "Artillery",
    "unknown": "Unknown",
}


def months_between(first, last):
    """The first day of every month from `first`'s to `last`'s, both included."""
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def launches_per_month(rows, *, width=640, height=240, margin=36):
    """Stacked bars of launches per month by missile class, every month from the first
    launch's to the last's (a month without launches is a gap, not missing), from rows of
    month (its first day, or None when only the year is known), year, missile_class and count;
    the launches whose month is unknown are counted per year under `month_unknown`."""
    if not rows:
        return None
    month_unknown = {}
    for row in rows:
        if row["month"] is None:
            month_unknown[row["year"]] = month_unknown.get(row["year"], 0) + row["count"]
    rows = [row for row in rows if row["month"] is not None]
    if not rows:
        return {"bars": [], "table": [], "month_unknown": sorted(month_unknown.items())}
    counts = {(row["month"], row["missile_class"]): row["count"] for row in rows}
    months = list(months_between(min(m for m, _ in counts), max(m for m, _ in counts)))
    classes = [key for key in MissileClass.values if any(k[1] == key for k in counts)]
    labels = dict(MissileClass.choices)
    totals = [sum(counts.get((month, key), 0) for key in classes) for month in months]
    top = nice_ceiling(max(totals))
    plot_height = height - 2 * margin
    slot = (width - 2 * margin) / len(months)
    bars = []
    for index, month in enumerate(months):
        x = margin + index * slot + slot * 0.1
        bar = Bar(label=month.strftime("%b %Y"), total=0, x=round(x, 1), center=0)
        base = height - margin
        for key in classes:
            count = counts.get((month, key), 0)
            if count:
                segment_height = plot_height * count / top
                base -= segment_height
                bar.segments.append(
                    Segment(key, labels[key], count, round(base, 1), segment_height)
                )
                bar.total += count
        bars.append(bar)
    years = [
        Tick(str(month.year), round(margin + index * slot, 1))
        for index, month in enumerate(months)
        if month.month == 1 or index == 0
    ]
    step = max(top // 4, 1)
    return {
        "width": width,
        "height": height,
        "margin": margin,
        "bar_width": round(slot * 0.8, 2),
        "bars": bars,
        "years": years,
        "ticks": [
            Tick(str(value), round(height - margin - plot_height * value / top, 1))
            for value in range(0, top + 1, step)
        ],
        "legend": [(key, labels[key]) for key in classes],
        "classes": [(SHORT_CLASS_NAMES.get(key, key), labels[key]) for key in classes],
        "table": [
            (month, [counts.get((month, key), 0) for key in classes], total)
            for month, total in zip(months, totals, strict=True)
            if total
        ],
        "month_unknown": sorted(month_unknown.items()),
        "baseline": height - margin,
        "right": width - margin,
    }


STANCES = [(value, label) for value, label in sorted(Stance.choices)]


@dataclass
class StanceCell:
    count: int
    segments: list = field(default_factory=list)


def stances_per_actor(rows, *, actors=8, width=480, label_width=130, row_height=30):
    """For the actors that spoke most, a row per actor and a cell per year: a bar of its
    statements that year, split by stance, on one scale for every cell. From rows of
    actor__code, actor_label, year, stance and count."""
    if not rows:
        return None
    per_actor, names = {}, {}
    for row in rows:
        code = row["actor__code"]
        names[code] = row["actor_label"]
        cells = per_actor.setdefault(code, {})
        cells.setdefault(row["year"], {})[row["stance"]] = row["count"]
    years = sorted({row["year"] for row in rows})
    spoke = {
        code: sum(sum(c.values()) for c in cells.values()) for code, cells in per_actor.items()
    }
    shown = sorted(per_actor, key=lambda code: (-spoke[code], names[code]))[:actors]
    column = (width - label_width) / len(years)
    top = max(sum(per_actor[code].get(year, {}).values()) for code in shown for year in years)
    lines = []
    for index, code in enumerate(shown):
        cells = []
        for year_index, year in enumerate(years):
            counts = per_actor[code].get(year, {})
            cell = StanceCell(count=sum(counts.values()))
            x = label_width + year_index * column + 4
            for stance, label in STANCES:
                if counts.get(stance):
                    length = (column - 12) * counts[stance] / top
                    cell.segments.append(
                        (stance, label, counts[stance], round(x, 1), round(length, 1))
                    )
                    x += length
            cells.append(cell)
        lines.append(
            {"code": code, "name": names[code], "y": 28 + index * row_height, "cells": cells}
        )
    return {
        "width": width,
        "height": 28 + len(shown) * row_height + 4,
        "label_width": label_width,
        "row_height": row_height,
        "bar_height": row_height - 12,
        "years": [
            Tick(str(year), round(label_width + (index + 0.5) * column, 1))
            for index, year in enumerate(years)
        ],
        "boundaries": [round(label_width + index * column, 1) for index in range(len(years) + 1)],
        "rows": lines,
        "stances": STANCES,
        "table": [
            (names[code], year, [per_actor[code][year].get(s, 0) for s, _ in STANCES])
            for code in shown
            for year in years
            if year in per_actor[code]
        ],
        "others": len(per_actor) - len(shown),
    }


@dataclass
class Delay:
    name: str
    launches: int
    median: float
    longest: int
    same_day: int
    y: float = 0
    x_median: float = 0
    x_longest: float = 0


def first_reaction_delays(rows, *, width=480, label_width=130, row_height=28, margin=28):
    """Per actor, the days from a launch (its local day) to the actor's first statement on
    it: the median as a dot, the longest as the end of its line. A statement dated the day
    before the launch's local day (the same moment, west of Korea) counts as day 0. From rows
    of actor__code, actor_label, launch__occurred_on and first."""
    if not rows:
        return None
    days, names = {}, {}
    for row in rows:
        names[row["actor__code"]] = row["actor_label"]
        gap = max((row["first"] - row["launch__occurred_on"]).days, 0)
        days.setdefault(row["actor__code"], []).append(gap)
    delays = sorted(
        (
            Delay(
                name=names[code],
                launches=len(gaps),
                median=statistics.median(gaps),
                longest=max(gaps),
                same_day=sum(gap == 0 for gap in gaps),
            )
            for code, gaps in days.items()
        ),
        key=lambda delay: (delay.median, -delay.launches, delay.name),
    )
    top = nice_ceiling(max(delay.longest for delay in delays))
    plot_width = width - label_width - margin

    def x(day):
        return round(label_width + plot_width * day / top, 1)

    for index, delay in enumerate(delays):
        delay.y = margin + index * row_height + row_height / 2
        delay.x_median, delay.x_longest = x(delay.median), x(delay.longest)
    step = max(top // 5, 1)
    return {
        "width": width,
        "height": margin + len(delays) * row_height + 8,
        "left": label_width,
        "right": width - margin,
        "top": margin - 6,
        "bottom": margin + len(delays) * row_height,
        "ticks": [Tick(str(day), x(day)) for day in range(0, top + 1, step)],
        "delays": delays,
    }
