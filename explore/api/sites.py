"""Launch sites as GeoJSON (RFC 7946): a FeatureCollection of points, one per site's
coordinates, counting its published launches."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ConditionalGetMixin
from core.renderers import JSONRenderer
from editorial.api import READ_ERRORS
from explore import maps
from timeline.models import Launch

SiteFeatureCollection = inline_serializer(
    "SiteFeatureCollection",
    {
        "type": serializers.ChoiceField(choices=["FeatureCollection"]),
        "features": inline_serializer(
            "SiteFeature",
            {
                "type": serializers.ChoiceField(choices=["Feature"]),
                "id": serializers.CharField(help_text='"latitude,longitude", as ?site= takes it.'),
                "geometry": inline_serializer(
                    "SitePoint",
                    {
                        "type": serializers.ChoiceField(choices=["Point"]),
                        "coordinates": serializers.ListField(
                            child=serializers.FloatField(),
                            min_length=2,
                            max_length=2,
                            help_text="Longitude, then latitude (RFC 7946), in degrees.",
                        ),
                    },
                ),
                "properties": inline_serializer(
                    "SiteProperties",
                    {
                        "name": serializers.CharField(),
                        "names": serializers.ListField(child=serializers.CharField()),
                        "launches": serializers.IntegerField(),
                        "first_launch": serializers.DateField(),
                        "last_launch": serializers.DateField(),
                        "timeline_url": serializers.URLField(),
                        "launches_url": serializers.URLField(),
                    },
                ),
            },
            many=True,
        ),
    },
)


class GeoJSONRenderer(JSONRenderer):
    """The same JSON under GeoJSON's own media type, for a client that asks for it (by
    Accept, or `?format=geojson`): GIS tools open it as a layer."""

    media_type = "application/geo+json"
    format = "geojson"


def feature(request, site):
    """One site as a GeoJSON Feature, with absolute links to its launches."""
    return {
        "type": "Feature",
        "id": site.key,
        "geometry": {"type": "Point", "coordinates": [float(site.longitude), float(site.latitude)]},
        "properties": {
            "name": site.name,
            "names": site.names,
            "launches": site.launches,
            "first_launch": site.first.isoformat(),
            "last_launch": site.last.isoformat(),
            "timeline_url": request.build_absolute_uri(site.timeline_url),
            "launches_url": request.build_absolute_uri(f"/api/v1/launches/?site={site.key}"),
        },
    }


class SitesView(ConditionalGetMixin, APIView):
    permission_classes = [AllowAny]
    # A FeatureCollection has no rows to flatten: no CSV.
    renderer_classes = [JSONRenderer, GeoJSONRenderer]

    @extend_schema(
        summary="Launch sites (GeoJSON)",
        description="Every launch site with coordinates, as a GeoJSON FeatureCollection of "
        "points (longitude first, RFC 7946), with the number of published launches from it. "
        "Sites are grouped by their coordinates; a site reported under several names lists "
        "them all, the most used first.",
        responses={200: SiteFeatureCollection, **READ_ERRORS},
    )
    def get(self, request):
        found = maps.sites(Launch.objects.for_sites())
        return Response(
            {"type": "FeatureCollection", "features": [feature(request, s) for s in found]}
        )
