"""What a web worker builds at its start, before its first request.

Built lazily, the URL configuration (importing every view), the API's query parameters
(core.schema, from the OpenAPI schema) and the compiled templates each stalled the first
request that needed them: on a launch-day run, the first API request and the first page each
worker rendered after a publish waited up to half a second while readers queued behind it.
"""

import logging
from pathlib import Path

from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver

from .schema import query_parameters

logger = logging.getLogger(__name__)


def prepare_process():
    resolver = get_resolver()
    resolver.reverse_dict  # noqa: B018 - imports every view, and indexes the names reverse() finds
    query_parameters()
    engine = engines["django"]
    for folder in engine.engine.dirs:  # the site's own templates; the admin's are its own
        for path in sorted(Path(folder).rglob("*.html")):
            name = path.relative_to(folder).as_posix()
            if name.startswith("admin/"):
                continue
            try:
                engine.get_template(name)  # compiled, and kept by the cached loader
            except (TemplateDoesNotExist, TemplateSyntaxError):
                logger.exception("template %s could not be compiled", name)
