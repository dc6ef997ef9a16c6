"""Merging two launches that are one: claims, sources, statements and links move, with
history; the merged launch is withdrawn through the editorial services."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from editorial.models import Status
from editorial.services import ChangeRefused
from imports.services import launches_import
from timeline.models import Launch
from timeline.services import MergeRefused, launch_merge

from .factories import (
    ClaimFactory,
    EventFactory,
    LaunchFactory,
    LinkFactory,
    SourceFactory,
    StatementFactory,
)
from .paths import TEST_DATA

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:timeline_launch_changelist")


def member(group):
    user = User.objects.create_user(group.lower(), is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def twins():
    day = datetime.date(2024, 3, 18)
    keep, merged = LaunchFactory(occurred_on=day), LaunchFactory(occurred_on=day)
    event, other = EventFactory(), EventFactory()
    ClaimFactory(launch=keep)
    ClaimFactory(launch=merged)
    keep.sources.add(SourceFactory())
    merged.sources.add(SourceFactory())
    StatementFactory(launch=keep, quote="Same words.")
    StatementFactory(launch=merged, quote="Same words.", actor=keep.statements.get().actor)
    StatementFactory(launch=merged, quote="Other words.")
    LinkFactory(launch=keep, event=event)
    LinkFactory(launch=merged, event=event)
    LinkFactory(launch=merged, event=other)
    return keep, merged


def test_merging_moves_everything_with_history_and_withdraws_the_merged_launch(twins):
    keep, merged = twins
    claim = merged.claims.get()
    moved = launch_merge(keep=keep, merged=merged, user=member("Editor"))
    assert moved == {"claims": 1, "sources": 1, "statements": 1, "links": 1, "suggestions": 0}
    assert not Launch.objects.filter(pk=merged.pk).exists()
    assert keep.claims.count() == 2
    assert keep.sources.count() == 2
    assert sorted(keep.statements.values_list("quote", flat=True)) == [
        "Other words.",
        "Same words.",
    ]
    assert keep.links.count() == 2
    # The history says where the claim was before.
    assert [h.launch_id for h in claim.history.order_by("history_date")] == [merged.pk, keep.pk]
    assert Launch.history.filter(id=merged.pk, history_type="-").exists()


def test_an_analyst_may_not_merge_published_launches(twins):
    keep, merged = twins
    with pytest.raises((ChangeRefused, MergeRefused)):
        launch_merge(keep=keep, merged=merged, user=member("Analyst"))
    assert Launch.objects.filter(pk=merged.pk).exists()
    assert merged.claims.count() == 1


def test_a_launch_is_not_merged_into_itself(twins):
    with pytest.raises(MergeRefused, match="into itself"):
        launch_merge(keep=twins[0], merged=twins[0])


def test_the_admin_action_asks_which_launch_to_keep_then_merges(client, twins):
    keep, merged = twins
    client.force_login(member("Editor"))
    chosen = {"action": "merge_into", "_selected_action": [keep.pk, merged.pk]}
    page = client.post(CHANGELIST, chosen)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Merge 2 launches into one" in html
    assert f'name="keep" value="{merged.pk}"' in html
    done = client.post(CHANGELIST, {**chosen, "post": "yes", "keep": merged.pk}, follow=True)
    assert "1 launch(es) merged into" in done.content.decode()
    assert not Launch.objects.filter(pk=keep.pk).exists()
    assert Launch.objects.get(pk=merged.pk).statements.count() == 2


def test_the_admin_action_refuses_an_analyst_published_launches(client, twins):
    keep, merged = twins
    client.force_login(member("Analyst"))
    chosen = {"action": "merge_into", "_selected_action": [keep.pk, merged.pk]}
    done = client.post(CHANGELIST, {**chosen, "post": "yes", "keep": keep.pk}, follow=True)
    assert "Nothing was merged: " in done.content.decode()
    assert Launch.objects.filter(pk=merged.pk).exists()


def test_an_ambiguous_import_merged_by_an_analyst_is_not_split_again_by_a_reimport():
    day = datetime.date(2022, 1, 5)
    for hour in (23, 0):
        LaunchFactory(
            occurred_on=day if hour else day + datetime.timedelta(days=1),
            occurred_at=datetime.datetime(2022, 1, 4 if hour else 5, hour, tzinfo=datetime.UTC),
            missile_class="unknown",
        )
    cns = (TEST_DATA / "cns_sample.csv").read_bytes()
    assert launches_import(file=io.BytesIO(cns), format="cns").written
    draft = Launch.objects.get(status=Status.DRAFT)
    keep = Launch.objects.filter(occurred_on=day).exclude(pk=draft.pk).first()
    launch_merge(keep=keep, merged=draft)
    count = Launch.objects.count()
    again = launches_import(file=io.BytesIO(cns), format="cns")
    assert again.written
    assert again.created == 0
    assert Launch.objects.count() == count
