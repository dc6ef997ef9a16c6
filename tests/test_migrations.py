"""Every migration of Salvo's apps reverses, and the models match the migrations."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

APPS = ("timeline", "reactions", "imports", "webhooks")


def applied(app):
    executor = MigrationExecutor(connection)
    return sorted(name for label, name in executor.loader.applied_migrations if label == app)


@pytest.mark.django_db(transaction=True)
def test_all_migrations_reverse_to_zero_and_apply_again():
    before = {app: applied(app) for app in APPS}
    assert before["timeline"]
    assert before["reactions"]
    try:
        # timeline is the root: taking it to zero unapplies the other apps first.
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


# The last migrations before import jobs moved from the timeline app to imports.
BEFORE_IMPORTS_APP = [
    ("timeline", "0011_text_refuses_control_characters_and_bounds_long_text"),
    ("reactions", "0007_text_refuses_control_characters_and_bounds_long_text"),
    ("webhooks", "0005_text_refuses_control_characters"),
]
IMPORTJOB_PERMISSIONS = {
    "add_importjob",
    "change_importjob",
    "delete_importjob",
    "view_importjob",
    "view_all_importjobs",
}


@pytest.mark.django_db(transaction=True)
def test_import_jobs_move_to_the_imports_app_with_their_rows_and_permissions():
    from django.contrib.auth.models import Group, User
    from django.contrib.contenttypes.models import ContentType

    from imports.models import ImportJob

    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE_IMPORTS_APP)
        old = executor.loader.project_state(BEFORE_IMPORTS_APP).apps
        assert "imports" not in {app.label for app in old.get_app_configs()}
        user = old.get_model("auth", "User").objects.create(username="ana")
        job = old.get_model("timeline", "ImportJob").objects.create(
            kind="launches",
            filename="launches.csv",
            content="event_id,date_kst\n",
            status="done",
            report={"created": 1, "refused": []},
            created_by=user,
            rows_total=1,
            rows_done=1,
        )
        content_type = old.get_model("contenttypes", "ContentType").objects.get(
            app_label="timeline", model="importjob"
        )
        group = old.get_model("auth", "Group").objects.create(name="Importers")
        group.permissions.set(
            old.get_model("auth", "Permission").objects.filter(content_type=content_type)
        )
        user.groups.add(group)

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        ContentType.objects.clear_cache()
        moved = ImportJob.objects.get(pk=job.pk)
        assert (moved.filename, moved.status, moved.report, moved.created_by_id) == (
            "launches.csv",
            "done",
            {"created": 1, "refused": []},
            user.pk,
        )
        assert ContentType.objects.get_for_model(ImportJob).pk == content_type.pk
        assert not ContentType.objects.filter(app_label="timeline", model="importjob").exists()
        held = Group.objects.get(name="Importers").permissions
        assert set(held.values_list("content_type__app_label", "codename")) == {
            ("imports", codename) for codename in IMPORTJOB_PERMISSIONS
        }
        ana = User.objects.get(username="ana")
        assert {f"imports.{codename}" for codename in IMPORTJOB_PERMISSIONS} <= (
            ana.get_all_permissions()
        )
        roles = {
            name: set(
                Group.objects.get(name=name)
                .permissions.filter(codename__in=IMPORTJOB_PERMISSIONS)
                .values_list("content_type__app_label", "codename")
            )
            for name in ("Analyst", "Editor")
        }
        assert roles == {
            "Analyst": {("imports", "add_importjob"), ("imports", "view_importjob")},
            "Editor": {
                ("imports", "add_importjob"),
                ("imports", "view_importjob"),
                ("imports", "view_all_importjobs"),
            },
        }
    finally:
        call_command("migrate", "--noinput", stdout=io.StringIO())


def _table_counts():
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_previous_layout_keeps_every_row_and_history_row():
    """Every table holds the same rows after migrating to the new layout: records, their
    history, permissions, content types; only the migration log grows, and tables that
    later migrations add start empty, but for the launches' derived facts, one per launch."""
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE_IMPORTS_APP)
        old = executor.loader.project_state(BEFORE_IMPORTS_APP).apps
        user = old.get_model("auth", "User").objects.create(username="ed")
        source = old.get_model("timeline", "Source").objects.create(url="https://a.example/1")
        launch = old.get_model("timeline", "Launch").objects.create(
            slug="2025-11-07-srbm",
            occurred_on="2025-11-07",
            sort_at="2025-11-07T00:00:00Z",
            missile_class="SRBM",
            status="published",
        )
        launch.sources.add(source)
        old.get_model("timeline", "HistoricalLaunch").objects.create(
            id=launch.pk,
            slug=launch.slug,
            occurred_on=launch.occurred_on,
            sort_at=launch.sort_at,
            created_at=launch.created_at,
            updated_at=launch.updated_at,
            missile_class="SRBM",
            status="published",
            history_date="2025-11-07T01:00:00Z",
            history_type="+",
            history_user=user,
        )
        old.get_model("timeline", "ImportJob").objects.create(
            kind="events", filename="events.csv", content="", created_by=user
        )
        before = _table_counts()

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        after = _table_counts()
        assert after.pop("django_migrations") > before.pop("django_migrations")
        added = {table: after.pop(table) for table in set(after) - set(before)}
        assert after == before
        # The launches' derived facts are computed by the migration that adds their table.
        assert added.pop("timeline_launchfacts") == before["timeline_launch"] == 1
        assert set(added.values()) <= {0}, added
        assert before["timeline_historicallaunch"] == 1
        assert before["timeline_importjob"] == 1
    finally:
        call_command("migrate", "--noinput", stdout=io.StringIO())
