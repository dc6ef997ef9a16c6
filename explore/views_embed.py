"""The timeline for a newsroom's page: the embed itself, and its oEmbed description.

An embed is the timeline page's own query (views.timeline_page) in a compact template that
sets no cookie and names no user, so it is cached and shared like any public page. Only
embed addresses may be framed, by any site; every other response
keeps X-Frame-Options: DENY and frame-ancestors 'none' (core/framing.py).
"""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import JsonResponse, QueryDict
from django.urls import Resolver404, resolve, reverse
from django.utils.html import escape

from core.caching import reads
from reactions.filters import LaunchFilter

from . import views

EMBED_FILTERS = (*LaunchFilter.base_filters, "order")
# The iframe's size when the consumer sets no bound, and the smallest that stays readable.
DEFAULT_WIDTH, DEFAULT_HEIGHT = 640, 720
MIN_WIDTH, MIN_HEIGHT = 280, 240


@reads(*EMBED_FILTERS)
def embed_timeline(request):
    """The timeline in a compact layout, with the filters the timeline page takes."""
    return views.timeline_page(request, "explore/embed.html")


class OEmbedRefused(Exception):
    """The oEmbed request names no Salvo timeline or a size that cannot be read."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def _timeline_filters(url, request):
    """The timeline filters of `url`, a timeline page of this site; refused otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(_origin(request)).netloc:
        raise OEmbedRefused(f"{url!r} is not a page of this site.", status=404)
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        match = None
    if match is None or match.view_name not in ("explore:index", "explore:embed"):
        raise OEmbedRefused(f"{url!r} is not a timeline page: only timelines embed.", 404)
    asked = QueryDict(parts.query)
    return [(name, value) for name in EMBED_FILTERS for value in asked.getlist(name) if value]


def _origin(request):
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def _bound(request, name, default, smallest):
    value = request.GET.get(name, "")
    if not value:
        return default
    if not value.isdigit() or int(value) < smallest:
        raise OEmbedRefused(f"{name} must be a whole number of pixels, at least {smallest}.")
    return min(default, int(value))


@reads("url", "format", "maxwidth", "maxheight")
def oembed(request):
    """oEmbed (https://oembed.com) for timeline pages: a rich iframe of the embed."""
    try:
        if request.GET.get("format", "json") != "json":
            raise OEmbedRefused("Only the json format is served.", status=501)
        url = request.GET.get("url", "")
        if not url:
            raise OEmbedRefused("url is required: the timeline page to embed.")
        filters = _timeline_filters(url, request)
        width = _bound(request, "maxwidth", DEFAULT_WIDTH, MIN_WIDTH)
        height = _bound(request, "maxheight", DEFAULT_HEIGHT, MIN_HEIGHT)
    except OEmbedRefused as refused:
        return JsonResponse({"detail": str(refused)}, status=refused.status)
    origin = _origin(request)
    src = origin + reverse("explore:embed") + (f"?{urlencode(filters)}" if filters else "")
    title = "Salvo: missile launches and reactions"
    html = (
        f'<iframe src="{escape(src)}" width="{width}" height="{height}" '
        f'title="{escape(title)}" loading="lazy" style="border:1px solid #ccc"></iframe>'
    )
    return JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "title": title,
            "provider_name": "Salvo",
            "provider_url": origin + "/",
            "html": html,
            "width": width,
            "height": height,
        }
    )
