"""Where a longitude and latitude fall on Salvo's map of the Korean peninsula.

The base map (`static/map/korea.svg`, drawn by `scripts/build-map` from Natural Earth's
coastlines and borders) and the sites the pages draw over it share this one projection,
so a site lands where the coast says it is. An equirectangular projection with its
standard parallel through the middle of the frame: over eleven degrees of latitude it
bends shapes less than the rounding of the pixels, and it needs no library.
"""

import math
from dataclasses import dataclass

# The frame: the peninsula with the coasts of China, Russia and Japan around it, far
# enough east to show where launches into the East Sea come down.
WEST, EAST, SOUTH, NORTH = 119.5, 134.5, 33.0, 43.5
WIDTH = 640
PARALLEL = math.cos(math.radians((SOUTH + NORTH) / 2))
SCALE = WIDTH / ((EAST - WEST) * PARALLEL)
HEIGHT = round((NORTH - SOUTH) * SCALE)

# Names over the map, placed by hand where each body of land or water shows most.
PLACE_LABELS = (
    ("North Korea", 127.75, 41.3, "land"),
    ("South Korea", 127.9, 37.3, "land"),
    ("China", 124.2, 41.6, "land"),
    ("Russia", 132.6, 43.2, "land"),
    ("Japan", 133.0, 34.7, "land"),
    ("East Sea", 129.6, 39.3, "sea"),
    ("Yellow Sea", 124.0, 37.6, "sea"),
)


@dataclass(frozen=True)
class Point:
    x: float
    y: float


def project(longitude, latitude):
    """The point of the map, in pixels from its top left, for a longitude and latitude."""
    x = (float(longitude) - WEST) * PARALLEL * SCALE
    y = (NORTH - float(latitude)) * SCALE
    return Point(round(x, 1), round(y, 1))


def within(longitude, latitude):
    """Whether the map shows this place (sites outside the frame are listed, not drawn)."""
    return WEST <= float(longitude) <= EAST and SOUTH <= float(latitude) <= NORTH
