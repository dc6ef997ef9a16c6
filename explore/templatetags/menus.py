"""The timeline's menus, built as one string each: the actor menu alone has a few hundred
options, which the template language took about a third of the timeline's rendering to loop
over, with a variable lookup and an `{% if %}` per option; the years, sixty-odd links."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def options(choices, selected="", auto_direction=False):
    """`<option>` elements for (value, label) `choices`, the one whose value is `selected`
    marked so; `auto_direction` for labels in any script (actors' names)."""
    direction = ' dir="auto"' if auto_direction else ""
    selected = str(selected)
    lines = []
    for value, label in choices:
        marked = " selected" if str(value) == selected else ""
        lines.append(
            f'\n<option value="{escape(str(value))}"{direction}{marked}>'
            f"{escape(str(label))}</option>"
        )
    return mark_safe("".join(lines))


@register.simple_tag
def year_items(links, current):
    """A list item for each (year, query string) of `links`, the `current` year's marked as
    the page's."""
    lines = []
    for year, link in links:
        marked = ' aria-current="page"' if year == current else ""
        lines.append(f'\n<li><a href="{escape(link)}"{marked}>{year}</a></li>')
    return mark_safe("".join(lines))
