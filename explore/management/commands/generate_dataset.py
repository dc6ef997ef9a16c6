"""A deterministic, realistic dataset of any size, for benchmarks and load tests."""

import datetime
import random

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.caching import bump_data_version
from editorial.models import Status
from reactions.models import Actor, Channel, Speaker, Stance, Statement
from timeline.models import (
    ClaimAttribute,
    Confidence,
    Event,
    EventKind,
    Launch,
    LaunchCategory,
    LaunchClaim,
    LaunchFacts,
    Link,
    MissileClass,
    Relation,
    Source,
    TriggerSuggestion,
)

PREFIX = "gen:"
BALLISTIC = ["SRBM", "SRBM", "SRBM", "CRBM", "MRBM", "IRBM", "ICBM", "SLBM"]
# The forty actors that react most: neighbours, permanent members, blocs, agencies.
ACTORS = [
    "US", "KR", "JP", "CN", "RU", "GB", "FR", "DE", "IT", "CA", "AU", "NZ", "IN", "PH", "VN",
    "ID", "MY", "SG", "TH", "MN", "UA", "PL", "NL", "BE", "ES", "SE", "NO", "FI", "DK", "CH",
    "TR", "IR", "SY", "CU", "UN", "UNSC", "EU", "NATO", "G7", "IAEA",
]  # fmt: skip
STANCES = [Stance.CONDEMNS] * 6 + [Stance.CONCERNED] * 3 + [Stance.NEUTRAL, Stance.DEFENDS]
SITES = ["Sunan", "Wonsan", "Sinpo", "Tongchang-ri", "Kaechon", "Chunghwa", "Hamhung"]


class Command(BaseCommand):
    help = "Add N generated launches (~20 statements each across 40 actors, claims, events, links)."

    def add_arguments(self, parser):
        parser.add_argument("--launches", type=int, required=True)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--replace", action="store_true", help="Delete what an earlier run generated first."
        )

    def handle(self, *args, launches, seed, replace, **options):
        rng = random.Random(seed)
        with transaction.atomic():
            if replace:
                self.delete_generated()
            counts = self.generate(rng, launches)
            # Bulk writes send no signals: pages cached before must not be served again.
            transaction.on_commit(bump_data_version)
        if connection.vendor == "postgresql":
            # Fresh statistics, or the planner treats a table it just saw grow as small.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(", ".join(f"{n} {name}" for name, n in counts.items()))

    def delete_generated(self):
        """Remove what an earlier run generated, a table at a time.

        Not through the ORM's collector: it would load every row and write a history row
        for each deletion, a quarter of an hour at 200,000 statements. Generated rows never
        had a history, and the cache version is bumped once at the end instead.
        """
        launches = Launch.objects.filter(external_id__startswith=PREFIX)
        events = Event.objects.filter(external_id__startswith=PREFIX)
        statements = Statement.objects.filter(launch__in=launches)
        for rows in (
            Statement.themes.through.objects.filter(statement__in=statements),
            Statement.co_signers.through.objects.filter(statement__in=statements),
            statements,
            LaunchClaim.objects.filter(launch__in=launches),
            Link.objects.filter(Q(launch__in=launches) | Q(event__in=events)),
            TriggerSuggestion.objects.filter(Q(launch__in=launches) | Q(event__in=events)),
            Launch.sources.through.objects.filter(launch__in=launches),
            LaunchFacts.objects.filter(launch__in=launches),
            Event.sources.through.objects.filter(event__in=events),
            launches,
            events,
            Speaker.objects.filter(name__startswith="Generated "),
            Source.objects.filter(reference__startswith="gen-"),
        ):
            rows._raw_delete(rows.db)
        LaunchFacts.objects.refresh()  # the launches left may have followed deleted ones

    def generate(self, rng, count):
        now = timezone.now()
        actors = list(Actor.objects.filter(code__in=ACTORS))
        speakers = Speaker.objects.bulk_create(
            Speaker(
                actor=actor, name=f"Generated spokesperson of {actor.code}", role="Spokesperson"
            )
            for actor in actors
        )
        speaker_of = {speaker.actor_id: speaker for speaker in speakers}
        sources = Source.objects.bulk_create(
            Source(reference=f"gen-{n}", title=f"Generated report {n}", publisher="generated")
            for n in range(max(count // 10, 1))
        )
        start = datetime.datetime(2000, 1, 1, 1, 0, tzinfo=datetime.UTC)
        launches, events, at = [], [], start
        for n in range(count):
            at += datetime.timedelta(days=rng.randint(1, 3), minutes=rng.randint(0, 600))
            missile_class = rng.choice(BALLISTIC) if rng.random() < 0.8 else MissileClass.CRUISE
            local = at.astimezone(datetime.timezone(datetime.timedelta(hours=9)))
            launches.append(
                Launch(
                    slug=f"gen-{n}",
                    external_id=f"{PREFIX}{n}",
                    occurred_on=local.date(),
                    occurred_at=at,
                    sort_at=at,
                    missile_count=rng.randint(1, 4),
                    category=LaunchCategory.CRUISE
                    if missile_class == MissileClass.CRUISE
                    else LaunchCategory.BALLISTIC,
                    missile_class=missile_class,
                    missile_type_label=missile_class,
                    missile_name=f"Generated-{rng.randint(1, 30)}",
                    launch_site=rng.choice(SITES),
                    direction="East Sea",
                    distance_km=rng.randint(100, 1500),
                    apogee_km=rng.randint(20, 2000),
                    outcome="success",
                    confidence=Confidence.SUSPECTED,
                    reporting_authority="JCS",
                    status=Status.PUBLISHED,
                    published_at=now,
                )
            )
            if n % 2 == 0:
                day = local.date() - datetime.timedelta(days=rng.randint(0, 5))
                events.append(
                    Event(
                        slug=f"gen-event-{n}",
                        external_id=f"{PREFIX}event-{n}",
                        kind=rng.choice(EventKind.values),
                        title=f"Generated event {n}",
                        start_date=day,
                        participants="United States; South Korea",
                        participant_codes=["US", "KR"],
                        status=Status.PUBLISHED,
                        published_at=now,
                    )
                )
        launches = Launch.objects.bulk_create(launches, batch_size=2000)
        LaunchFacts.objects.refresh()  # bulk_create() does not call Launch.save()
        events = Event.objects.bulk_create(events, batch_size=2000)
        claims, links, statements = [], [], []
        for n, launch in enumerate(launches):
            for position, claimant in enumerate(("JCS", "Japan MoD")):
                value = launch.distance_km + position * 50
                claims.append(
                    LaunchClaim(
                        launch=launch,
                        attribute=ClaimAttribute.DISTANCE,
                        position=position,
                        value_text=f"~{value} ({claimant})",
                        value=value,
                        claimant=claimant,
                    )
                )
            links.append(
                Link(
                    launch=launch,
                    event=events[n // 2],
                    relation=Relation.TIMED_WITH,
                    rationale="Generated link.",
                    source=sources[n % len(sources)],
                    status=Status.PUBLISHED,
                )
            )
            for actor in rng.sample(actors, k=min(20, len(actors))):
                issued = launch.occurred_at + datetime.timedelta(minutes=rng.randint(20, 2000))
                statements.append(
                    Statement(
                        launch=launch,
                        actor=actor,
                        speaker=speaker_of[actor.pk],
                        issued_on=issued.date(),
                        issued_at=issued,
                        channel=rng.choice(Channel.values),
                        quote=f"Generated statement of {actor.code} on launch {n}.",
                        summary="Generated.",
                        stance=rng.choice(STANCES),
                        source=sources[n % len(sources)],
                        status=Status.PUBLISHED,
                        published_at=now,
                    )
                )
        LaunchClaim.objects.bulk_create(claims, batch_size=5000)
        Link.objects.bulk_create(links, batch_size=5000)
        Statement.objects.bulk_create(statements, batch_size=5000)
        return {
            "launches": len(launches),
            "events": len(events),
            "claims": len(claims),
            "links": len(links),
            "statements": len(statements),
        }
