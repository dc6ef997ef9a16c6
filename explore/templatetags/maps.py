"""The launch page's small map, drawn from the launch's own coordinates: no query."""

from django import template

from explore.maps import launch_site_map

register = template.Library()


@register.simple_tag
def site_map_of(launch):
    """The geometry of the map around the launch's site, or None when it has none to show."""
    return launch_site_map(launch)
