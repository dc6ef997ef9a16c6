from django.contrib.auth.management import create_permissions
from django.db import migrations

# Editors run imports and see everyone's jobs; and since suggestions go with a launch, an
# editor who may delete a launch may delete its suggestions.
EDITOR = [
    ("importjob", "view_importjob"),
    ("importjob", "add_importjob"),
    ("importjob", "view_all_importjobs"),
    ("triggersuggestion", "delete_triggersuggestion"),
]


def grant(apps, schema_editor):
    # Permissions are created after the last migration; a fresh database has none yet.
    app_config = apps.get_app_config("timeline")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(
        *(
            Permission.objects.get(content_type__app_label="timeline", codename=codename)
            for _, codename in EDITOR
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor = Group.objects.filter(name="Editor").first()
    if editor is not None:
        editor.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="timeline", codename__in=[c for _, c in EDITOR]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reactions", "0004_editorial_groups"),
        ("timeline", "0009_importjob_view_all_and_suggestion_history"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
