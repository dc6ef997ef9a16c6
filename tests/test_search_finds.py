"""What a reader's search finds: countries by their names, people and capitals, word forms and
phrases, events by their kind, speakers by name and role; counts and pages per kind.

The same rule (core.search) answers the search page, the timeline's `?q=` and the API's `q`,
on SQLite and on PostgreSQL (DATABASE_URL).
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.search import Term, stem, terms
from reactions.models import Actor
from timeline.models import EventKind

from .factories import EventFactory, LaunchFactory, SpeakerFactory, StatementFactory

pytestmark = pytest.mark.django_db

LEGITIMATE = (
    "We respect the legitimate right of our friends in North Korea to ensure their own "
    "security and take the necessary measures to do so."
)


def section(response, kind):
    """The HTML of one kind's section of the search page."""
    html = response.content.decode()
    found = re.search(rf'<section aria-labelledby="r-{kind}">(.*?)</section>', html, re.DOTALL)
    return found.group(1) if found else None


def statement_ids(response):
    return [int(pk) for pk in re.findall(r'id="statement-(\d+)"', section(response, "statements"))]


@pytest.fixture
def peskov():
    """Russia's statement, which names neither Russia nor the Kremlin in its words."""
    speaker = SpeakerFactory(
        actor=Actor.objects.get(code="RU"), name="Dmitry Peskov", role="Kremlin spokesman"
    )
    statement = StatementFactory(
        actor=Actor.objects.get(code="RU"), speaker=speaker, quote=LEGITIMATE
    )
    StatementFactory(quote="We condemn the launch in the strongest terms.")  # the US's
    return statement


@pytest.mark.parametrize("q", ["Russia", "Kremlin", "Russian", "Moscow", "RU"])
def test_a_country_finds_its_statements_by_name_people_capital_and_seat(client, peskov, q):
    response = client.get("/search/", {"q": q})
    assert statement_ids(response) == [peskov.pk]
    api = client.get("/api/v1/statements/", {"q": q}).json()
    assert [row["id"] for row in api["results"]] == [peskov.pk]


@pytest.mark.parametrize(
    "q", ["legitimate rights", '"legitimate right"', '"legitimate rights"', "LEGITIMATE Right."]
)
def test_word_forms_and_phrases_in_quotes_are_found(client, peskov, q):
    assert statement_ids(client.get("/search/", {"q": q})) == [peskov.pk]
    api = client.get("/api/v1/statements/", {"q": q}).json()
    assert [row["id"] for row in api["results"]] == [peskov.pk]


def test_a_phrase_in_quotes_needs_its_words_together_and_in_order(client, peskov):
    assert statement_ids(client.get("/search/", {"q": '"right legitimate"'})) == []
    assert statement_ids(client.get("/search/", {"q": '"legitimate friends"'})) == []
    assert statement_ids(client.get("/search/", {"q": "legitimate friends"})) == [peskov.pk]


def test_statement_results_name_the_country_that_spoke(client, peskov):
    found = section(client.get("/search/", {"q": "legitimate"}), "statements")
    assert '<a href="/actors/RU/"><bdi>Russia</bdi></a>' in found


def test_sanctions_finds_an_event_of_that_kind_whatever_its_title(client):
    event = EventFactory(
        kind=EventKind.SANCTIONS, title="US Treasury designates three officials", description=""
    )
    EventFactory(kind=EventKind.SUMMIT, title="Leaders meet in Singapore", description="")
    found = section(client.get("/search/", {"q": "sanctions"}), "events")
    assert re.findall(r'href="(/events/[^"]+)"', found) == [event.get_absolute_url()]
    api = client.get("/api/v1/events/", {"q": "sanctions"}).json()
    assert [row["slug"] for row in api["results"]] == [event.slug]
    # The timeline's words filter is the same search.
    timeline = client.get("/", {"q": "sanctions", "year": event.start_date.year})
    assert event.get_absolute_url() in timeline.content.decode()


@pytest.mark.parametrize("q", ["EU", "eu"])
def test_a_short_code_matches_whole_words_and_codes_not_parts_of_names(client, q):
    found = section(client.get("/search/", {"q": q}), "actors")
    assert re.findall(r'href="(/actors/[^"]+)"', found) == ["/actors/EU/"]  # not Bonaire's
    api = client.get("/api/v1/actors/", {"q": q}).json()
    assert [row["code"] for row in api["results"]] == ["EU"]


def test_a_code_in_capitals_is_not_the_word_in_small_letters(client):
    told = StatementFactory(quote="They told us nothing.", actor=Actor.objects.get(code="JP"))
    american = StatementFactory(quote="A grave threat.")  # the US's
    assert statement_ids(client.get("/search/", {"q": "US"})) == [american.pk]
    assert told.pk in statement_ids(client.get("/search/", {"q": "us"}))


def test_speakers_are_found_by_name_and_role_with_their_country(client, peskov):
    for q in ("Peskov", "spokesman", "Kremlin spokesman"):
        found = section(client.get("/search/", {"q": q}), "speakers")
        assert "Dmitry Peskov" in found
        assert "Kremlin spokesman" in found
        assert "Russia" in found
    api = client.get("/api/v1/speakers/", {"q": "spokesman"}).json()
    assert [row["name"] for row in api["results"]] == ["Dmitry Peskov"]


def test_every_kind_is_counted_and_paged(client):
    launch = LaunchFactory(occurred_on=datetime.date(2024, 5, 1))
    statements = [
        StatementFactory(launch=launch, quote=f"We condemn launch {n}.") for n in range(31)
    ]
    overview = client.get("/search/", {"q": "condemn"})
    html = overview.content.decode()
    assert "Statements: 31" in html
    assert len(statement_ids(overview)) == 5
    assert 'href="?q=condemn&amp;kind=statements">All 31 statements</a>' in html
    first = client.get("/search/", {"q": "condemn", "kind": "statements"})
    second = client.get("/search/", {"q": "condemn", "kind": "statements", "page": 2})
    assert len(statement_ids(first)) == 25
    assert len(statement_ids(second)) == 6
    assert set(statement_ids(first)) | set(statement_ids(second)) == {s.pk for s in statements}
    assert "Page 2 of 2" in second.content.decode()
    assert section(first, "launches") is None  # one kind at a time
    assert "Launches: 0" in first.content.decode()  # but every kind counted


def test_a_kind_or_page_that_is_not_one_is_a_400_naming_it(client):
    response = client.get("/search/", {"q": "condemn", "kind": "quotes"})
    assert response.status_code == 400
    assert "quotes is not one of the available choices" in response.content.decode()
    response = client.get("/search/", {"q": "condemn", "page": "0"})
    assert response.status_code == 400


def test_the_search_page_costs_the_same_queries_for_many_results(client):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/search/", {"q": "condemn Russia"})
        assert response.status_code == 200
        return len(queries)

    russia = Actor.objects.get(code="RU")
    StatementFactory(actor=russia, quote="We condemn nothing.")
    few = count()
    for n in range(12):
        StatementFactory(actor=russia, speaker=SpeakerFactory(actor=russia), quote=f"Condemn {n}")
    assert count() == few


def test_the_rule_in_python():
    assert [t.words for t in terms('"legitimate right" of Russia, "" "')] == [
        ("legitimate", "right"),
        ("of",),
        ("Russia",),
    ]
    assert stem("sanctions") == "sanction"
    assert stem("launches") == "launch"
    assert stem("missiles") == "missile"
    assert stem("status") == "status"
    assert stem("KN-23") == "KN-23"
    assert Term(("EU",)).found_in("EU")
    assert not Term(("EU",)).found_in("Sint Eustatius")
    assert Term(("legitimate", "rights")).found_in("the legitimate right of")
