"""Load the demo data: the 2022-2025 chronology, the reactions to its launches, and the story
of the 7 November 2025 launch."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from editorial.models import Status
from imports.services import events_import, launches_import, statements_import
from reactions.models import Actor, Channel, QuoteKind, Stance, Statement
from reactions.services import speaker_get_or_create, statement_upsert
from timeline.models import Event, Launch, LinkConfidence, Relation
from timeline.services import launch_update, link_upsert, source_upsert

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "timeline" / "data"
# Real, sourced statements on the launches of 2022-2025 (see reactions/data/README.md).
STATEMENTS_FILE = ROOT / "reactions" / "data" / "statements.csv"

ARTICLE = {
    "url": "https://allthe.news/en/articles/"
    "north-korea-fires-suspected-short-range-ballistic-missile-toward-east-sea",
    "title": "North Korea fires suspected short-range ballistic missile toward East Sea",
    "publisher": "allthe.news",
    "published_at": datetime.datetime(2025, 11, 7, 6, 0, tzinfo=datetime.UTC),
    "language": "en",
}

LAUNCH_FACTS = {
    "time_note": "just past noon",
    "summary": "North Korea launched one suspected short-range ballistic missile toward the East "
    "Sea just past noon, according to the Joint Chiefs of Staff. The missile flew approximately "
    "700 km.",
}

STATEMENTS = [
    {
        "actor": "US",
        "speaker": ("U.S. Indo-Pacific Command", "Combatant command of the U.S. armed forces"),
        "channel": Channel.WRITTEN,
        "stance": Stance.CONDEMNS,
        "quote": "We are aware of the missile launch and are consulting closely with our allies "
        "and partners. … While we have assessed that this event does not pose an immediate threat "
        "to U.S. personnel or territory, or to our allies, the missile launch highlights the "
        "destabilizing impact of the DPRK's actions. The U.S. remains ready to defend the U.S. "
        "homeland and our allies in the region.",
        "summary": "Calls the launch destabilizing; ready to defend the U.S. homeland and allies.",
        "themes": ["destabilizing", "ready to defend allies", "consulting with allies"],
        "via": "",
    },
    {
        "actor": "RU",
        "speaker": ("Dmitry Peskov", "Kremlin spokesman"),
        "channel": Channel.REMARKS,
        "stance": Stance.DEFENDS,
        "quote": "We respect the legitimate right of our friends in North Korea to ensure their "
        "own security and take the necessary measures to do so.",
        "summary": "Defends the launch as North Korea's legitimate right to ensure its security.",
        "themes": ["legitimate right to security"],
        "via": "RIA Novosti",
    },
    {
        "actor": "KR",
        "speaker": ("Office of National Security", "Presidential office"),
        "channel": Channel.WRITTEN,
        "stance": Stance.CONDEMNS,
        "quote_kind": QuoteKind.PARAPHRASE,
        "quote": "Urged Pyongyang to cease actions threatening peace on the Korean Peninsula and "
        "condemned the launches as violations of U.N. Security Council resolutions.",
        "summary": "Condemns the launch as a violation of UN Security Council resolutions.",
        "themes": ["violates UNSC resolutions", "calls to cease provocations"],
        "via": "",
    },
]

# (launch id, event id, relation, confidence, rationale)
LINKS = [
    (
        "L2025-011",
        "C060",
        Relation.RESPONSE_TO,
        LinkConfidence.HIGH,
        "The launch followed North Korea's warning of proper measures against recent U.S. "
        "sanctions.",
    ),
    (
        "L2025-011",
        "C059",
        Relation.RESPONSE_TO,
        LinkConfidence.MEDIUM,
        "The warning that preceded the launch was directed at these U.S. sanctions on eight "
        "individuals and two entities for cybercrime-related money laundering.",
    ),
    (
        "L2025-009",
        "C057",
        Relation.TIMED_WITH,
        LinkConfidence.MEDIUM,
        "North Korea's October 22 launches came ahead of the Asia-Pacific Economic Cooperation "
        "summit.",
    ),
    (
        "L2025-009",
        "C055",
        Relation.TIMED_WITH,
        LinkConfidence.MEDIUM,
        "The October 22 launches came ahead of U.S. President Donald Trump's visit to South Korea.",
    ),
]


def totals():
    """What the demo holds, in the words the README quotes."""
    statements = Statement.objects.all()
    actors = statements.values("actor").distinct().count()
    launches = Launch.objects.filter(statements__isnull=False).distinct().count()
    return (
        f"demo: {Launch.objects.count()} launches, {Event.objects.count()} events, "
        f"{statements.count()} statements by {actors} actors on {launches} launches."
    )


class Command(BaseCommand):
    help = (
        "Load the chronology, its reactions and the 7 Nov 2025 story. "
        "Running it again changes nothing."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            for service, path in (
                (launches_import, DATA / "launches.csv"),
                (events_import, DATA / "context_events.csv"),
                (statements_import, STATEMENTS_FILE),
            ):
                with open(path, "rb") as handle:
                    report = service(file=handle)
                self.stdout.write(report.as_text().splitlines()[0])
                if not report.written:
                    raise CommandError(report.as_text())
            changes = self.load_seed_story()
        self.stdout.write(f"seed story: {changes} records created or changed.")
        self.stdout.write(totals())

    def load_seed_story(self):
        article, changed = source_upsert(**ARTICLE)
        changes = int(changed)
        launch = Launch.objects.get(external_id="L2025-011")
        changes += launch_update(launch=launch, **LAUNCH_FACTS)
        if not launch.sources.filter(pk=article.pk).exists():
            launch.sources.add(article)
            changes += 1
        for spec in STATEMENTS:
            actor = Actor.objects.get(code=spec["actor"])
            name, role = spec["speaker"]
            _, changed = statement_upsert(
                launch=launch,
                actor=actor,
                quote=spec["quote"],
                quote_kind=spec.get("quote_kind", QuoteKind.VERBATIM),
                speaker=speaker_get_or_create(actor=actor, name=name, role=role),
                issued_on=datetime.date(2025, 11, 7),
                channel=spec["channel"],
                stance=spec["stance"],
                summary=spec["summary"],
                via=spec["via"],
                source=article,
                status=Status.PUBLISHED,
                themes=spec["themes"],
            )
            changes += changed
        for launch_id, event_id, relation, confidence, rationale in LINKS:
            _, changed = link_upsert(
                launch=Launch.objects.get(external_id=launch_id),
                event=Event.objects.get(external_id=event_id),
                relation=relation,
                confidence=confidence,
                rationale=rationale,
                source=article,
                status=Status.PUBLISHED,
            )
            changes += changed
        return changes
