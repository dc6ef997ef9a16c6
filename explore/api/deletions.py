"""What was deleted or withdrawn from publication since a moment, for syncing copies."""

from django import forms
from django.db.models import Exists, OuterRef, Q, Subquery
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ConditionalGetMixin
from editorial.api import READ_ERRORS
from editorial.models import Status
from reactions.models import Speaker, Statement
from timeline.filters import UTCDateTimeField
from timeline.models import Event, Launch, LaunchClaim, Link, Source

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


def claims_shown():
    """History rows of claims on a launch once published, up to the outer history row's
    time."""
    return LaunchClaim.history.filter(
        history_date__lte=OuterRef("history_date"),
        launch_id__in=Launch.history.filter(status=Status.PUBLISHED).values("id"),
    )


def once_public(model, history):
    """The deletions and withdrawals in `history` of records readers could once see: a
    record whose history shows it published (and its launch and event, where it has them);
    a claim on a launch once published; a source or speaker a published record once cited,
    first or further."""
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
            | Exists(shown(Link).filter(historicallink_further_sources__source=source))
            | Exists(shown(Statement).filter(source=source))
            | Exists(shown(Statement).filter(historicalstatement_further_sources__source=source))
            | Exists(claims_shown().filter(source=source))
            | Exists(claims_shown().filter(historicallaunchclaim_further_sources__source=source))
        )
    return history
