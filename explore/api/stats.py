"""Counts readers can chart: launches per year and class, statements per actor and
stance, response latency."""

import statistics
from itertools import groupby

from django.urls import reverse
from drf_spectacular.utils import (
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ConditionalGetMixin
from editorial.api import READ_ERRORS
from reactions.models import Statement
from timeline import counting
from timeline.models import Launch


class StatsSerializer(serializers.Serializer):
    launches_per_year = inline_serializer(
        "LaunchesPerYear",
        {
            "year": serializers.IntegerField(),
            "missile_class": serializers.CharField(),
            "launches": serializers.IntegerField(
                help_text="Launch events, as the JCS counts: several missiles fired together "
                "are one launch."
            ),
            "missiles": serializers.IntegerField(
                help_text="Missiles, as the CNS database counts: the sum of the stated "
                "missile counts."
            ),
            "launches_without_missile_count": serializers.IntegerField(
                help_text="Launch events whose number of missiles is not stated, which "
                "`missiles` leaves out."
            ),
        },
        many=True,
    )
    counting_rules = inline_serializer(
        "CountingRule",
        {
            "field": serializers.CharField(),
            "rule": serializers.CharField(),
            "methodology_url": serializers.CharField(),
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
        description="Over the published record: launches per year and missile class, "
        "counted both as launch events and as missiles (`counting_rules` names each rule); a "
        "launch known only to its month or year counts in its year; "
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
            "counting_rules": counting_rules(request),
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


def counting_rules(request):
    """Which rule each count of `launches_per_year` follows, with its definition's address."""
    methodology = request.build_absolute_uri(reverse("explore:methodology"))
    fields = {"launches": counting.LAUNCH_EVENTS, "missiles": counting.MISSILES}
    return [
        {"field": field, "rule": rule.definition, "methodology_url": f"{methodology}#{rule.anchor}"}
        for field, rule in fields.items()
    ]


# What the deletions feed reports on, by the name it gives each kind of record.
