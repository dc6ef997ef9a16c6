"""An editor deletes a launch that has trigger suggestions, and restoring the launch brings
its suggestions back with the decisions taken on them."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from timeline.models import Event, EventKind, Launch, Link, SuggestionStatus, TriggerSuggestion
from timeline.services import (
    trigger_suggestion_accept,
    trigger_suggestion_reject,
    trigger_suggestions_refresh,
)

from .factories import EventFactory, LaunchFactory, SourceFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 6, 15)


def editor():
    user = User.objects.create_user("erin", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def suggestions_of(launch):
    """Every stored value of the launch's suggestions, by event title."""
    return {
        s["event__title"]: s
        for s in TriggerSuggestion.objects.filter(launch=launch).values(
            "id",
            "event__title",
            "rank",
            "score",
            "days_before",
            "under_way",
            "reason",
            "status",
            "link",
            "decided_by",
            "decided_at",
            "created_at",
        )
    }


@pytest.fixture
def launch_with_suggestions():
    launch = LaunchFactory(occurred_on=DAY)
    launch.sources.set([SourceFactory()])
    for title, kind, days in [
        ("KCNA warning", EventKind.WARNING, 1),
        ("Freedom Shield", EventKind.EXERCISE, 3),
        ("New sanctions", EventKind.SANCTIONS, 5),
    ]:
        EventFactory(title=title, kind=kind, start_date=DAY - datetime.timedelta(days=days))
    by_title = {s.event.title: s for s in trigger_suggestions_refresh(launch_id=launch.pk)}
    decider = User.objects.create_user("ana")
    trigger_suggestion_accept(suggestion=by_title["KCNA warning"], user=decider)
    trigger_suggestion_reject(suggestion=by_title["Freedom Shield"], user=decider)
    return launch


def test_an_editor_deletes_a_launch_with_suggestions_and_restores_them(
    client, launch_with_suggestions
):
    launch = launch_with_suggestions
    before = suggestions_of(launch)
    assert {title: s["status"] for title, s in before.items()} == {
        "KCNA warning": SuggestionStatus.ACCEPTED,
        "Freedom Shield": SuggestionStatus.REJECTED,
        "New sanctions": SuggestionStatus.PENDING,
    }
    assert before["KCNA warning"]["link"] == Link.objects.get().pk
    client.force_login(editor())

    response = client.post(
        reverse("admin:timeline_launch_delete", args=[launch.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Launch.objects.exists()
    assert not TriggerSuggestion.objects.exists()
    assert not Link.objects.exists()

    response = client.post(reverse("admin:timeline_launch_restore", args=[launch.pk]))

    assert response.status_code == 302
    assert suggestions_of(launch) == before
    assert Link.objects.get().pk == before["KCNA warning"]["link"]


def test_a_suggestion_whose_event_is_gone_is_not_restored(client, launch_with_suggestions):
    launch = launch_with_suggestions
    before = suggestions_of(launch)
    client.force_login(editor())
    client.post(reverse("admin:timeline_launch_delete", args=[launch.pk]), {"post": "yes"})
    Event.objects.get(title="Freedom Shield").delete()

    client.post(reverse("admin:timeline_launch_restore", args=[launch.pk]))

    del before["Freedom Shield"]
    assert suggestions_of(launch) == before
