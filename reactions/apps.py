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


class ReactionsConfig(AppConfig):
    name = "reactions"
    verbose_name = "Reactions"

    def ready(self):
        post_migrate.connect(ensure_actors, sender=self)
