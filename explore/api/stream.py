"""The merged timeline stream: launches and events in time order, by cursor."""

import base64
import binascii
import datetime
import json

from django import forms
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ConditionalGetMixin, in_utc, invalid_cursor, position_fits, refuse_empty
from core.caching import surrogate_keys
from editorial.api import READ_ERRORS
from timeline.api import EventSerializer
from timeline.models import Event, Launch
from timeline.queries import KINDS, merged, moment

from .launches import LaunchSerializer


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
        surrogate_keys(request, Launch, Event, "links", *(entry["record"] for entry in page))
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
