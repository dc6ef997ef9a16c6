"""Full history: who changed what, and an editor's revert and restore bring back the data."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from editorial.models import Status
from editorial.services import TransitionRefused, record_revert
from reactions.models import Statement, Theme
from timeline.models import Launch, LaunchClaim, Link

from .factories import LaunchFactory, LinkFactory, SourceFactory, StatementFactory

pytestmark = pytest.mark.django_db


def member(group):
    user = User.objects.create_user(group.lower(), is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def snapshot(instance):
    """Every stored value of a record and its many-to-many ids, less the last-changed stamp."""
    instance = type(instance).objects.get(pk=instance.pk)
    values = {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.name != "updated_at"
    }
    for field in instance._meta.many_to_many:
        values[field.name] = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    return values


def revert(client, instance, record):
    meta = instance._meta
    url = reverse(
        f"admin:{meta.app_label}_{meta.model_name}_simple_history",
        args=[instance.pk, record.history_id],
    )
    return client.post(url)


def test_an_edit_is_kept_with_who_and_what_and_an_editor_reverts_it(client):
    analyst, editor = member("Analyst"), member("Editor")
    statement = StatementFactory(status=Status.DRAFT, summary="First words.")
    statement.themes.set([Theme.objects.create(slug="dialogue", name="calls for dialogue")])
    before = snapshot(statement)
    earlier = statement.history.first()

    client.force_login(analyst)
    url = reverse("admin:reactions_statement_change", args=[statement.pk])
    data = {
        "launch": statement.launch_id,
        "actor": statement.actor_id,
        "issued_on": statement.issued_on.isoformat(),
        "channel": "briefing",
        "quote": "Changed words.",
        "quote_kind": "verbatim",
        "summary": "Second words.",
        "stance": -1,
        "source": SourceFactory().pk,
    }
    assert client.post(url, data).status_code == 302
    assert snapshot(statement)["themes"] == []
    latest = statement.history.first()
    assert latest.history_user == analyst
    changed = {change.field for change in latest.diff_against(earlier).changes}
    assert {"quote", "summary", "channel", "stance", "source", "themes"} <= changed

    history = reverse("admin:reactions_statement_history", args=[statement.pk])
    history_page = client.get(history).content.decode()
    assert "Second words." in history_page
    assert "First words." in history_page
    assert revert(client, statement, earlier).status_code == 403

    client.force_login(editor)
    response = revert(client, statement, earlier)
    assert response.status_code == 302
    assert snapshot(statement) == before
    assert statement.history.first().history_user == editor


def test_reverting_to_a_published_version_goes_through_the_publish_rules(client):
    statement = StatementFactory(status=Status.PUBLISHED)
    published = statement.history.first()
    statement.status = Status.DRAFT
    statement.save()
    client.force_login(member("Editor"))
    revert(client, statement, published)
    statement.refresh_from_db()
    assert statement.status == Status.PUBLISHED
    assert [h.status for h in statement.history.all()][:2] == ["published", "draft"]


def test_a_revert_that_would_publish_needs_the_publish_permission():
    statement = StatementFactory(status=Status.PUBLISHED)
    published = statement.history.first()
    statement.status = Status.DRAFT
    statement.save()
    with pytest.raises(TransitionRefused):
        record_revert(record=published, user=member("Analyst"))
    statement.refresh_from_db()
    assert statement.status == Status.DRAFT


def test_a_deleted_statement_is_restored_exactly(client):
    statement = StatementFactory(status=Status.PUBLISHED, via="RIA Novosti")
    statement.themes.set([Theme.objects.create(slug="right", name="legitimate right")])
    before = snapshot(statement)
    client.force_login(member("Editor"))
    delete = reverse("admin:reactions_statement_delete", args=[statement.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Statement.objects.exists()

    deleted_page = client.get(reverse("admin:reactions_statement_deleted")).content.decode()
    assert str(statement) in deleted_page
    restore = reverse("admin:reactions_statement_restore", args=[statement.pk])
    assert client.post(restore).status_code == 302
    assert snapshot(statement) == before
    deleted_page = client.get(reverse("admin:reactions_statement_deleted")).content.decode()
    assert "No statements have been deleted." in deleted_page


def test_a_deleted_launch_comes_back_with_its_claims_and_links(client):
    launch = LaunchFactory(missile_name="Hwasong-11")
    launch.sources.set([SourceFactory()])
    claim = LaunchClaim.objects.create(
        launch=launch, attribute="distance", value_text="~700", claimant="JCS"
    )
    link = LinkFactory(launch=launch)
    before = [snapshot(launch), snapshot(claim), snapshot(link)]
    client.force_login(member("Editor"))
    delete = reverse("admin:timeline_launch_delete", args=[launch.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Launch.objects.exists()
    assert not LaunchClaim.objects.exists()
    assert not Link.objects.exists()

    client.post(reverse("admin:timeline_launch_restore", args=[launch.pk]))
    assert [snapshot(launch), snapshot(claim), snapshot(link)] == before


def test_an_analyst_can_neither_see_deleted_records_nor_restore_them(client):
    statement = StatementFactory()
    statement.delete()
    client.force_login(member("Analyst"))
    assert client.get(reverse("admin:reactions_statement_deleted")).status_code == 403
    restore = reverse("admin:reactions_statement_restore", args=[statement.pk])
    assert client.post(restore).status_code == 403
    assert not Statement.objects.exists()
