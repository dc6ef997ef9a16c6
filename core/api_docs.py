"""The API's interactive docs and the schema's word on tokens."""

from django.template.loader import get_template
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


class DocsPageRenderer(renderers.TemplateHTMLRenderer):
    """drf-spectacular's Swagger UI page, as core/api_docs.html writes it: a language, Swagger
    UI's colours darkened to readable contrast, its fields named (static/core/api_docs.js),
    and its one inline stylesheet under the CSP nonce."""

    def resolve_template(self, template_names):
        if template_names == [SpectacularSwaggerSplitView.template_name]:
            return get_template("core/api_docs.html")
        return super().resolve_template(template_names)


class DocsView(SpectacularSwaggerSplitView):
    """Interactive docs, assets served from this site: the page and its script load separately."""

    renderer_classes = [DocsPageRenderer]
    throttle_classes = []
