"""Geometry for the small SVG charts the pages draw on the server.

Functions take plain rows and return numbers a template turns into SVG elements with
classes (never style attributes: the Content-Security-Policy forbids inline styles).
"""

import datetime
from dataclasses import dataclass


@dataclass
class Tick:
    label: str
    position: float


@dataclass
class Point:
    cx: float
    cy: float
    stance: int
    day: datetime.date


def stance_over_time(rows, *, width=480, height=180, margin=84):
    """Dots for each statement's stance (-2 to +2) against its launch's day, from rows of
    launch__occurred_on and stance."""
    if not rows:
        return None
    days = [row["launch__occurred_on"] for row in rows]
    first, last = min(days), max(days)
    first = datetime.date(first.year, 1, 1)
    last = datetime.date(last.year + 1, 1, 1)
    span = (last - first).days
    plot_width, plot_height = width - margin - 12, height - 2 * 20

    def x(day):
        return round(margin + plot_width * (day - first).days / span, 1)

    def y(stance):
        return round(12 + plot_height * (2 - stance) / 4, 1)

    return {
        "width": width,
        "height": height,
        "left": margin,
        "right": width - 12,
        "points": [
            Point(
                x(row["launch__occurred_on"]),
                y(row["stance"]),
                row["stance"],
                row["launch__occurred_on"],
            )
            for row in rows
        ],
        "levels": [
            Tick(label, y(stance))
            for stance, label in ((2, "defends"), (0, "neutral"), (-2, "condemns"))
        ],
        "years": [
            Tick(str(year), x(datetime.date(year, 7, 1))) for year in range(first.year, last.year)
        ],
        "boundaries": [x(datetime.date(year, 1, 1)) for year in range(first.year, last.year + 1)],
        "bottom": height - 2,
    }
