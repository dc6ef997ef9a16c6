"""The timeline in the API: launches with their claims, events, links and sources.

The launch endpoint readers use, with its reactions (`?expand=statements`), the merged
timeline stream and the sources endpoint are explore.api's subclasses of these."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers

from core.api import refuse_empty
from editorial.api import ERRORS, READ_ERRORS, RecordSerializer, RecordViewSet

from . import representations, services
from .filters import EventFilter, LaunchFilter, LinkFilter, SourceFilter, UTCDateTimeFilter
from .models import Event, Launch, LaunchClaim, Link, Source
from .representations import LAUNCH_FIELDS


class SourceSerializer(RecordSerializer):
    class Meta:
        model = Source
        fields = [
            "id",
            "url",
            "reference",
            "title",
            "publisher",
            "published_at",
            "language",
            "created_at",
            "updated_at",
        ]


class ClaimSerializer(RecordSerializer):
    class Meta:
        model = LaunchClaim
        fields = [
            "id",
            "attribute",
            "value_text",
            "value",
            "value_max",
            "claimant",
            "note",
            "position",
            "source",
        ]


class LaunchClaimSerializer(ClaimSerializer):
    launch = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Launch.objects.all(),
        help_text="The slug of the launch the claim is about.",
    )

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "launch"]


class LaunchLinkSerializer(serializers.ModelSerializer):
    """An event tied to a launch (`?expand=links`)."""

    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    event_title = serializers.CharField(source="event.title", read_only=True)

    class Meta:
        model = Link
        fields = [
            "id",
            "event",
            "event_title",
            "relation",
            "rationale",
            "confidence",
            "source",
            "status",
        ]
        read_only_fields = fields


class LaunchSerializer(RecordSerializer):
    slug = serializers.SlugField(
        max_length=80, required=False, help_text="Made from the day and class when left out."
    )
    page_url = serializers.CharField(source="get_absolute_url", read_only=True)
    category_ordinal = serializers.IntegerField(
        read_only=True,
        help_text="Its place among the year's published launches of its category (6 = sixth).",
    )
    previous_launch = serializers.SlugField(source="previous_slug", read_only=True, allow_null=True)
    days_since_previous = serializers.IntegerField(read_only=True, allow_null=True)
    previous_same_class_launch = serializers.SlugField(
        source="previous_same_class_slug", read_only=True, allow_null=True
    )
    days_since_previous_same_class = serializers.IntegerField(read_only=True, allow_null=True)
    claims = ClaimSerializer(many=True, read_only=True)
    # Always null here: the reactions are explore.api.LaunchSerializer's expansion.
    statements = serializers.SerializerMethodField(
        help_text="The reactions, with `?expand=statements`; null otherwise."
    )
    links = serializers.SerializerMethodField(
        help_text="The linked events, with `?expand=links`; null otherwise."
    )

    class Meta:
        model = Launch
        fields = [
            *LAUNCH_FIELDS,
            "page_url",
            "category_ordinal",
            "previous_launch",
            "days_since_previous",
            "previous_same_class_launch",
            "days_since_previous_same_class",
            "claims",
            "statements",
            "links",
        ]
        read_only_fields = ["external_id", "sort_at", "published_at", "created_at", "updated_at"]

    def validate_slug(self, value):
        clash = Launch.objects.filter(slug=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("Another launch has this slug.")
        return value

    def _expanded(self, launch, name, serializer):
        if name not in self.context.get("expand", ()):
            return None
        return serializer(getattr(launch, name).all(), many=True).data

    @extend_schema_field({"type": "array", "items": {"type": "object"}, "nullable": True})
    def get_statements(self, launch):
        return None

    @extend_schema_field(LaunchLinkSerializer(many=True, allow_null=True))
    def get_links(self, launch):
        return self._expanded(launch, "links", LaunchLinkSerializer)


EXPAND = OpenApiParameter(
    "expand",
    OpenApiTypes.STR,
    description="Comma-separated nested lists to include: `links`. "
    "Fetched in one query each, whatever the number of launches.",
    pattern=r"^(links)(,(links))*$",
)


def launch_schema(serializer, expand, list_parameters=()):
    """The launch endpoints' documentation, for `serializer` and the `expand` it offers."""
    return extend_schema_view(
        list=extend_schema(
            summary="List launches",
            description="Launches in time order (`ordering` to change it), each with the "
            "figures as claimed by each source and the derived facts: its place in the year, "
            "the days since the previous launch. Without a token, published launches only.",
            parameters=[expand, *list_parameters],
            responses={200: serializer(many=True), **READ_ERRORS},
        ),
        retrieve=extend_schema(
            summary="Get a launch",
            description="One launch by its slug, such as `2025-11-07-srbm`.",
            parameters=[expand],
            responses={200: serializer, **READ_ERRORS},
        ),
        create=extend_schema(
            summary="Record a launch",
            description="Needs `timeline.add_launch`; publishing at once needs "
            "`timeline.publish_launch`. Claims are added through `/claims/`.",
            responses={201: serializer, **ERRORS},
        ),
        partial_update=extend_schema(
            summary="Change a launch",
            description="Needs `timeline.change_launch`; changing `status` to or from "
            "published needs `timeline.publish_launch`. Every change is kept in the launch's "
            "history.",
            responses={200: serializer, **ERRORS},
        ),
    )


@launch_schema(LaunchSerializer, EXPAND)
class LaunchViewSet(RecordViewSet):
    model = Launch
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


@extend_schema_view(
    list=extend_schema(
        summary="List claims",
        description='Figures as claimed by someone ("~700 km (JCS)"), of the launches this '
        "client may see. Each launch also lists its claims.",
        responses={200: LaunchClaimSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a claim", responses={200: LaunchClaimSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Add a claim",
        description="Needs `timeline.add_launchclaim`.",
        responses={201: LaunchClaimSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a claim",
        description="Needs `timeline.change_launchclaim`.",
        responses={200: LaunchClaimSerializer, **ERRORS},
    ),
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
        return LaunchClaim.objects.filter(launch__in=launches).select_related("launch")

    def create_record(self, *, user, **fields):
        return services.claim_create(user=user, **fields)

    def update_record(self, claim, *, user, **fields):
        services.claim_update(claim=claim, user=user, **fields)


class EventSerializer(RecordSerializer):
    slug = serializers.SlugField(
        max_length=120, required=False, help_text="Made from the day and title when left out."
    )
    participant_codes = serializers.ListField(
        child=serializers.CharField(max_length=12),
        required=False,
        help_text="Actor codes of the participants that could be identified.",
    )
    page_url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Event
        fields = [
            "slug",
            "kind",
            "kind_label",
            "title",
            "start_date",
            "date_precision",
            "end_date",
            "date_note",
            "location",
            "participants",
            "participant_codes",
            "description",
            "sources",
            "status",
            "published_at",
            "created_at",
            "updated_at",
            "page_url",
        ]
        read_only_fields = ["published_at", "created_at", "updated_at"]

    def validate_slug(self, value):
        clash = Event.objects.filter(slug=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("Another event has this slug.")
        return value


@extend_schema_view(
    list=extend_schema(
        summary="List events",
        description="Context events — sanctions, summits, exercises, warnings — by start date.",
        responses={200: EventSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(summary="Get an event", responses={200: EventSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="Record an event",
        description="Needs `timeline.add_event`; publishing at once needs "
        "`timeline.publish_event`.",
        responses={201: EventSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change an event",
        description="Needs `timeline.change_event`; publishing or withdrawing needs "
        "`timeline.publish_event`.",
        responses={200: EventSerializer, **ERRORS},
    ),
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


class LinkSerializer(RecordSerializer):
    launch = serializers.SlugRelatedField(slug_field="slug", queryset=Launch.objects.all())
    event = serializers.SlugRelatedField(slug_field="slug", queryset=Event.objects.all())

    class Meta:
        model = Link
        fields = [
            "id",
            "launch",
            "event",
            "relation",
            "rationale",
            "confidence",
            "source",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


@extend_schema_view(
    list=extend_schema(
        summary="List links",
        description="Launches tied to events, with the relation (`response_to`, `timed_with`, "
        "`followed_by`), the analyst's rationale and a source.",
        responses={200: LinkSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(summary="Get a link", responses={200: LinkSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="Link a launch to an event",
        description="Needs `timeline.add_link`; one link per launch and event.",
        responses={201: LinkSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a link",
        description="Needs `timeline.change_link`; publishing needs `timeline.publish_link`.",
        responses={200: LinkSerializer, **ERRORS},
    ),
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


@extend_schema_view(
    list=extend_schema(
        summary="List sources",
        description="The documents the records cite: articles, statement pages, datasets. "
        "Without a token, only those a published record cites.",
        responses={200: SourceSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a source", responses={200: SourceSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Add a source",
        description="Needs `timeline.add_source`. A URL or a reference, each unique.",
        responses={201: SourceSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a source",
        description="Needs `timeline.change_source`.",
        responses={200: SourceSerializer, **ERRORS},
    ),
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
