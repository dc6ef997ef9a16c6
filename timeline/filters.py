"""One FilterSet per resource, shared by the HTML pages and the API."""

import datetime
import decimal
import re

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from drf_spectacular.utils import extend_schema_field

from .models import (
    Event,
    EventKind,
    Launch,
    LaunchCategory,
    Link,
    MissileClass,
    Relation,
    Source,
)


class WholeNumberFilter(django_filters.NumberFilter):
    """A number filter that takes whole numbers only: `stance=0.5` is refused, not rounded."""

    field_class = forms.IntegerField


class UTCDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment, brought to UTC: any offset Python reads, the database can store."""

    def clean(self, value):
        value = super().clean(value)
        try:
            return value.astimezone(datetime.UTC) if value else value
        except OverflowError:
            raise forms.ValidationError("This moment is out of range.") from None


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(
            *args, **{"lookup_expr": "year", "min_value": 1, "max_value": 9999, **kwargs}
        )


STORED_DEGREES = decimal.Decimal("0.00001")  # Launch.site_latitude's decimal places
# "latitude,longitude" in decimal degrees, within ±90 and ±180: the schema states the same.
SITE_PATTERN = (
    r"^-?(90(\.0+)?|[1-8]?[0-9](\.[0-9]+)?),"
    r"-?(180(\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]+)?)$"
)


class SiteField(forms.CharField):
    """A launch site as "latitude,longitude" in decimal degrees, as the map links to it."""

    def __init__(self, **kwargs):
        super().__init__(strip=False, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        if not re.fullmatch(SITE_PATTERN, value):
            raise forms.ValidationError(
                'Give a site as "latitude,longitude" in degrees, latitude within ±90 and '
                "longitude within ±180, e.g. 39.22,125.67."
            )
        latitude, longitude = (decimal.Decimal(part) for part in value.split(","))
        # Rounded as they are stored, so that every database finds the same launches.
        return latitude.quantize(STORED_DEGREES), longitude.quantize(STORED_DEGREES)


@extend_schema_field({"type": "string", "pattern": SITE_PATTERN})
class SiteFilter(django_filters.Filter):
    """Launches from the site at these coordinates (the map's sites are grouped by them)."""

    field_class = SiteField

    def filter(self, queryset, value):
        if value is None:
            return queryset
        latitude, longitude = value
        return queryset.filter(site_latitude=latitude, site_longitude=longitude)


class UpdatedSinceFilterSet(django_filters.FilterSet):
    updated_since = UTCDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Only records changed at or after this time (ISO 8601), for incremental sync.",
    )


class LaunchFilter(UpdatedSinceFilterSet):
    date_from = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="gte", help_text="Launches on or after this day."
    )
    date_to = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="lte", help_text="Launches on or before this day."
    )
    year = YearFilter(field_name="occurred_on")
    category = django_filters.ChoiceFilter(choices=LaunchCategory.choices)
    missile_class = django_filters.ChoiceFilter(choices=MissileClass.choices)
    site = SiteFilter(
        help_text='Launches from the site at "latitude,longitude" (as /api/v1/sites/ gives it).'
    )
    event_kind = django_filters.ChoiceFilter(
        choices=EventKind.choices,
        method="filter_event_kind",
        help_text="Launches linked to an event of this kind.",
    )
    q = django_filters.CharFilter(method="filter_text", help_text="Words in names, sites, notes.")

    class Meta:
        model = Launch
        fields = []

    def filter_event_kind(self, queryset, name, value):
        links = Link.objects.visible().filter(launch=OuterRef("pk"), event__kind=value)
        return queryset.filter(Exists(links))

    def filter_text(self, queryset, name, value):
        return queryset.matching(value)


class EventFilter(UpdatedSinceFilterSet):
    date_from = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")
    year = YearFilter(field_name="start_date")
    kind = django_filters.ChoiceFilter(choices=EventKind.choices)
    q = django_filters.CharFilter(method="filter_text", help_text="Words in titles, places, text.")

    class Meta:
        model = Event
        fields = []

    def filter_text(self, queryset, name, value):
        return queryset.matching(value)


class LinkFilter(UpdatedSinceFilterSet):
    launch = django_filters.CharFilter(field_name="launch__slug", help_text="A launch's slug.")
    event = django_filters.CharFilter(field_name="event__slug", help_text="An event's slug.")
    relation = django_filters.ChoiceFilter(choices=Relation.choices)

    class Meta:
        model = Link
        fields = []


class SourceFilter(UpdatedSinceFilterSet):
    publisher = django_filters.CharFilter(lookup_expr="iexact")
    q = django_filters.CharFilter(method="filter_text", help_text="Words in titles or URLs.")

    class Meta:
        model = Source
        fields = []

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(url__icontains=value))
