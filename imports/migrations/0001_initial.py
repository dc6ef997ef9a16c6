"""Import jobs, taken over from the timeline app with their table, rows and permissions.

The table keeps its name (timeline_importjob): only Django's idea of the model moves. The
content type moves too, so that the permissions on import jobs, and the groups and users
holding them, follow the model without being created again.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODEL = "importjob"


def move_content_type(apps, schema_editor, *, source, target):
    """Give `source`'s import-job content type, and so its permissions, to `target`.

    A content type already made for `target` (a migrate back then forth leaves one, made
    after the migrations ran) is merged into the one that moves: its permissions' holders
    go to the same permissions of the moving one, and it is deleted.
    """
    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    types = ContentType.objects.using(db)
    moving = types.filter(app_label=source, model=MODEL).first()
    if moving is None:
        return  # a database whose permissions were never created
    stale = types.filter(app_label=target, model=MODEL).first()
    if stale is not None:
        for permission in Permission.objects.using(db).filter(content_type=stale):
            kept = (
                Permission.objects.using(db)
                .filter(content_type=moving, codename=permission.codename)
                .first()
            )
            if kept is None:
                permission.content_type = moving
                permission.save(update_fields=["content_type"])
                continue
            kept.group_set.add(*permission.group_set.all())
            kept.user_set.add(*permission.user_set.all())
        stale.delete()
    moving.app_label = target
    moving.save(update_fields=["app_label"])
    # The content types Django keeps in memory name the old app.
    CurrentContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    move_content_type(apps, schema_editor, source="timeline", target="imports")


def backwards(apps, schema_editor):
    move_content_type(apps, schema_editor, source="imports", target="timeline")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        # Granting import-job permissions to the roles names them under timeline: it must
        # run while they are still there.
        ("reactions", "0006_import_and_webhook_roles"),
        ("timeline", "0012_importjob_moves_to_imports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportJob",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("launches", "Launches (Salvo chronology CSV)"),
                                    ("launches_cns", "Launches (CNS missile test database CSV)"),
                                    ("events", "Context events (Salvo events CSV)"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("filename", models.CharField(max_length=255)),
                        (
                            "content",
                            models.TextField(
                                help_text="The uploaded file, kept so the job can be rerun.",
                                validators=[
                                    django.core.validators.ProhibitNullCharactersValidator()
                                ],
                            ),
                        ),
                        (
                            "skip_invalid",
                            models.BooleanField(
                                default=False,
                                help_text="Write the valid rows and report the refused ones.",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("running", "Running"),
                                    ("done", "Done"),
                                    ("refused", "Refused"),
                                    ("failed", "Failed"),
                                ],
                                default="queued",
                                max_length=10,
                            ),
                        ),
                        ("report", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "rows_total",
                            models.PositiveIntegerField(
                                blank=True,
                                help_text="Rows of the file to write, once it has been read.",
                                null=True,
                            ),
                        ),
                        (
                            "rows_done",
                            models.PositiveIntegerField(
                                default=0, help_text="Rows written so far."
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "timeline_importjob",
                        "ordering": ["-created_at", "-id"],
                        "permissions": [
                            ("view_all_importjobs", "Can view import jobs of every user")
                        ],
                        "indexes": [
                            models.Index(
                                fields=["-created_at", "-id"], name="timeline_im_created_e20418_idx"
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("kind__in", ["launches", "launches_cns", "events"])
                                ),
                                name="import_kind_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "status__in",
                                        ["queued", "running", "done", "refused", "failed"],
                                    )
                                ),
                                name="import_status_valid",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
