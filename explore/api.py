"""What the API gives that combines launches and reactions: launches with their statements
(`?expand=statements`), the sources readers may see, the merged timeline stream, the stats
and the deletions feed."""

import base64
import binascii
import datetime
import json
import statistics
from itertools import groupby

from django import forms
from django.db.models import Exists, OuterRef, Q, Subquery
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ConditionalGetMixin, in_utc, invalid_cursor, position_fits, refuse_empty
from editorial.api import READ_ERRORS
from editorial.models import Status
from reactions.api import with_known_actor
from reactions.filters import LaunchFilter
from reactions.models import Speaker, Statement
from timeline import api as timeline_api
from timeline.api import EventSerializer
from timeline.filters import UTCDateTimeField
from timeline.models import Event, Launch, LaunchClaim, Link, Source
from timeline.queries import KINDS, merged, moment

from . import queries, representations


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


# A launch, with its reactions when `?expand=statements` asks for them. (No docstring: the
# schema describes it as it describes every record serializer.)
class LaunchSerializer(timeline_api.LaunchSerializer):
    class Meta(timeline_api.LaunchSerializer.Meta):
        pass

    @extend_schema_field(LaunchStatementSerializer(many=True, allow_null=True))
    def get_statements(self, launch):
        return self._expanded(launch, "statements", LaunchStatementSerializer)


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
        return queries.api_launches(drafts=drafts, expand=self.expand())

    def representations(self, rows):
        return representations.launch_list(rows, drafts=self.sees_drafts(), expand=self.expand())


class SourceViewSet(timeline_api.SourceViewSet):
    def records(self, *, drafts):
        return queries.api_sources(drafts=drafts)


class TimelineCursor:
    """A place in the merged stream: (moment, kind, id); events sit at the start of their day."""

    KINDS = KINDS

    def __init__(self, moment, kind, pk):
        self.moment, self.kind, self.pk = moment, kind, pk

    @classmethod
    def of(cls, entry):
        return cls(entry["at"], entry["type"], entry["record"].pk)

    @classmethod
    def after(cls, entries):
        """The cursor after the last of `entries`."""
        return cls.of(entries[-1])

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
            {"type": kind, "at": moment(kind, record), "record": record}
            for kind, record in merged(
                launches.order_by("sort_at", "id")[: page_size + 1],
                events.order_by("start_date", "id")[: page_size + 1],
            )
        ]
        page, more = entries[:page_size], len(entries) > page_size
        context = self.get_renderer_context() | {"request": request}
        next_url = None
        if more:
            query = request.query_params.copy()
            query["cursor"] = TimelineCursor.after(page).encode()
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


class StatsSerializer(serializers.Serializer):
    launches_per_year = inline_serializer(
        "LaunchesPerYear",
        {
            "year": serializers.IntegerField(),
            "missile_class": serializers.CharField(),
            "launches": serializers.IntegerField(),
        },
        many=True,
    )
    statements_per_actor = inline_serializer(
        "StatementsPerActor",
        {
            "actor": serializers.CharField(),
            "stance": serializers.IntegerField(),
            "statements": serializers.IntegerField(),
        },
        many=True,
    )
    response_latency = inline_serializer(
        "ResponseLatency",
        {
            "actor": serializers.CharField(),
            "median_seconds": serializers.IntegerField(),
            "statements": serializers.IntegerField(),
        },
        many=True,
    )


class StatsView(ConditionalGetMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Counts and latencies",
        description="Over the published record: launches per year and missile class; "
        "statements per actor and stance; and per actor, the median time from a launch to "
        "its statement, over the statements where both times are known to the minute.",
        responses={200: StatsSerializer, **READ_ERRORS},
    )
    def get(self, request):
        latencies = [
            {
                "actor": code,
                "median_seconds": round(statistics.median(s for _, s in rows)),
                "statements": len(rows),
            }
            for code, group in groupby(Statement.objects.for_api_latencies(), key=lambda r: r[0])
            for rows in [list(group)]
        ]
        data = {
            "launches_per_year": list(Launch.objects.for_api_counts_by_year_and_class()),
            "statements_per_actor": [
                {
                    "actor": row["actor__code"],
                    "stance": row["stance"],
                    "statements": row["statements"],
                }
                for row in Statement.objects.for_api_counts_by_actor_and_stance()
            ],
            "response_latency": latencies,
        }
        return Response(StatsSerializer(data).data)


# What the deletions feed reports on, by the name it gives each kind of record.
TRACKED = {
    "launch": Launch,
    "claim": LaunchClaim,
    "event": Event,
    "link": Link,
    "source": Source,
    "speaker": Speaker,
    "statement": Statement,
}


class DeletionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(TRACKED))
    id = serializers.IntegerField()
    slug = serializers.CharField(allow_null=True, help_text="For launches and events.")
    at = serializers.DateTimeField()
    reason = serializers.ChoiceField(
        choices=["deleted", "withdrawn"],
        help_text="`withdrawn`: taken back from publication, so gone for clients without drafts.",
    )


class DeletionsParams(forms.Form):
    since = UTCDateTimeField(required=True)


class DeletionsView(ConditionalGetMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="What disappeared",
        description="Records deleted, or withdrawn from publication, at or after `since`, "
        "oldest first: with `updated_since` on the lists, what a client needs to keep a copy "
        "in step. Without a token, only records readers could once see: published ones, and "
        "sources and speakers a published record cited.",
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATETIME, required=True, description="ISO 8601.")
        ],
        responses={200: DeletionSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request):
        params = DeletionsParams(request.query_params)
        if not params.is_valid():
            raise exceptions.ValidationError(params.errors)
        since = params.cleaned_data["since"]
        found = []
        for name, model in TRACKED.items():
            found += self.gone(name, model, since)
        found.sort(key=lambda row: (row["at"], row["type"], row["id"]))
        return Response(DeletionSerializer(found, many=True).data)

    def gone(self, name, model, since):
        meta = model._meta
        sees_drafts = self.request.user.has_perm(f"{meta.app_label}.change_{meta.model_name}")
        history = model.history.filter(history_date__gte=since)
        rows = history.filter(history_type="-") if sees_drafts else once_public(model, history)
        return [
            {
                "type": name,
                "id": row.id,
                "slug": getattr(row, "slug", None),
                "at": row.history_date,
                "reason": "deleted" if row.history_type == "-" else "withdrawn",
            }
            for row in rows.order_by("history_date", "history_id")
        ]


def shown(model):
    """History rows of `model` in a published state, up to the outer history row's time."""
    return model.history.filter(status=Status.PUBLISHED, history_date__lte=OuterRef("history_date"))


def once_public(model, history):
    """The deletions and withdrawals in `history` of records readers could once see: a
    record whose history shows it published (and its launch and event, where it has them);
    a claim on a launch once published; a source or speaker a published record once cited."""
    if hasattr(model, "status"):
        before = model.history.filter(
            id=OuterRef("id"), history_date__lt=OuterRef("history_date")
        ).order_by("-history_date", "-history_id")
        history = history.annotate(was=Subquery(before.values("status")[:1])).filter(
            Q(history_type="-", status=Status.PUBLISHED)
            | Q(history_type="~", was=Status.PUBLISHED) & ~Q(status=Status.PUBLISHED)
        )
    else:
        history = history.filter(history_type="-")
    if hasattr(model, "launch_id"):
        history = history.filter(Exists(shown(Launch).filter(id=OuterRef("launch_id"))))
    if hasattr(model, "event_id"):
        history = history.filter(Exists(shown(Event).filter(id=OuterRef("event_id"))))
    if model is Speaker:
        history = history.filter(Exists(shown(Statement).filter(speaker_id=OuterRef("id"))))
    if model is Source:
        source = OuterRef("id")
        history = history.filter(
            Exists(shown(Launch).filter(historicallaunch_sources__source=source))
            | Exists(shown(Event).filter(historicalevent_sources__source=source))
            | Exists(shown(Link).filter(source=source))
            | Exists(shown(Statement).filter(source=source))
            | Exists(
                LaunchClaim.history.filter(
                    source=source,
                    history_date__lte=OuterRef("history_date"),
                    launch_id__in=Launch.history.filter(status=Status.PUBLISHED).values("id"),
                )
            )
        )
    return history
