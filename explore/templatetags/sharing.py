"""The absolute address of the page being read, for the metadata that sharing and
crawling read (OpenGraph, Twitter cards, the canonical link)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context):
    """This page's absolute address, with the query string it was asked with (a year of the
    timeline is its own page); empty where there is no request (the server error page)."""
    request = context.get("request")
    return request.build_absolute_uri() if request is not None else ""
