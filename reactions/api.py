"""Reactions in the API: actors, speakers, statements; the stats and the deletions feed."""

import statistics
from itertools import groupby

from django import forms
from django.db.models import Exists, OuterRef, Q, Subquery
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ConditionalGetMixin
from editorial.api import ERRORS, LOOKUP_VALUE, READ_ERRORS, RecordSerializer, RecordViewSet
from editorial.models import Status
from timeline.api import with_known_actor
from timeline.filters import UTCDateTimeField, UTCDateTimeFilter
from timeline.models import Event, Launch, LaunchClaim, Link, Source

from . import services
from .filters import ActorFilter, SpeakerFilter, StatementFilter
from .models import Actor, Speaker, Statement, Theme


class ActorSerializer(serializers.ModelSerializer):
    page_url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Actor
        fields = ["code", "kind", "name", "short_name", "page_url"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="List actors",
        description="Who reacts: every state by its ISO 3166-1 code, and organisations "
        "(UN, EU, NATO, G7…) by a short code.",
        responses={200: ActorSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get an actor",
        description="One actor by its code, such as `RU`.",
        responses={200: ActorSerializer, **READ_ERRORS},
    ),
)
class ActorViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Actor.objects.all()
    serializer_class = ActorSerializer
    filterset_class = ActorFilter
    lookup_field = "code"
    lookup_value_regex = LOOKUP_VALUE
    ordering_fields = ["name", "code"]
    ordering = ["name"]

    def get_object(self):
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()


class SpeakerAPIFilter(with_known_actor(SpeakerFilter)):
    updated_since = UTCDateTimeFilter(
        method="filter_updated_since",
        help_text="Only speakers changed at or after this time (ISO 8601), for incremental sync.",
    )

    class Meta(SpeakerFilter.Meta):
        pass

    def filter_updated_since(self, queryset, name, value):
        return queryset.filter(pk__in=Speaker.history.filter(history_date__gte=value).values("id"))


class SpeakerSerializer(RecordSerializer):
    actor = serializers.SlugRelatedField(
        slug_field="code", queryset=Actor.objects.all(), help_text="The actor's code."
    )

    class Meta:
        model = Speaker
        fields = ["id", "actor", "name", "role"]


@extend_schema_view(
    list=extend_schema(
        summary="List speakers",
        description='People and offices who speak for an actor ("Dmitry Peskov, Kremlin '
        'spokesman"), reused across statements. Without a token, only those of a published '
        "statement.",
        responses={200: SpeakerSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a speaker", responses={200: SpeakerSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Add a speaker",
        description="Needs `reactions.add_speaker`; one speaker of a name per actor.",
        responses={201: SpeakerSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a speaker",
        description="Needs `reactions.change_speaker`.",
        responses={200: SpeakerSerializer, **ERRORS},
    ),
)
class SpeakerViewSet(RecordViewSet):
    model = Speaker
    serializer_class = SpeakerSerializer
    filterset_class = SpeakerAPIFilter
    ordering_fields = ["name", "id"]
    ordering = ["id"]

    def records(self, *, drafts):
        return Speaker.objects.for_api(drafts=drafts)

    def create_record(self, *, user, **fields):
        return services.speaker_create(**fields)

    def update_record(self, speaker, *, user, **fields):
        services.speaker_update(speaker=speaker, user=user, **fields)


class StatementSerializer(RecordSerializer):
    launch = serializers.SlugRelatedField(
        slug_field="slug", queryset=Launch.objects.all(), help_text="The launch's slug."
    )
    actor = serializers.SlugRelatedField(
        slug_field="code", queryset=Actor.objects.all(), help_text="The speaking actor's code."
    )
    co_signers = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Actor.objects.all(),
        many=True,
        required=False,
        help_text="Codes of the actors who co-signed a joint statement.",
    )
    speaker_name = serializers.StringRelatedField(
        source="speaker",
        allow_null=True,
        help_text="How the speaker is named; null without a speaker.",
    )
    themes = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Theme.objects.all(),
        many=True,
        required=False,
        help_text="Slugs of the arguments it makes (violates-unsc-resolutions…).",
    )
    response_latency_seconds = serializers.SerializerMethodField(
        help_text="Seconds from the launch to the statement, when both are exactly timed."
    )
    page_url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Statement
        fields = [
            "id",
            "launch",
            "actor",
            "co_signers",
            "speaker",
            "speaker_name",
            "issued_on",
            "issued_at",
            "channel",
            "quote",
            "quote_kind",
            "original_text",
            "original_language",
            "summary",
            "stance",
            "themes",
            "source",
            "via",
            "status",
            "response_latency_seconds",
            "published_at",
            "created_at",
            "updated_at",
            "page_url",
        ]
        read_only_fields = ["published_at", "created_at", "updated_at"]

    def get_response_latency_seconds(self, statement) -> int | None:
        latency = statement.response_latency
        return None if latency is None else int(latency.total_seconds())


@extend_schema_view(
    list=extend_schema(
        summary="List statements",
        description="Reactions to launches, each with its verbatim quote, speaker, stance "
        "(-2 condemns … +2 defends) and source. `actor=RU` gives Russia's.",
        responses={200: StatementSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a statement", responses={200: StatementSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Record a statement",
        description="Needs `reactions.add_statement`; publishing at once needs "
        "`reactions.publish_statement`. The token's user is recorded as who entered it.",
        responses={201: StatementSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a statement",
        description="Needs `reactions.change_statement`; publishing or withdrawing needs "
        "`reactions.publish_statement`.",
        responses={200: StatementSerializer, **ERRORS},
    ),
)
class StatementViewSet(RecordViewSet):
    model = Statement
    serializer_class = StatementSerializer
    filterset_class = with_known_actor(StatementFilter)
    ordering_fields = ["issued_on", "updated_at", "created_at", "stance", "id"]
    ordering = ["id"]

    def records(self, *, drafts):
        return Statement.objects.for_api(drafts=drafts)

    def create_record(self, *, user, **fields):
        return services.statement_create(user=user, **fields)

    def update_record(self, statement, *, user, **fields):
        services.statement_update(statement=statement, user=user, **fields)


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
