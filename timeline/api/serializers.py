"""How launches, claims, events, links and sources read and write as JSON."""

from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers

from editorial.api import RecordSerializer

from ..models import Event, Launch, LaunchClaim, Link, Source
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
