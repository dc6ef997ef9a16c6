"""Every migration of Salvo's apps reverses, and the models match the migrations."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

APPS = ("timeline", "reactions", "webhooks")


def applied(app):
    executor = MigrationExecutor(connection)
    return sorted(name for label, name in executor.loader.applied_migrations if label == app)


@pytest.mark.django_db(transaction=True)
def test_all_migrations_reverse_to_zero_and_apply_again():
    before = {app: applied(app) for app in APPS}
    assert before["timeline"]
    assert before["reactions"]
    try:
        # timeline is the root: taking it to zero unapplies reactions and webhooks first.
        call_command("migrate", "timeline", "zero", "--noinput", stdout=io.StringIO())
        assert {app: applied(app) for app in APPS} == {app: [] for app in APPS}
        tables = connection.introspection.table_names()
        assert not [t for t in tables if t.startswith(("timeline_", "reactions_", "webhooks_"))]
    finally:
        # Whatever happened, leave the schema whole for the tests that follow.
        call_command("migrate", "--noinput", stdout=io.StringIO())
    assert {app: applied(app) for app in APPS} == before


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_actors_and_editorial_groups_come_back_after_a_flush():
    from django.contrib.auth.models import Group

    from reactions.models import Actor

    before = {
        g.name: sorted(g.permissions.values_list("codename", flat=True))
        for g in Group.objects.all()
    }
    assert set(before) >= {"Analyst", "Editor"}
    call_command("flush", "--noinput")
    after = {
        g.name: sorted(g.permissions.values_list("codename", flat=True))
        for g in Group.objects.all()
    }
    assert after == before
    assert Actor.objects.count() == 261
