"""Compute every launch's derived facts again and store those that changed."""

from django.core.management.base import BaseCommand, CommandError

from timeline.models import Launch, LaunchFacts
from timeline.models.facts import FACTS, computed


class Command(BaseCommand):
    help = (
        "Compute every launch's derived facts (ordinal, previous launch, previous of its "
        "class) again and store those that changed: after launches were written by "
        "bulk_create() or SQL, which pass Launch.save(). --check only reports them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; fail naming the launches whose stored facts are out of date.",
        )

    def handle(self, *args, check, **options):
        if not check:
            stored = LaunchFacts.objects.refresh()
            self.stdout.write(f"{stored} launches' facts stored")
            return
        kept = {
            pk: facts
            for pk, *facts in Launch.objects.with_derived_facts().values_list("pk", "slug", *FACTS)
        }
        stale = [
            slug
            for pk, slug, *facts in computed(Launch.objects.all()).values_list("pk", "slug", *FACTS)
            if kept[pk] != [slug, *facts]
        ]
        if stale:
            raise CommandError(
                f"{len(stale)} launches' stored facts are out of date: {', '.join(stale[:20])}"
                + (" …" if len(stale) > 20 else "")
                + "; manage.py refresh_launch_facts stores them"
            )
        self.stdout.write("every launch's stored facts are up to date")
