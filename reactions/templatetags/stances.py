"""Filters for reactions in the reader's templates: reaction chips, stance groups and shapes."""

from itertools import groupby

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

from reactions.models import Stance
from timeline.dates import known_date

register = template.Library()

STANCE_GLYPHS = {-2: "✖", -1: "▲", 0: "●", 1: "✚", 2: "✔"}
STANCE_WORDS = {value: str(label).lower() for value, label in Stance.choices}
# One reaction chip; every value is escaped or a number before it is put in. Its shape is
# drawn by the stylesheet from the chip's class (hidden from screen readers, which read the
# word): a year's timeline has two thousand chips, and the shapes' markup was a fifth of
# the page's bytes.
CHIP = (
    '<li class="chip stance-{stance}"><a href="{url}#statement-{pk}"><bdi>{actor}</bdi></a>: '
    '<a href="{methodology}#stance-{word}">{word}</a></li>'
)


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

    Built in one pass of plain string formatting, each value escaped once, rather than by a
    template loop or format_html: a year's timeline has thousands of chips, and they were
    most of its rendering time. The statements come from `explore.queries.story_details()`,
    each with its `actor_label`.
    """
    chips = one_per_actor(launch.statements.all())
    if not chips:
        return ""
    url = escape(url)
    methodology = escape(reverse("explore:methodology"))
    items = "".join(
        CHIP.format(
            stance=int(statement.stance),
            url=url,
            pk=int(statement.pk),
            actor=escape(statement.actor_label),
            methodology=methodology,
            word=STANCE_WORDS.get(statement.stance, ""),
        )
        for statement in chips
    )
    return mark_safe(f'<ul class="chips" aria-label="Reactions">{items}</ul>')


@register.simple_tag
def matrix_rows(rows):
    """The stance matrix's rows, (launch, [statements of each column's actor]) each, as the
    template loop over them wrote them: a launch's heading, then a cell per actor, naming
    the stance of each of its statements, or that it has none.

    Built as plain strings, each value escaped once: a year has thousands of cells, and the
    template loop was nine tenths of the page's time.
    """
    parts = []
    for launch, cells in rows:
        url = escape(launch.get_absolute_url())
        day = escape(known_date(launch.occurred_on, launch.date_precision, "j M"))
        parts.append(
            f'\n    <tr>\n      <th scope="row"><a href="{url}">{day}\n'
            f"        · {escape(launch.missile_class)}</a></th>\n      "
        )
        for statements in cells:
            stance = f' class="stance-cell-{int(statements[0].stance)}"' if statements else ""
            links = "<br>".join(
                f'<a\n          href="{url}#statement-{int(statement.pk)}"\n'
                f'          ><span class="glyph" aria-hidden="true">'
                f"{STANCE_GLYPHS.get(statement.stance, '')}</span>\n"
                f"          {STANCE_WORDS.get(statement.stance, '')}</a\n        >"
                for statement in statements
            )
            empty = (
                "" if statements else '<span\n          class="visually-hidden">no statement</span>'
            )
            parts.append(f"\n      <td{stance}\n        >{links}{empty}</td>\n      ")
        parts.append("\n    </tr>\n    ")
    return mark_safe("".join(parts))


@register.simple_tag
def stance_dots(points):
    """An actor's stance chart's dots (reactions.charts.Point), each titled with its day,
    each on the lines a template loop over them would write.

    Built as plain strings, each month's name written once ("j M Y" is the day, then "M Y"
    of its month): an actor's page has a dot for each of its thousands of statements, and
    the template loop was most of the page's time.
    """
    months = {}
    dots = []
    for point in points:
        month = point.day.replace(day=1)
        if month not in months:
            months[month] = escape(date_format(month, "M Y"))
        dots.append(
            f'\n      <circle class="dot stance-fill-{int(point.stance)}" cx="{float(point.cx)}" '
            f'cy="{float(point.cy)}" r="5">\n        <title>{point.day.day} {months[month]}'
            "</title>\n      </circle>\n      "
        )
    return mark_safe("".join(dots))


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
