"""Filters for reactions in the reader's templates: reaction chips, stance groups and shapes."""

from itertools import groupby

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from reactions.models import Stance

register = template.Library()

STANCE_GLYPHS = {-2: "✖", -1: "▲", 0: "●", 1: "✚", 2: "✔"}
STANCE_WORDS = {value: str(label).lower() for value, label in Stance.choices}


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


@register.simple_tag
def reaction_chips(launch, url):
    """A launch card's row of reactions: one chip per actor, its stance as a shape, a word
    and a colour; the actor links to the statement on the launch page, the stance's word
    to its definition.

    Built in one pass rather than by a template loop: a year's timeline has thousands of
    chips, and they were most of its rendering time. The statements come from
    `explore.queries.timeline_launches()`, each with its `actor_label`.
    """
    chips = one_per_actor(launch.statements.all())
    if not chips:
        return ""
    methodology = reverse("explore:methodology")
    return format_html(
        '<ul class="chips" aria-label="Reactions">{}</ul>',
        format_html_join(
            "",
            '<li class="chip stance-{}"><a href="{}#statement-{}"><span class="glyph" '
            'aria-hidden="true">{}</span> <bdi>{}</bdi></a>: '
            '<a class="stance-word" href="{}#stance-{}">{}</a></li>',
            (
                (
                    statement.stance,
                    url,
                    statement.pk,
                    STANCE_GLYPHS.get(statement.stance, ""),
                    statement.actor_label,
                    methodology,
                    STANCE_WORDS.get(statement.stance, ""),
                    STANCE_WORDS.get(statement.stance, ""),
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
    """A shape for a stance, so that colour is never the only cue; the stance as a number or
    as the text a form's choices hold ("-2")."""
    try:
        return STANCE_GLYPHS.get(int(stance), "")
    except (TypeError, ValueError):
        return ""
