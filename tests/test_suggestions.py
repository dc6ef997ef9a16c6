"""Trigger suggestions: events before a new launch proposed, ranked, and decided by analysts."""

import datetime

import pytest
from django.urls import reverse

from editorial.models import Status
from timeline.models import EventKind, Link, SuggestionStatus, TriggerSuggestion
from timeline.services import (
    SuggestionRefused,
    trigger_suggestion_accept,
    trigger_suggestion_reject,
    trigger_suggestions_refresh,
)

from .factories import EventFactory, LaunchFactory, LinkFactory, SourceFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 6, 15)


def event(kind, days_before, *, end_days_after=None, **fields):
    start = DAY - datetime.timedelta(days=days_before)
    end = DAY + datetime.timedelta(days=end_days_after) if end_days_after is not None else None
    return EventFactory(kind=kind, start_date=start, end_date=end, **fields)


@pytest.fixture
def launch():
    launch = LaunchFactory(occurred_on=DAY)
    launch.sources.set([SourceFactory()])
    return launch


def test_events_in_the_window_are_ranked_by_kind_and_proximity(launch, settings):
    settings.SUGGESTION_WINDOW_DAYS = 14
    exercise = event(EventKind.EXERCISE, 20, end_days_after=2, title="Freedom Shield")
    warning = event(EventKind.WARNING, 1, title="KCNA warning")
    sanctions = event(EventKind.SANCTIONS, 7, title="New sanctions")
    event(EventKind.OTHER, 30, title="Too early")
    event(EventKind.SUMMIT, -1, title="After the launch")
    LinkFactory(launch=launch, event=event(EventKind.SUMMIT, 2, title="Already linked"))

    suggestions = trigger_suggestions_refresh(launch_id=launch.pk)

    assert [(s.rank, s.event, s.score, s.reason) for s in suggestions] == [
        (1, exercise, 1.0, "Military exercise under way on the launch day (began 20 days before)"),
        (2, warning, 0.9333, "Warning by the launching state 1 day before the launch"),
        (3, sanctions, 0.48, "Sanctions 7 days before the launch"),
    ]
    assert not Link.objects.filter(launch=launch).exclude(event__title="Already linked").exists()


def test_refreshing_keeps_decisions_and_does_not_propose_rejected_events(launch):
    warning = event(EventKind.WARNING, 1)
    sanctions = event(EventKind.SANCTIONS, 3)
    first = trigger_suggestions_refresh(launch_id=launch.pk)
    trigger_suggestion_reject(suggestion=first[0])

    again = trigger_suggestions_refresh(launch_id=launch.pk)

    assert [s.event for s in again] == [sanctions]
    assert TriggerSuggestion.objects.get(event=warning).status == SuggestionStatus.REJECTED


def test_accepting_creates_a_draft_link_citing_the_event_source(launch, admin_user):
    source = SourceFactory()
    warning = event(EventKind.WARNING, 1)
    warning.sources.set([source])
    [suggestion] = trigger_suggestions_refresh(launch_id=launch.pk)

    link = trigger_suggestion_accept(suggestion=suggestion, user=admin_user)

    assert (link.launch, link.event, link.status, link.source) == (
        launch,
        warning,
        Status.DRAFT,
        source,
    )
    assert link.rationale.startswith("Suggested: Warning by the launching state 1 day before")
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.link, suggestion.decided_by) == (
        SuggestionStatus.ACCEPTED,
        link,
        admin_user,
    )
    with pytest.raises(SuggestionRefused):
        trigger_suggestion_reject(suggestion=suggestion)


def test_a_suggestion_without_any_source_cannot_be_accepted():
    launch = LaunchFactory(occurred_on=DAY)
    event(EventKind.WARNING, 1)
    [suggestion] = trigger_suggestions_refresh(launch_id=launch.pk)
    with pytest.raises(SuggestionRefused, match="cites a source"):
        trigger_suggestion_accept(suggestion=suggestion)
    assert not Link.objects.exists()


def test_a_new_launch_gets_suggestions_once_it_is_committed(django_capture_on_commit_callbacks):
    from editorial.services import save_changes
    from timeline.models import Launch

    warning = event(EventKind.WARNING, 2)
    with django_capture_on_commit_callbacks(execute=True):
        launch = Launch(slug="new-launch", occurred_on=DAY, missile_class="SRBM")
        save_changes(launch, {"missile_count": 1})
    assert [s.event for s in TriggerSuggestion.objects.filter(launch=launch)] == [warning]


def test_analysts_accept_and_reject_in_the_admin(admin_client, launch):
    warning = event(EventKind.WARNING, 1)
    warning.sources.set([SourceFactory()])
    exercise = event(EventKind.EXERCISE, 3)
    suggestions = {s.event: s for s in trigger_suggestions_refresh(launch_id=launch.pk)}
    url = reverse("admin:timeline_triggersuggestion_changelist")

    admin_client.post(
        url, {"action": "accept", "_selected_action": [suggestions[warning].pk]}, follow=True
    )
    admin_client.post(
        url, {"action": "reject", "_selected_action": [suggestions[exercise].pk]}, follow=True
    )

    assert dict(TriggerSuggestion.objects.values_list("event", "status")) == {
        warning.pk: "accepted",
        exercise.pk: "rejected",
    }
    assert Link.objects.get().status == Status.DRAFT
