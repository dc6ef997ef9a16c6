"""Filters the reader-facing templates share: latencies and claims (stances: reactions')."""

import datetime
import re

from django import template
from django.utils.html import format_html

from timeline import dates
from timeline.names import (
    claimant_name,
    class_words,
    official_name,
    state_name,
    without_internal_labels,
)

register = template.Library()

# What a stated value says besides its number: "~700 (JCS)" -> "~700".
CLAIMANT_PART = re.compile(r"\s*\(.*\)\s*$")


@register.filter
def latency(value):
    """A time since the launch as "+3 h 10 min", "+2 d 4 h" or "+25 min"."""
    if not isinstance(value, datetime.timedelta):
        return ""
    minutes = int(value.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    days, rest = divmod(abs(minutes), 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes} min"
    return f"{sign}{minutes} min"


@register.filter
def claims_of(launch, attribute):
    """The launch's prefetched claims about one figure ("distance", "apogee"…), in order."""
    return [claim for claim in launch.claims.all() if claim.attribute == attribute]


@register.filter
def claim_text(claim):
    """The value as stated, with who stated it unless the value already names them; each
    isolated, so that right-to-left text in one cannot reorder the other. Claimants are
    named as readers know them (timeline.names), never by an internal label."""
    value = without_internal_labels(claim.value_text)
    if not claim.claimant or claim.claimant in claim.value_text:
        return format_html("<bdi>{}</bdi>", value)
    return format_html("<bdi>{}</bdi> (<bdi>{}</bdi>)", value, claimant_name(claim.claimant))


@register.filter
def headline_figure(launch, attribute):
    """The launch's best value for a figure as its claim states it, qualifier kept: "about
    700" for a best value claimed as "~700 (JCS)"; the bare number when no claim gives it.
    Empty when the figure is not known."""
    best = getattr(launch, f"{attribute}_km", None)
    if best is None:
        return ""
    for claim in launch.claims.all():
        if claim.attribute == attribute and claim.value == best and claim.value_max is None:
            stated = CLAIMANT_PART.sub("", without_internal_labels(claim.value_text)).strip()
            if stated:
                return re.sub(r"^~\s*", "about ", stated)
    return f"{best.normalize():f}"


@register.filter
def state(code):
    """A state's name from its ISO code: "North Korea" for KP."""
    return state_name(code)


@register.filter
def official_state(code):
    """A state's official name where it differs from its short one, else ""."""
    return official_name(code)


@register.filter
def missile_class_words(missile_class):
    """A missile class as running text names it: "SRBM", "cruise missile"."""
    return class_words(missile_class)


@register.simple_tag
def known_date(day, precision, fmt="j F Y"):
    """A date as far as it is known: `{% known_date launch.occurred_on launch.date_precision
    "j M Y" %}` reads "6 Mar 2017", "Sep 1984" or "1984" (see timeline.dates)."""
    return dates.known_date(day, precision, fmt)


@register.simple_tag
def iso_known_date(day, precision):
    """The `datetime` attribute of a `<time>` for a date as far as it is known."""
    return dates.iso_known_date(day, precision)
