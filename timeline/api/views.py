"""The endpoints of launches, claims, events, links and sources."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
)
from rest_framework import exceptions

from core.api import refuse_empty
from core.caching import DeclaresRecords
from editorial.api import RecordViewSet, record_schema

from .. import representations, services
from ..filters import EventFilter, LaunchFilter, LinkFilter, SourceFilter, UTCDateTimeFilter
from ..models import Event, Launch, LaunchClaim, Link, Source
from .serializers import (
    EventSerializer,
    LaunchClaimSerializer,
    LaunchSerializer,
    LinkSerializer,
    SourceSerializer,
)

EXPAND = OpenApiParameter(
    "expand",
    OpenApiTypes.STR,
    description="Comma-separated nested lists to include: `links`. "
    "Fetched in one query each, whatever the number of launches.",
    pattern=r"^(links)(,(links))*$",
)


def launch_schema(serializer, expand, list_parameters=()):
    """The launch endpoints' documentation, for `serializer` and the `expand` it offers."""
    return record_schema(
        serializer,
        list={
            "summary": "List launches",
            "description": "Launches in time order (`ordering` to change it), each with the "
            "figures as claimed by each source and the derived facts: its place in the year, "
            "the days since the previous launch. Without a token, published launches only.",
            "parameters": [expand, *list_parameters],
        },
        retrieve={
            "summary": "Get a launch",
            "description": "One launch by its slug, such as `2025-11-07-srbm`.",
            "parameters": [expand],
        },
        create={
            "summary": "Record a launch",
            "description": "Needs `timeline.add_launch`; publishing at once needs "
            "`timeline.publish_launch`. Claims are added through `/claims/`.",
        },
        partial_update={
            "summary": "Change a launch",
            "description": "Needs `timeline.change_launch`; changing `status` to or from "
            "published needs `timeline.publish_launch`. Every change is kept in the launch's "
            "history.",
        },
    )


@launch_schema(LaunchSerializer, EXPAND)
class LaunchViewSet(DeclaresRecords, RecordViewSet):
    model = Launch
    surrogate_collections = (Launch, Event, Link)
    serializer_class = LaunchSerializer
    filterset_class = LaunchFilter
    lookup_field = "slug"
    ordering_fields = ["sort_at", "occurred_on", "updated_at", "created_at"]
    ordering = ["sort_at"]
    expandable = ("links",)

    def expand(self):
        refuse_empty(self.request, ["expand"])
        value = self.request.query_params.get("expand", "")
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in self.expandable]
        if unknown:
            raise exceptions.ValidationError(
                {
                    "expand": [
                        f"Cannot expand {', '.join(unknown)}; try {', '.join(self.expandable)}."
                    ]
                }
            )
        return names

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "expand": self.expand()}

    def records(self, *, drafts):
        return Launch.objects.for_api(drafts=drafts, expand=self.expand())

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "json":
            return super().list(request, *args, **kwargs)
        # The serializer's output, built from rows: see timeline.representations.
        launches = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(representations.launch_rows(launches))
        data = self.representations(page)
        return self.get_paginated_response(data)

    def representations(self, rows):
        return representations.launch_list(rows, drafts=self.sees_drafts(), expand=self.expand())

    def create_record(self, *, user, **fields):
        return services.launch_create(user=user, **fields)

    def update_record(self, launch, *, user, sources=None, **fields):
        services.launch_update(launch=launch, user=user, **fields)
        if sources is not None:
            services.record_sources_set(instance=launch, sources=sources, user=user)


class ClaimFilter(django_filters.FilterSet):
    launch = django_filters.CharFilter(field_name="launch__slug", help_text="A launch's slug.")
    attribute = django_filters.CharFilter(help_text="distance, apogee, count, type, name…")
    updated_since = UTCDateTimeFilter(
        method="filter_updated_since",
        help_text="Only claims changed at or after this time (ISO 8601), for incremental sync.",
    )

    class Meta:
        model = LaunchClaim
        fields = []

    def filter_updated_since(self, queryset, name, value):
        changed = LaunchClaim.history.filter(history_date__gte=value).values("id")
        return queryset.filter(pk__in=changed)


@record_schema(
    LaunchClaimSerializer,
    list={
        "summary": "List claims",
        "description": 'Figures as claimed by someone ("~700 km (JCS)"), of the launches this '
        "client may see. Each launch also lists its claims.",
    },
    retrieve={"summary": "Get a claim"},
    create={"summary": "Add a claim", "description": "Needs `timeline.add_launchclaim`."},
    partial_update={
        "summary": "Change a claim",
        "description": "Needs `timeline.change_launchclaim`.",
    },
)
class ClaimViewSet(RecordViewSet):
    model = LaunchClaim
    serializer_class = LaunchClaimSerializer
    filterset_class = ClaimFilter
    ordering_fields = ["id", "position"]
    ordering = ["id"]

    def sees_drafts(self):
        return self.request.user.has_perm("timeline.change_launch")

    def records(self, *, drafts):
        launches = Launch.objects.all() if drafts else Launch.objects.published()
        return (
            LaunchClaim.objects.filter(launch__in=launches)
            .select_related("launch", "source")
            .prefetch_related("further_sources")
        )

    def create_record(self, *, user, **fields):
        return services.claim_create(user=user, **fields)

    def update_record(self, claim, *, user, **fields):
        services.claim_update(claim=claim, user=user, **fields)


@record_schema(
    EventSerializer,
    list={
        "summary": "List events",
        "description": "Context events — sanctions, summits, exercises, warnings — by start date.",
    },
    retrieve={"summary": "Get an event"},
    create={
        "summary": "Record an event",
        "description": "Needs `timeline.add_event`; publishing at once needs "
        "`timeline.publish_event`.",
    },
    partial_update={
        "summary": "Change an event",
        "description": "Needs `timeline.change_event`; publishing or withdrawing needs "
        "`timeline.publish_event`.",
    },
)
class EventViewSet(RecordViewSet):
    model = Event
    serializer_class = EventSerializer
    filterset_class = EventFilter
    lookup_field = "slug"
    ordering_fields = ["start_date", "updated_at", "created_at"]
    ordering = ["start_date"]

    def records(self, *, drafts):
        return Event.objects.for_api(drafts=drafts)

    def create_record(self, *, user, **fields):
        return services.event_create(user=user, **fields)

    def update_record(self, event, *, user, **fields):
        services.event_update(event=event, user=user, **fields)


@record_schema(
    LinkSerializer,
    list={
        "summary": "List links",
        "description": "Launches tied to events, with the relation (`response_to`, `timed_with`, "
        "`followed_by`), the analyst's rationale and its sources.",
    },
    retrieve={"summary": "Get a link"},
    create={
        "summary": "Link a launch to an event",
        "description": "Needs `timeline.add_link`; one link per launch and event.",
    },
    partial_update={
        "summary": "Change a link",
        "description": "Needs `timeline.change_link`; publishing needs `timeline.publish_link`.",
    },
)
class LinkViewSet(RecordViewSet):
    model = Link
    serializer_class = LinkSerializer
    filterset_class = LinkFilter
    ordering_fields = ["id", "updated_at", "created_at"]
    ordering = ["id"]

    def records(self, *, drafts):
        return Link.objects.for_api(drafts=drafts)

    def create_record(self, *, user, **fields):
        return services.link_create(user=user, **fields)

    def update_record(self, link, *, user, **fields):
        services.link_update(link=link, user=user, **fields)


@record_schema(
    SourceSerializer,
    list={
        "summary": "List sources",
        "description": "The documents the records cite: articles, statement pages, datasets. "
        "Without a token, only those a published record cites.",
    },
    retrieve={"summary": "Get a source"},
    create={
        "summary": "Add a source",
        "description": "Needs `timeline.add_source`. A URL or a reference, each unique.",
    },
    partial_update={"summary": "Change a source", "description": "Needs `timeline.change_source`."},
)
class SourceViewSet(RecordViewSet):
    model = Source
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    ordering_fields = ["id", "updated_at", "created_at"]
    ordering = ["id"]

    def records(self, *, drafts):
        return Source.objects.all() if drafts else Source.objects.cited_on_timeline()

    def create_record(self, *, user, **fields):
        return services.source_create(**fields)

    def update_record(self, source, *, user, **fields):
        services.source_update(source=source, user=user, **fields)
