"""`make bench`'s launch-day writer: an editor publishing through the editorial services."""

import datetime
import importlib.util
import random

import pytest

from editorial.models import Status
from reactions.models import Statement

from .factories import LaunchFactory, SourceFactory
from .paths import ROOT

spec = importlib.util.spec_from_file_location("bench_publish", ROOT / "bench" / "publish.py")
writer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(writer)


class StopAfter:
    """A stop event that is set after `n` waits, so the writer publishes `n` times."""

    def __init__(self, n):
        self.left = n

    def wait(self, timeout):
        self.left -= 1
        return self.left < 0


@pytest.mark.django_db
def test_the_writer_publishes_new_statements_on_recent_launches_as_an_editor():
    # Generated launches run past today: each statement is still issued after its launch.
    day = datetime.date.today() - datetime.timedelta(days=5)
    old = LaunchFactory(occurred_on=day)
    recent = [
        LaunchFactory(occurred_on=day + datetime.timedelta(days=n + 1))
        for n in range(writer.RECENT)
    ]
    SourceFactory()

    durations = writer.publish(every=0, stop=StopAfter(3), rng=random.Random(1))

    assert len(durations) == 3
    published = Statement.objects.order_by("pk")
    assert published.count() == 3
    for statement in published:
        assert statement.status == Status.PUBLISHED
        assert statement.published_at is not None
        assert statement.reviewed_by.username == "bench-editor"
        assert statement.entered_by.username == "bench-editor"
        assert statement.launch in recent
        assert statement.launch != old
        # Through the services: each has the history row of its creation.
        assert [h.history_type for h in statement.history.all()] == ["+"]
        assert statement.issued_at > statement.launch.occurred_at
    assert len({s.quote for s in published}) == 3
