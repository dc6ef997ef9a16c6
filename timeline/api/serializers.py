"""How launches, claims, events, links and sources read and write as JSON."""

from django.core.exceptions import ValidationError
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers

from editorial.api import RecordSerializer

from ..models import Event, Launch, LaunchClaim, Link, Source, validate_further_sources
from ..representations import LAUNCH_FIELDS


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


class CitedSourceSerializer(serializers.ModelSerializer):
    """A source as a statement, link or claim lists it: enough to cite it without asking
    `/sources/` again."""

    class Meta:
        model = Source
        fields = ["id", "title", "url", "publisher", "published_at"]
        read_only_fields = fields


# Ids a bigint column can hold: a larger one names no source.
SOURCE_IDS = range(1, 2**63)


class CitedSourcesField(serializers.Field):
    """Every source of a statement, link or claim: read as sources, the cited one first;
    written as a list of ids, the first becoming the cited `source`, the others its further
    sources."""

    default_error_messages = {
        "not_a_list": "Expected a list of source ids, e.g. [1, 2].",
        "unknown": "No source has the id {value}.",
    }

    def __init__(self, **kwargs):
        super().__init__(source="all_sources", required=False, **kwargs)

    def to_representation(self, sources):
        return CitedSourceSerializer(sources, many=True, context=self.context).data

    def to_internal_value(self, data):
        ids = data if isinstance(data, list) else None
        if ids is None or not all(type(pk) is int for pk in ids):
            self.fail("not_a_list")
        ids = list(dict.fromkeys(ids))
        found = Source.objects.in_bulk([pk for pk in ids if pk in SOURCE_IDS])
        for pk in ids:
            if pk not in found:
                self.fail("unknown", value=pk)
        return [found[pk] for pk in ids]


class CitedSourcesFieldSchema(OpenApiSerializerFieldExtension):
    """`sources` reads as source objects and is written as ids."""

    target_class = CitedSourcesField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_array_type(build_basic_type(OpenApiTypes.INT))
        cited = auto_schema.resolve_serializer(CitedSourceSerializer, direction)
        return build_array_type(cited.ref)


SOURCES_LISTED = (
    "Every source, the cited `source` first, then the further ones that report the same."
)
SOURCES_HELP = (
    f"{SOURCES_LISTED} Written as ids: the first becomes `source`. A new statement or link "
    "needs `source` or `sources`."
)


class CitesSourcesSerializer(RecordSerializer):
    """A record serializer with `sources`: written, the list gives `source` (its first) and
    the further sources the services set."""

    sources = CitedSourcesField(help_text=SOURCES_HELP)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "all_sources" in attrs:
            attrs = self.split_sources(attrs)
        elif attrs.get("source") is not None and self.instance is not None:
            try:
                further = list(self.instance.further_sources.all())
                validate_further_sources(attrs["source"], further)
            except ValidationError as problem:
                raise serializers.ValidationError({"source": problem.messages}) from None
        required = not self.Meta.model._meta.get_field("source").null
        if required and self.instance is None and "source" not in attrs:
            raise serializers.ValidationError({"source": ["Cite a source."]})
        return attrs

    def split_sources(self, attrs):
        """`attrs` with `sources` given as `source` and `further_sources`, checked as the
        services check them (timeline.models.validate_further_sources)."""
        sources = attrs.pop("all_sources")
        first = sources[0] if sources else None
        if "source" in attrs and attrs["source"] != first:
            raise serializers.ValidationError(
                {"sources": ["The first of `sources` is the cited `source`: give them alike."]}
            )
        if first is None and not self.Meta.model._meta.get_field("source").null:
            raise serializers.ValidationError({"sources": ["Cite a source."]})
        try:
            validate_further_sources(first, sources[1:])
        except ValidationError as problem:
            raise serializers.ValidationError({"sources": problem.messages}) from None
        return {**attrs, "source": first, "further_sources": sources[1:]}


class ClaimSerializer(CitesSourcesSerializer):
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
            "sources",
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
    sources = CitedSourceSerializer(source="all_sources", many=True, help_text=SOURCES_LISTED)

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
            "sources",
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
        help_text="Its place among the year's published launches of its category (6 = sixth), "
        "counted as launch events as the JCS counts; a launch known only to its month or year "
        "counts in its year, after the dated launches of that period.",
    )
    previous_launch = serializers.SlugField(source="previous_slug", read_only=True, allow_null=True)
    days_since_previous = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Null when either launch is known only to its month or year.",
    )
    previous_same_class_launch = serializers.SlugField(
        source="previous_same_class_slug", read_only=True, allow_null=True
    )
    days_since_previous_same_class = serializers.IntegerField(read_only=True, allow_null=True)
    disputed = serializers.BooleanField(
        source="figures_disputed",
        read_only=True,
        help_text="True when two claims about one figure cannot both hold (read from the claims).",
    )
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


class LinkSerializer(CitesSourcesSerializer):
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
            "sources",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"source": {"required": False}}
