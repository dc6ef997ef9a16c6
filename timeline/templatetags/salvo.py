"""Filters the reader-facing templates share: latencies, reaction chips, stance groups."""

import datetime
import functools
from itertools import groupby

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

STANCE_GLYPHS = {-2: "✖", -1: "▲", 0: "●", 1: "✚", 2: "✔"}


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
def one_per_actor(statements):
    """The first statement of each actor, in the order given: one reaction chip per actor."""
    seen = set()
    first = []
    for statement in statements:
        if statement.actor_id not in seen:
            seen.add(statement.actor_id)
            first.append(statement)
    return first


@functools.cache
def _stance_word(model, stance):
    """The word for a stance, as the statement's own choices name it, worked out once."""
    return str(model(stance=stance).get_stance_display()).lower()


@register.simple_tag
def reaction_chips(launch, url):
    """A launch card's row of reactions: one chip per actor, its stance as a shape, a word
    and a colour, linking to the statement on the launch page.

    Built in one pass rather than by a template loop: a year's timeline has thousands of
    chips, and they were most of its rendering time. The statements come from
    `Launch.objects.for_timeline()`, each with its `actor_label`.
    """
    chips = one_per_actor(launch.statements.all())
    if not chips:
        return ""
    return format_html(
        '<ul class="chips" aria-label="Reactions">{}</ul>',
        format_html_join(
            "",
            '<li class="chip stance-{}"><a href="{}#statement-{}"><span class="glyph" '
            'aria-hidden="true">{}</span> <bdi>{}</bdi>: {}</a></li>',
            (
                (
                    statement.stance,
                    url,
                    statement.pk,
                    STANCE_GLYPHS.get(statement.stance, ""),
                    statement.actor_label,
                    _stance_word(type(statement), statement.stance),
                )
                for statement in chips
            ),
        ),
    )


@register.filter
def by_stance(statements):
    """(stance label, statements) pairs from most critical to most supportive."""
    ordered = sorted(statements, key=lambda statement: statement.stance)
    return [
        (group[0].get_stance_display(), group)
        for group in (list(items) for _, items in groupby(ordered, key=lambda s: s.stance))
    ]


@register.filter
def stance_glyph(stance):
    """A shape for a stance, so that colour is never the only cue."""
    return STANCE_GLYPHS.get(stance, "")


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
