"""The REST API, mounted at /api/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from core.api import not_found
from core.api_docs import DocsView
from desk import api as desk_api
from explore import api as explore_api
from reactions import api as reactions_api
from timeline import api as timeline_api

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
    path("v1/sites/", explore_api.SitesView.as_view(), name="sites"),
    path("v1/deletions/", explore_api.DeletionsView.as_view(), name="deletions"),
    path("v1/extractions/", desk_api.ExtractionView.as_view(), name="extractions"),
    path("v1/webhooks/", include("webhooks.api_urls")),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
    re_path(r"^.*$", not_found),
]
