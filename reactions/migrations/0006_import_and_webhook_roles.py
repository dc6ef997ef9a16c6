"""Editors manage webhook subscriptions and import files, as the README says they do;
analysts import too, and their imports are drafts for an editor to review. Both decide
trigger suggestions, and editors can delete launches that have some."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ANALYST = [
    ("timeline", "view_importjob"),
    ("timeline", "add_importjob"),
    ("timeline", "view_triggersuggestion"),
    ("timeline", "change_triggersuggestion"),
]
EDITOR = [
    *ANALYST,
    ("timeline", "delete_triggersuggestion"),
    ("timeline", "view_all_importjobs"),
    ("webhooks", "view_subscription"),
    ("webhooks", "add_subscription"),
    ("webhooks", "change_subscription"),
    ("webhooks", "delete_subscription"),
    ("webhooks", "view_delivery"),
    ("webhooks", "view_attempt"),
]
ROLES = {"Analyst": ANALYST, "Editor": EDITOR}


def grant(apps, schema_editor):
    for app_label in ["timeline", "webhooks"]:
        app_config = apps.get_app_config(app_label)
        # A migration's app config has no models module, which create_permissions requires.
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLES.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        group.permissions.add(
            *[
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codename in wanted
            ]
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLES.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for app_label, codename in wanted:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("reactions", "0005_text_refuses_nul"),
        ("timeline", "0010_editor_sees_all_import_jobs_and_deletes_suggestions"),
        ("webhooks", "0002_text_refuses_nul"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
