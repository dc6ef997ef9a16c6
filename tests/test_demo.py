"""The demo data: the chronology plus the 7 November 2025 story from the seed article."""

import io

import pytest
from django.core.management import call_command

from reactions.models import Speaker, Statement
from timeline.models import Event, Launch, LaunchClaim, Link, Source

pytestmark = pytest.mark.django_db

ARTICLE_URL = (
    "https://allthe.news/en/articles/"
    "north-korea-fires-suspected-short-range-ballistic-missile-toward-east-sea"
)


def load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot():
    models = (Launch, LaunchClaim, Event, Link, Source, Statement, Speaker)
    return {
        model.__name__: sorted(tuple(str(v) for v in row) for row in model.objects.values_list())
        for model in models
    }


def test_the_seed_launch_holds_the_articles_story():
    load_demo()
    launch = Launch.objects.for_detail().get(external_id="L2025-011")
    assert launch.occurred_on.isoformat() == "2025-11-07"
    assert launch.local_time.strftime("%H:%M %Z") == "12:35 KST"
    assert launch.time_note == "just past noon"
    assert (launch.missile_count, launch.distance_km, launch.direction) == (1, 700, "East Sea")
    assert (launch.missile_class, launch.confidence) == ("SRBM", "suspected")
    assert ARTICLE_URL in {source.url for source in launch.sources.all()}

    statements = {s.actor.code: s for s in launch.statements.all()}
    assert set(statements) == {"US", "RU", "KR"}
    us, ru, kr = statements["US"], statements["RU"], statements["KR"]
    assert (
        str(us.speaker) == "U.S. Indo-Pacific Command, Combatant command of the U.S. armed forces"
    )
    assert "The U.S. remains ready to defend the U.S. homeland and our allies" in us.quote
    assert (us.stance, us.channel, us.quote_kind) == (-2, "written_statement", "verbatim")
    assert ru.quote == (
        "We respect the legitimate right of our friends in North Korea to ensure their own "
        "security and take the necessary measures to do so."
    )
    assert (str(ru.speaker), ru.via, ru.stance, ru.channel) == (
        "Dmitry Peskov, Kremlin spokesman",
        "RIA Novosti",
        2,
        "remarks",
    )
    assert (kr.speaker.name, kr.stance, kr.quote_kind) == (
        "Office of National Security",
        -2,
        "paraphrase",
    )
    assert {s.source.url for s in statements.values()} == {ARTICLE_URL}
    assert {t.name for t in kr.themes.all()} == {
        "violates UNSC resolutions",
        "calls to cease provocations",
    }

    links = {link.event.external_id: link for link in launch.links.all()}
    assert links["C060"].relation == links["C059"].relation == "response_to"
    assert links["C060"].rationale.startswith("The launch followed North Korea's warning")
    assert links["C059"].event.title.startswith(
        "US Treasury (OFAC) designates 8 individuals and 2 entities"
    )
    assert {links["C060"].source.url, links["C059"].source.url} == {ARTICLE_URL}
    october = Launch.objects.get(external_id="L2025-009")
    assert {(link.event.external_id, link.relation) for link in october.links.all()} >= {
        ("C057", "timed_with"),
        ("C055", "timed_with"),
    }


def test_loading_the_demo_twice_changes_nothing():
    first = load_demo()
    assert "launches: 102 created" in first
    before = snapshot()
    second = load_demo()
    assert "launches: 0 created, 0 updated, 102 unchanged" in second
    assert "events: 0 created, 0 updated, 60 unchanged" in second
    assert "seed story: 0 records created or changed." in second
    assert snapshot() == before
