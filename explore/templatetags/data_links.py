"""Links from a page to its own data: CSV, JSON and the API; and the oEmbed discovery link."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html

from reactions.models import Actor
from timeline.models import Event, Launch

register = template.Library()


def _data_urls(record, year):
    """(JSON URL, CSV URL) of the API's answer holding what a page shows."""
    if isinstance(record, Launch):
        url = reverse("launch-detail", args=[record.slug])
        query = {"expand": "statements,links"}
    elif isinstance(record, Event):
        url, query = reverse("event-detail", args=[record.slug]), {}
    elif isinstance(record, Actor):
        url, query = reverse("statement-list"), {"actor": record.code}
    else:
        url, query = reverse("launch-list"), ({"year": year} if year else {})
    return (
        f"{url}?{urlencode(query)}" if query else url,
        f"{url}?{urlencode({**query, 'format': 'csv'})}",
    )


@register.inclusion_tag("includes/_formats.html")
def data_formats(record=None, year=None):
    """The format links of a launch, event or actor page, or of a year of the timeline."""
    json_url, csv_url = _data_urls(record, year)
    return {"csv": csv_url, "json": json_url, "api": reverse("api-docs")}


@register.simple_tag(takes_context=True)
def oembed_discovery(context):
    """The <link> by which an oEmbed consumer finds how to embed this timeline page."""
    request = context["request"]
    page = request.build_absolute_uri()
    href = (
        request.build_absolute_uri(reverse("explore:oembed"))
        + "?"
        + urlencode({"url": page, "format": "json"})
    )
    return format_html(
        '<link rel="alternate" type="application/json+oembed" href="{}" title="{}">',
        href,
        "Embed this timeline",
    )
