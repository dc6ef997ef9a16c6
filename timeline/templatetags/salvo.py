"""Filters the reader-facing templates share: latencies and claims (stances: reactions')."""

import datetime

from django import template
from django.utils.html import format_html

register = template.Library()


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
    isolated, so that right-to-left text in one cannot reorder the other."""
    if not claim.claimant or claim.claimant in claim.value_text:
        return format_html("<bdi>{}</bdi>", claim.value_text)
    return format_html("<bdi>{}</bdi> (<bdi>{}</bdi>)", claim.value_text, claim.claimant)
