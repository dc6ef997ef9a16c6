"""Launches with their statements, and the sources readers may see."""

import functools

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema_field,
)
from rest_framework import serializers

from reactions.api import with_known_actor
from reactions.filters import LaunchFilter
from reactions.models import Statement
from timeline import api as timeline_api
from timeline.api.serializers import SOURCES_LISTED, CitedSourceSerializer
from timeline.representations import launch_keys

from .. import queries, representations


class LaunchStatementSerializer(serializers.ModelSerializer):
    """A reaction as listed under its launch (`?expand=statements`)."""

    actor = serializers.SlugRelatedField(slug_field="code", read_only=True)
    co_signers = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    speaker = serializers.StringRelatedField(allow_null=True)
    themes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    sources = CitedSourceSerializer(source="all_sources", many=True, help_text=SOURCES_LISTED)

    class Meta:
        model = Statement
        fields = [
            "id",
            "actor",
            "co_signers",
            "speaker",
            "issued_on",
            "issued_at",
            "channel",
            "quote",
            "quote_kind",
            "summary",
            "stance",
            "themes",
            "source",
            "sources",
            "via",
            "status",
        ]
        read_only_fields = fields


# A launch, with its reactions when `?expand=statements` asks for them. (No docstring: the
# schema describes it as it describes every record serializer.)
class LaunchSerializer(timeline_api.LaunchSerializer):
    class Meta(timeline_api.LaunchSerializer.Meta):
        pass

    @extend_schema_field(LaunchStatementSerializer(many=True, allow_null=True))
    def get_statements(self, launch):
        return self._expanded(launch, "statements", LaunchStatementSerializer)


@functools.cache
def launches_for_api(drafts, expand):
    """queries.api_launches(), built once per process as a view's `queryset` would be, and
    copied for each request: building its derived facts costs 1.6 ms."""
    return queries.api_launches(drafts=drafts, expand=expand)


EXPAND = OpenApiParameter(
    "expand",
    OpenApiTypes.STR,
    description="Comma-separated nested lists to include: `statements`, `links`. "
    "Fetched in one query each, whatever the number of launches.",
    pattern=r"^(statements|links)(,(statements|links))*$",
)
STANCE = OpenApiParameter(
    "stance",
    {"type": "integer", "minimum": -2, "maximum": 2},
    description="A stance some reaction took: -2 condemns … +2 defends. With "
    "`actor`, that actor's reaction.",
)


@timeline_api.launch_schema(LaunchSerializer, EXPAND, [STANCE])
class LaunchViewSet(timeline_api.LaunchViewSet):
    serializer_class = LaunchSerializer
    filterset_class = with_known_actor(LaunchFilter)
    expandable = ("statements", "links")

    def records(self, *, drafts):
        return launches_for_api(drafts, tuple(sorted(set(self.expand())))).all()

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "json" or self.sees_drafts():
            return super().list(request, *args, **kwargs)
        # Readers' lists: each launch read from the fragment cache (explore.representations).
        launches = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(launch_keys(launches, self.ordering_fields))
        data = representations.published_launch_list(page, expand=self.expand())
        return self.get_paginated_response(data)

    def representations(self, rows):
        return representations.launch_list(rows, drafts=self.sees_drafts(), expand=self.expand())


class SourceViewSet(timeline_api.SourceViewSet):
    def records(self, *, drafts):
        return queries.api_sources(drafts=drafts)
