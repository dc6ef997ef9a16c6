import importlib

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_actors(sender, using="default", **kwargs):
    """Every ISO state and reacting organisation exists, also after a database flush."""
    from django.db import connections

    from .migrations._actors import ORGANISATIONS, STATES
    from .models import Actor, ActorKind

    if Actor._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated back to zero
    present = set(Actor.objects.using(using).values_list("code", flat=True))
    Actor.objects.using(using).bulk_create(
        [
            Actor(code=code, kind=kind, name=name, short_name=short)
            for kind, rows in ((ActorKind.STATE, STATES), (ActorKind.ORGANISATION, ORGANISATIONS))
            for code, name, short in rows
            if code not in present
        ]
    )


# The role migrations name import-job permissions under timeline, the app the model was in
# when they were written; they are now the imports app's.
MOVED_PERMISSIONS = {
    ("timeline", codename): "imports"
    for codename in (
        "view_importjob",
        "add_importjob",
        "change_importjob",
        "delete_importjob",
        "view_all_importjobs",
    )
}


def ensure_groups(sender, using="default", **kwargs):
    """The Analyst and Editor groups exist, also after a flush; existing ones are left alone."""
    from django.apps import apps as django_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.db import connections
    from django.db.models import Q

    if Group._meta.db_table not in connections[using].introspection.table_names():
        return
    # The roles name permissions of apps whose own post_migrate may not have run yet.
    for app_label in ("timeline", "reactions", "imports", "webhooks"):
        create_permissions(django_apps.get_app_config(app_label), verbosity=0, using=using)
    roles = importlib.import_module("reactions.migrations.0004_editorial_groups")
    more = importlib.import_module("reactions.migrations.0006_import_and_webhook_roles")
    for name, wanted in (
        ("Analyst", [*roles.ANALYST, *more.ANALYST]),
        ("Editor", [*roles.EDITOR, *more.EDITOR]),
    ):
        if Group.objects.using(using).filter(name=name).exists():
            continue
        group = Group.objects.using(using).create(name=name)
        pairs = Q()
        for app_label, codename in wanted:
            app_label = MOVED_PERMISSIONS.get((app_label, codename), app_label)
            pairs |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.using(using).filter(pairs))


class ReactionsConfig(AppConfig):
    name = "reactions"
    verbose_name = "Reactions"

    def ready(self):
        from editorial.services import shown_by
        from timeline.models import Source
        from timeline.services import merge_moves

        from .models import Speaker, Statement
        from .services import statements_move

        # A source or a speaker that a published statement shows changes only by an editor.
        shown_by(Source, lambda source: Statement.objects.published().filter(source=source).first())
        shown_by(
            Source,
            lambda source: Statement.objects.published().filter(further_sources=source).first(),
        )
        shown_by(
            Speaker, lambda speaker: Statement.objects.published().filter(speaker=speaker).first()
        )
        # A launch merged into another takes its statements along (timeline.services).
        merge_moves(statements_move)
        post_migrate.connect(ensure_actors, sender=self)
        post_migrate.connect(ensure_groups, sender=self)
