"""Reactions in the API: actors, speakers, statements."""

from django import forms
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets

from core.api import ConditionalGetMixin
from editorial.api import (
    LOOKUP_VALUE,
    READ_ERRORS,
    RecordSerializer,
    RecordViewSet,
    record_schema,
)
from timeline.api.serializers import CitesSourcesSerializer
from timeline.filters import UTCDateTimeFilter
from timeline.models import Launch

from . import services
from .filters import ActorFilter, SpeakerFilter, StatementFilter
from .models import Actor, Speaker, Statement, Theme


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


@record_schema(
    SpeakerSerializer,
    list={
        "summary": "List speakers",
        "description": 'People and offices who speak for an actor ("Dmitry Peskov, Kremlin '
        'spokesman"), reused across statements. Without a token, only those of a published '
        "statement.",
    },
    retrieve={"summary": "Get a speaker"},
    create={
        "summary": "Add a speaker",
        "description": "Needs `reactions.add_speaker`; one speaker of a name per actor.",
    },
    partial_update={
        "summary": "Change a speaker",
        "description": "Needs `reactions.change_speaker`.",
    },
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


class StatementSerializer(CitesSourcesSerializer):
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
            "sources",
            "via",
            "status",
            "response_latency_seconds",
            "published_at",
            "created_at",
            "updated_at",
            "page_url",
        ]
        read_only_fields = ["published_at", "created_at", "updated_at"]
        extra_kwargs = {"source": {"required": False}}

    def get_response_latency_seconds(self, statement) -> int | None:
        latency = statement.response_latency
        return None if latency is None else int(latency.total_seconds())


@record_schema(
    StatementSerializer,
    list={
        "summary": "List statements",
        "description": "Reactions to launches, each with its verbatim quote, speaker, stance "
        "(-2 condemns … +2 defends) and sources. `actor=RU` gives Russia's.",
    },
    retrieve={"summary": "Get a statement"},
    create={
        "summary": "Record a statement",
        "description": "Needs `reactions.add_statement`; publishing at once needs "
        "`reactions.publish_statement`. The token's user is recorded as who entered it.",
    },
    partial_update={
        "summary": "Change a statement",
        "description": "Needs `reactions.change_statement`; publishing or withdrawing needs "
        "`reactions.publish_statement`.",
    },
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
