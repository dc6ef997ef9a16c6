"""The REST API, mounted at /api/."""

from django.template import engines
from django.urls import include, path, re_path
from drf_spectacular.authentication import TokenScheme
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import permissions, renderers
from rest_framework.routers import DefaultRouter

from core.api import not_found
from explore import api as explore_api
from reactions import api as reactions_api
from timeline import api as timeline_api


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


router = DefaultRouter()
router.register("launches", explore_api.LaunchViewSet, basename="launch")
router.register("claims", timeline_api.ClaimViewSet, basename="claim")
router.register("events", timeline_api.EventViewSet, basename="event")
router.register("links", timeline_api.LinkViewSet, basename="link")
router.register("sources", explore_api.SourceViewSet, basename="source")
router.register("actors", reactions_api.ActorViewSet, basename="actor")
router.register("speakers", reactions_api.SpeakerViewSet, basename="speaker")
router.register("statements", reactions_api.StatementViewSet, basename="statement")

urlpatterns = [
    path("v1/timeline/", explore_api.TimelineView.as_view(), name="timeline"),
    path("v1/stats/", explore_api.StatsView.as_view(), name="stats"),
    path("v1/deletions/", explore_api.DeletionsView.as_view(), name="deletions"),
    path("v1/webhooks/", include("webhooks.api_urls")),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
    re_path(r"^.*$", not_found),
]
