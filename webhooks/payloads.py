"""What a webhook carries about a record: its representation in the API, as readers see it."""

import json

from django.core.serializers.json import DjangoJSONEncoder

from editorial.models import Status


def _hidden_fields(record):
    """The fields of `record`'s representation that would name a record readers cannot see.

    A statement's launch (its slug, its page, the latency measured from it) and a link's
    launch or event (a slug carries the title) while that record is not published.
    """
    hidden = []
    launch = getattr(record, "launch", None)
    if launch is not None and launch.status != Status.PUBLISHED:
        hidden += ["launch", "page_url", "response_latency_seconds"]
    event = getattr(record, "event", None)
    if event is not None and event.status != Status.PUBLISHED:
        hidden.append("event")
    return hidden


def payload_for(instance):
    """The launch, statement or link as GET /api/v1/… shows it, as JSON-ready data.

    A reference to a launch or event that is not published is null, never its slug.
    """
    # Imported here: the API modules load DRF's settings, which name API classes in turn.
    from reactions.api import StatementSerializer
    from reactions.models import Statement
    from timeline.api import LaunchSerializer, LinkSerializer
    from timeline.models import Launch, Link

    serializers = {
        Launch: (LaunchSerializer, Launch.objects.for_api(drafts=True)),
        Statement: (StatementSerializer, Statement.objects.for_api(drafts=True)),
        Link: (LinkSerializer, Link.objects.for_api(drafts=True)),
    }
    serializer, records = serializers[type(instance)]
    record = records.get(pk=instance.pk)
    data = serializer(record, context={"expand": ()}).data
    data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    for name in _hidden_fields(record):
        if name in data:
            data[name] = None
    return data


def withdrawal_for(instance):
    """What a withdrawal says of a record that was public: its id, and a launch its slug."""
    data = {"id": instance.pk}
    if hasattr(instance, "slug"):
        data["slug"] = instance.slug
    return data
