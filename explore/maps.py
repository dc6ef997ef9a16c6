"""Launch sites: the published launches grouped by their coordinates, and where each falls on
the map (explore/geography.py) that the map page and the launch page draw on the server."""

import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.templatetags.static import static
from django.urls import reverse

from . import geography

BASEMAP = "map/korea.svg"
# The launch page shows this much of the map around its site, in the map's pixels.
DETAIL_WIDTH, DETAIL_HEIGHT = 300, 225


def degrees(value):
    """A coordinate as plain decimal text, without the stored trailing zeros: 39.22, 125.5."""
    return format(value.normalize(), "f")


@dataclass
class Site:
    latitude: object
    longitude: object
    names: list = field(default_factory=list)
    launches: int = 0
    first: object = None
    last: object = None

    @property
    def name(self):
        """The name most launches from here were reported under."""
        return self.names[0]

    @property
    def key(self):
        return f"{degrees(self.latitude)},{degrees(self.longitude)}"

    @property
    def timeline_url(self):
        return f"{reverse('explore:index')}?{urlencode({'site': self.key})}"


def sites(rows):
    """Sites from Launch.objects.for_sites() rows, the busiest first; each site's names
    ordered by how many launches were reported under them."""
    found = {}
    for row in rows:
        key = (row["site_latitude"], row["site_longitude"])
        site = found.setdefault(key, Site(*key, names=[]))
        site.names.append((row["count"], row["launch_site"]))
        site.launches += row["count"]
        site.first = min(filter(None, (site.first, row["first"])))
        site.last = max(filter(None, (site.last, row["last"])))
    for site in found.values():
        ordered = sorted(site.names, key=lambda pair: (-pair[0], pair[1]))
        site.names = [name for _, name in ordered if name] or ["Unnamed site"]
    return sorted(found.values(), key=lambda site: (-site.launches, site.name))


@dataclass
class Marker:
    site: Site
    x: float
    y: float
    radius: float


def radius(launches):
    """A circle whose area grows with the number of launches, never too small to see."""
    return round(3 + 2.2 * math.sqrt(launches), 1)


def site_map(found):
    """The map page's geometry: markers for the sites inside the frame (largest drawn first,
    so a small site is never hidden under a large one), the sites outside it, the labels."""
    markers = [
        Marker(site, *geography.project(site.longitude, site.latitude).__dict__.values(), 0)
        for site in found
        if geography.within(site.longitude, site.latitude)
    ]
    for marker in markers:
        marker.radius = radius(marker.site.launches)
    markers.sort(key=lambda marker: -marker.radius)
    return {
        "view_box": fit(markers),
        "width": geography.WIDTH,
        "height": geography.HEIGHT,
        "basemap": static(BASEMAP),
        "markers": markers,
        "outside": [site for site in found if not geography.within(site.longitude, site.latitude)],
        "labels": place_labels(),
    }


def place_labels():
    """(name, point, "land" or "sea") for the names of countries and seas over the map."""
    return [
        (name, geography.project(longitude, latitude), kind)
        for name, longitude, latitude, kind in geography.PLACE_LABELS
    ]


def fit(markers, *, padding=50, least=380):
    """A view box around the markers, with room around them, at least `least` pixels wide and
    in the map's proportions, within the map: the sites as large as a phone can show them."""
    if not markers:
        return f"0 0 {geography.WIDTH} {geography.HEIGHT}"
    left = min(m.x - m.radius for m in markers) - padding
    right = max(m.x + m.radius for m in markers) + padding
    top = min(m.y - m.radius for m in markers) - padding
    bottom = max(m.y + m.radius for m in markers) + padding
    ratio = geography.HEIGHT / geography.WIDTH
    width = min(max(right - left, (bottom - top) / ratio, least), geography.WIDTH)
    height = width * ratio
    x = min(max((left + right - width) / 2, 0), geography.WIDTH - width)
    y = min(max((top + bottom - height) / 2, 0), geography.HEIGHT - height)
    return f"{x:.0f} {y:.0f} {width:.0f} {height:.0f}"


def launch_site_map(launch):
    """The launch page's small map: the part of the map around its site, or None when the
    launch has no coordinates or they fall outside the map."""
    latitude, longitude = launch.site_latitude, launch.site_longitude
    if latitude is None or longitude is None or not geography.within(longitude, latitude):
        return None
    point = geography.project(longitude, latitude)
    left = min(max(point.x - DETAIL_WIDTH / 2, 0), geography.WIDTH - DETAIL_WIDTH)
    top = min(max(point.y - DETAIL_HEIGHT / 2, 0), geography.HEIGHT - DETAIL_HEIGHT)
    site = Site(latitude, longitude, names=[launch.launch_site or "Unnamed site"])
    return {
        "view_box": f"{left:g} {top:g} {DETAIL_WIDTH} {DETAIL_HEIGHT}",
        "width": geography.WIDTH,
        "height": geography.HEIGHT,
        "basemap": static(BASEMAP),
        "point": point,
        "site": site,
        "labels": place_labels(),
    }
