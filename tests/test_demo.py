"""The demo data: the chronology, its reactions corpus and the 7 November 2025 story from the
seed article."""

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

    # The article's statements; the reactions corpus adds others on the same launch.
    statements = {s.actor.code: s for s in launch.statements.filter(source__url=ARTICLE_URL)}
    assert set(statements) == {"US", "RU", "KR"}
    assert launch.statements.count() > len(statements)
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
    assert "statements: 0 created, 0 updated, 182 unchanged" in second
    assert "seed story: 0 records created or changed." in second
    assert snapshot() == before


def test_the_demo_holds_the_reactions_corpus():
    """The counts the README gives: every statement of the corpus, tied to its launch."""
    out = load_demo()
    assert "statements: 182 created, 0 updated, 0 unchanged, 0 refused" in out
    assert "demo: 102 launches, 60 events, 185 statements by 21 actors on 63 launches." in out
    published = Statement.objects.filter(status="published")
    assert published.count() == 185  # the corpus and the article's three
    assert published.values("actor").distinct().count() == 21
    assert Launch.objects.filter(statements__isnull=False).distinct().count() == 63
    actors_2022 = published.filter(launch__occurred_on__year=2022).values("actor").distinct()
    assert actors_2022.count() > 1  # the 2022 stance matrix has more than one row
