"""Compute every launch's derived facts again and store those that changed."""

from django.core.management.base import BaseCommand, CommandError

from timeline.models import Launch, LaunchFacts


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
        behind = [facts.launch_id for facts in LaunchFacts.objects.out_of_date()]
        stale = sorted(Launch.objects.filter(pk__in=behind).values_list("slug", flat=True))
        if stale:
            raise CommandError(
                f"{len(stale)} launches' stored facts are out of date: {', '.join(stale[:20])}"
                + (" …" if len(stale) > 20 else "")
                + "; manage.py refresh_launch_facts stores them"
            )
        self.stdout.write("every launch's stored facts are up to date")
