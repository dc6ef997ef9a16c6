"""The "Cite this" block of a launch, event or statement page (templates/includes/_cite.html)."""

from django import template

from explore.citation import LICENCE, LICENCE_URL, change_log, cite, permanent_path

register = template.Library()


@register.simple_tag(takes_context=True)
def cite_this(context, record):
    """The record's citation in three formats, its licence and its public change log, newest
    change first. Reads the record's history in a fixed number of queries, whatever its length."""
    log = change_log(record)
    url = context["request"].build_absolute_uri(permanent_path(record))
    return {
        "citation": cite(record, url=url, log=log),
        "changes": log[::-1],
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
    }
