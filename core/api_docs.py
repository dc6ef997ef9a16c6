"""The API's interactive docs and the schema's word on tokens."""

from django.template import engines
from drf_spectacular.authentication import TokenScheme
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import permissions, renderers


class OptionalTokenScheme(TokenScheme):
    """Reads need no token: the schema says so, so clients and fuzzers need not send one."""

    priority = 1

    def get_security_requirement(self, auto_schema):
        if auto_schema.method in permissions.SAFE_METHODS:
            return [{self.name: []}, {}]
        return {self.name: []}


DOCS_PAGE = """{% extends "drf_spectacular/swagger_ui.html" %}
{% block head %}
<title>{{ title }}</title>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{% if favicon_href %}<link rel="icon" href="{{ favicon_href }}">{% endif %}
<link rel="stylesheet" href="{{ swagger_ui_css }}">
<style nonce="{{ csp_nonce }}">
  html { box-sizing: border-box; overflow-y: scroll; }
  *, *:after, *:before { box-sizing: inherit; }
  body { background: #fafafa; margin: 0; }
</style>
{% endblock head %}
"""


class DocsPageRenderer(renderers.TemplateHTMLRenderer):
    """drf-spectacular's Swagger UI page with its one inline stylesheet under the CSP nonce."""

    def resolve_template(self, template_names):
        if template_names == [SpectacularSwaggerSplitView.template_name]:
            return engines["django"].from_string(DOCS_PAGE)
        return super().resolve_template(template_names)


class DocsView(SpectacularSwaggerSplitView):
    """Interactive docs, assets served from this site: the page and its script load separately."""

    renderer_classes = [DocsPageRenderer]
    throttle_classes = []
