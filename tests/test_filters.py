"""The FilterSets the pages and the API share."""

import pytest

from reactions.filters import LaunchFilter, StatementFilter
from reactions.models import Statement
from timeline.filters import EventFilter
from timeline.models import Event, Launch

pytestmark = pytest.mark.django_db


def launch_ids(**params):
    found = LaunchFilter(params, queryset=Launch.objects.published().chronological())
    assert found.is_valid(), found.errors
    return [launch.external_id for launch in found.qs]


def test_launch_filters(demo):
    assert launch_ids(year="2025", missile_class="SRBM") == [
        "L2025-002",
        "L2025-007",
        "L2025-009",
        "L2025-011",
    ]
    assert launch_ids(actor="ru", stance="2") == ["L2024-020", "L2025-011"]
    assert launch_ids(actor="RU", stance="-2") == []
    condemned = launch_ids(stance="-2")
    assert "L2025-011" in condemned
    assert len(condemned) == len(set(condemned)) > 1
    assert launch_ids(date_from="2025-10-01", date_to="2025-10-31") == ["L2025-009", "L2025-010"]
    assert launch_ids(event_kind="sanctions", year="2025") == ["L2025-011"]
    assert launch_ids(q="Hwasong-19") == ["L2024-019"]
    assert len(launch_ids(category="space_launch")) == 4


def test_bad_filter_values_are_reported_by_field():
    found = LaunchFilter({"date_from": "yesterday", "stance": "9", "missile_class": "XRBM"})
    assert not found.is_valid()
    assert set(found.errors) == {"date_from", "stance", "missile_class"}


def test_event_and_statement_filters(demo):
    events = EventFilter({"kind": "sanctions", "year": "2025"}, queryset=Event.objects.all())
    assert [e.external_id for e in events.qs] == ["C044", "C059"]  # C044: sanctions monitoring
    statements = StatementFilter({"q": "peskov"}, queryset=Statement.objects.all())
    assert {s.actor.code for s in statements.qs} == {"RU"}
    by_theme = StatementFilter(
        {"theme": "violates-unsc-resolutions"}, queryset=Statement.objects.all()
    )
    assert "KR" in {s.actor.code for s in by_theme.qs}
    assert "RU" not in {s.actor.code for s in by_theme.qs}
