"""What a webhook carries about a record: its representation in the API."""

import json

from django.core.serializers.json import DjangoJSONEncoder


def payload_for(instance):
    """The launch, statement or link as GET /api/v1/… shows it, as JSON-ready data."""
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
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
