from django.contrib.auth.management import create_permissions
from django.db import migrations

# The records analysts write. Actors and themes are reference data: analysts read them.
EDITORIAL = {
    "timeline": ["source", "launch", "launchclaim", "event", "link"],
    "reactions": ["speaker", "statement"],
}
REFERENCE = {"reactions": ["actor", "theme"]}
PUBLISHABLE = {"timeline": ["launch", "event", "link"], "reactions": ["statement"]}


def codenames(models_by_app, actions):
    return [
        (app_label, f"{action}_{model}")
        for app_label, models in models_by_app.items()
        for model in models
        for action in actions
    ]


ANALYST = [
    *codenames(EDITORIAL, ["view", "add", "change"]),
    *codenames(REFERENCE, ["view"]),
]
EDITOR = [
    *codenames(EDITORIAL, ["view", "add", "change", "delete"]),
    *codenames(REFERENCE, ["view", "add", "change"]),
    *codenames(PUBLISHABLE, ["publish"]),
]


def create_groups(apps, schema_editor):
    # Permissions are created after the last migration; a fresh database has none yet.
    for app_label in ["timeline", "reactions"]:
        app_config = apps.get_app_config(app_label)
        # A migration's app config has no models module, which create_permissions requires.
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in [("Analyst", ANALYST), ("Editor", EDITOR)]:
        permissions = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in wanted
        ]
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Analyst", "Editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reactions", "0003_publish_permissions"),
        ("timeline", "0004_publish_permissions"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
