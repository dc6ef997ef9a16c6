"""The timeline in the API: launches with their claims, events, links, sources, and the
merged timeline stream."""

import base64
import binascii
import datetime
import json

import django_filters
from django import forms
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import (
    ConditionalGetMixin,
    in_utc,
    invalid_cursor,
    position_fits,
    refuse_empty,
)
from editorial.api import ERRORS, READ_ERRORS, RecordSerializer, RecordViewSet

from . import representations, services
from .filters import EventFilter, LaunchFilter, LinkFilter, SourceFilter, UTCDateTimeFilter
from .models import Event, Launch, LaunchClaim, Link, Source
from .representations import LAUNCH_FIELDS

Statement = Launch._meta.get_field("statements").related_model
Actor = Statement._meta.get_field("actor").related_model


class KnownActorForm(forms.Form):
    """An actor code that names no actor is a 404 naming the parameter, not an empty list."""

    def clean_actor(self):
        code = self.cleaned_data.get("actor")
        if code and not Actor.objects.filter(code=code.upper()).exists():
            raise exceptions.NotFound({"actor": [f"No actor has the code {code!r}."]})
        return code


def with_known_actor(filterset):
    """`filterset` with its `actor` code checked against the actors."""

    class Checked(filterset):
        def get_form_class(self):
            return type("Form", (KnownActorForm, super().get_form_class()), {})

    Checked.__name__ = filterset.__name__
    return Checked


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


class LaunchStatementSerializer(serializers.ModelSerializer):
    """A reaction as listed under its launch (`?expand=statements`)."""

    actor = serializers.SlugRelatedField(slug_field="code", read_only=True)
    co_signers = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    speaker = serializers.StringRelatedField(allow_null=True)
    themes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

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
            "via",
            "status",
        ]
        read_only_fields = fields


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

    @extend_schema_field(LaunchStatementSerializer(many=True, allow_null=True))
    def get_statements(self, launch):
        return self._expanded(launch, "statements", LaunchStatementSerializer)

    @extend_schema_field(LaunchLinkSerializer(many=True, allow_null=True))
    def get_links(self, launch):
        return self._expanded(launch, "links", LaunchLinkSerializer)


EXPANDABLE = ("statements", "links")
EXPAND = OpenApiParameter(
    "expand",
    OpenApiTypes.STR,
    description="Comma-separated nested lists to include: `statements`, `links`. "
    "Fetched in one query each, whatever the number of launches.",
    pattern=r"^(statements|links)(,(statements|links))*$",
)


@extend_schema_view(
    list=extend_schema(
        summary="List launches",
        description="Launches in time order (`ordering` to change it), each with the figures "
        "as claimed by each source and the derived facts: its place in the year, the days "
        "since the previous launch. Without a token, published launches only.",
        parameters=[
            EXPAND,
            OpenApiParameter(
                "stance",
                {"type": "integer", "minimum": -2, "maximum": 2},
                description="A stance some reaction took: -2 condemns … +2 defends. With "
                "`actor`, that actor's reaction.",
            ),
        ],
        responses={200: LaunchSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a launch",
        description="One launch by its slug, such as `2025-11-07-srbm`.",
        parameters=[EXPAND],
        responses={200: LaunchSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Record a launch",
        description="Needs `timeline.add_launch`; publishing at once needs "
        "`timeline.publish_launch`. Claims are added through `/claims/`.",
        responses={201: LaunchSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a launch",
        description="Needs `timeline.change_launch`; changing `status` to or from published "
        "needs `timeline.publish_launch`. Every change is kept in the launch's history.",
        responses={200: LaunchSerializer, **ERRORS},
    ),
)
class LaunchViewSet(RecordViewSet):
    model = Launch
    serializer_class = LaunchSerializer
    filterset_class = with_known_actor(LaunchFilter)
    lookup_field = "slug"
    ordering_fields = ["sort_at", "occurred_on", "updated_at", "created_at"]
    ordering = ["sort_at"]

    def expand(self):
        refuse_empty(self.request, ["expand"])
        value = self.request.query_params.get("expand", "")
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in EXPANDABLE]
        if unknown:
            raise exceptions.ValidationError(
                {"expand": [f"Cannot expand {', '.join(unknown)}; try statements, links."]}
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
        data = representations.launch_list(page, drafts=self.sees_drafts(), expand=self.expand())
        return self.get_paginated_response(data)

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
        return Source.objects.for_api(drafts=drafts)

    def create_record(self, *, user, **fields):
        return services.source_create(**fields)

    def update_record(self, source, *, user, **fields):
        services.source_update(source=source, user=user, **fields)


class TimelineCursor:
    """A place in the merged stream: (moment, kind, id); events sit at the start of their day."""

    KINDS = ("event", "launch")

    def __init__(self, moment, kind, pk):
        self.moment, self.kind, self.pk = moment, kind, pk

    @classmethod
    def of(cls, entry):
        return cls(entry["at"], entry["type"], entry["record"].pk)

    def encode(self):
        raw = json.dumps([self.moment.isoformat(), self.kind, self.pk]).encode()
        return base64.urlsafe_b64encode(raw).decode()

    @classmethod
    def decode(cls, token):
        try:
            moment, kind, pk = json.loads(base64.urlsafe_b64decode(token.encode()))
            moment = datetime.datetime.fromisoformat(moment)
            if kind not in cls.KINDS or type(pk) is not int or not in_utc(moment):
                raise ValueError
            if not position_fits(Launch._meta.pk, pk):
                raise ValueError
        except (ValueError, TypeError, binascii.Error, UnicodeError):
            raise invalid_cursor() from None
        return cls(moment, kind, pk)

    def key(self):
        return (self.moment, self.KINDS.index(self.kind), self.pk)


def event_moment(event):
    return datetime.datetime.combine(event.start_date, datetime.time(), tzinfo=datetime.UTC)


class TimelineEntrySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=TimelineCursor.KINDS)
    at = serializers.DateTimeField(
        help_text="Its place in time: a launch's time (or the end of its local day when only "
        "the day is known); an event's start day at 00:00 UTC."
    )
    slug = serializers.SlugField()
    title = serializers.CharField()
    launch = LaunchSerializer(allow_null=True, help_text="The launch, for a launch entry.")
    event = EventSerializer(allow_null=True, help_text="The event, for an event entry.")


class TimelinePageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    results = TimelineEntrySerializer(many=True)


class TimelineView(ConditionalGetMixin, APIView):
    """Launches and events merged in time order, one cursor for both."""

    permission_classes = [AllowAny]
    page_size = 50
    max_page_size = 200

    @extend_schema(
        summary="The timeline",
        description="Published launches and events merged in time order, oldest first, as on "
        "the site's timeline. Follow `next` for the following page; `date_from`, `date_to` "
        "and `year` narrow it.",
        parameters=[
            OpenApiParameter(
                "cursor", OpenApiTypes.STR, description="The `next` of the page before."
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": 200},
                description="1 to 200 (default 50).",
            ),
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="On or after this day."),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="On or before this day."),
            OpenApiParameter(
                "year",
                {"type": "integer", "minimum": 1, "maximum": 9999},
                description="Only this year.",
            ),
        ],
        responses={200: TimelinePageSerializer, **READ_ERRORS},
    )
    def get(self, request):
        refuse_empty(request, [*TimelineParams.base_fields, "cursor"])
        params = TimelineParams(request.query_params)
        if not params.is_valid():
            raise exceptions.ValidationError(params.errors)
        page_size = params.cleaned_data["page_size"] or self.page_size
        cursor = request.query_params.get("cursor")
        after = TimelineCursor.decode(cursor) if cursor else None
        launches = params.narrow(Launch.objects.for_api(), "occurred_on")
        events = params.narrow(Event.objects.for_api(), "start_date")
        if after:
            launches = launches_after(launches, after)
            events = events_after(events, after)
        entries = [
            {"type": "launch", "at": launch.sort_at, "record": launch}
            for launch in launches.order_by("sort_at", "id")[: page_size + 1]
        ] + [
            {"type": "event", "at": event_moment(event), "record": event}
            for event in events.order_by("start_date", "id")[: page_size + 1]
        ]
        entries.sort(key=lambda entry: TimelineCursor.of(entry).key())
        page, more = entries[:page_size], len(entries) > page_size
        context = self.get_renderer_context() | {"request": request}
        next_url = None
        if more:
            query = request.query_params.copy()
            query["cursor"] = TimelineCursor.of(page[-1]).encode()
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        results = [
            {
                "type": entry["type"],
                "at": entry["at"],
                "slug": entry["record"].slug,
                "title": str(entry["record"])
                if entry["type"] == "launch"
                else entry["record"].title,
                "launch": entry["record"] if entry["type"] == "launch" else None,
                "event": entry["record"] if entry["type"] == "event" else None,
            }
            for entry in page
        ]
        data = TimelinePageSerializer({"next": next_url, "results": results}, context=context).data
        response = Response(data)
        if next_url:
            response["Link"] = f'<{next_url}>; rel="next"'
        return response


class TimelineParams(forms.Form):
    page_size = forms.IntegerField(
        min_value=1, max_value=TimelineView.max_page_size, required=False
    )
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)
    year = forms.IntegerField(min_value=1, max_value=9999, required=False)

    def narrow(self, records, field):
        data = self.cleaned_data
        if data["date_from"]:
            records = records.filter(**{f"{field}__gte": data["date_from"]})
        if data["date_to"]:
            records = records.filter(**{f"{field}__lte": data["date_to"]})
        if data["year"]:
            records = records.filter(**{f"{field}__year": data["year"]})
        return records


def launches_after(launches, cursor):
    if cursor.kind == "event":
        return launches.filter(sort_at__gte=cursor.moment)
    return launches.filter(
        Q(sort_at__gt=cursor.moment) | Q(sort_at=cursor.moment, pk__gt=cursor.pk)
    )


def events_after(events, cursor):
    day = cursor.moment.astimezone(datetime.UTC).date()
    at_midnight = cursor.moment == datetime.datetime.combine(
        day, datetime.time(), tzinfo=datetime.UTC
    )
    if at_midnight and cursor.kind == "event":
        return events.filter(Q(start_date__gt=day) | Q(start_date=day, pk__gt=cursor.pk))
    return events.filter(start_date__gt=day)
