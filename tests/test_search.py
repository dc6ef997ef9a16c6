"""The search page against hostile rows and hostile queries.

Run on PostgreSQL (DATABASE_URL) to exercise its full-text search and its 1 MB tsvector
limit; on SQLite the same assertions hold for the plain fallback.
"""

import datetime
import re

import pytest

from reactions.models import Statement
from timeline.models import Event, Launch

from .factories import EventFactory, LaunchFactory, StatementFactory

pytestmark = pytest.mark.django_db


def distinct_words(size):
    """About `size` bytes of words that are all different: the worst case for a tsvector."""
    words, total, n = [], 0, 0
    while total < size:
        word = f"w{n}x"
        words.append(word)
        total += len(word) + 1
        n += 1
    return " ".join(words)


def results(response):
    """The titles of the results, per kind, as the page lists them."""
    html = response.content.decode()
    return {
        kind: re.findall(r'href="(/(?:launches|events|actors)/[^"#]+)', section)
        for kind, section in re.findall(
            r'<section aria-labelledby="r-(\w+)">(.*?)</section>', html, re.DOTALL
        )
    }


OVERSIZED = {
    "statement quote": lambda row: Statement.objects.filter(pk=row["statement"].pk).update(
        quote=distinct_words(1_350_000)
    ),
    "launch summary": lambda row: Launch.objects.filter(pk=row["launch"].pk).update(
        summary=distinct_words(1_350_000)
    ),
    "event description": lambda row: Event.objects.filter(pk=row["event"].pk).update(
        description=distinct_words(1_350_000)
    ),
}


@pytest.mark.parametrize("oversized", list(OVERSIZED))
def test_one_oversized_row_stored_before_the_bound_does_not_break_every_search(client, oversized):
    huge = {
        "launch": LaunchFactory(occurred_on=datetime.date(2024, 3, 1), missile_name="KN-23"),
        "event": EventFactory(title="Sanctions on shipping", start_date=datetime.date(2024, 2, 1)),
    }
    huge["statement"] = StatementFactory(launch=huge["launch"], quote="Nothing to add.")
    other = LaunchFactory(occurred_on=datetime.date(2024, 4, 1), missile_name="Hwasong-11")
    StatementFactory(launch=other, quote="We condemn the sanctions violation.")
    # .update() writes past the validators, as a row stored before the bound was written.
    OVERSIZED[oversized](huge)
    response = client.get("/search/", {"q": "condemn"})
    assert response.status_code == 200
    # Each statement names its actor and its launch.
    assert results(response)["statements"] == ["/actors/US/", other.get_absolute_url()]
    # The oversized row is still found by what its text begins with.
    response = client.get("/search/", {"q": "w1234x"})
    assert response.status_code == 200
    found = results(response)
    assert [url for urls in found.values() for url in urls] != []


@pytest.mark.parametrize("q", ["\x00", "before\x00after"], ids=["nul", "nul-inside"])
def test_a_query_with_a_nul_character_is_refused_with_a_clear_message(client, q):
    StatementFactory(quote="We condemn it.")
    response = client.get("/search/", {"q": q})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Null characters are not allowed." in html
    assert 'aria-labelledby="r-statements"' not in html


def test_a_query_longer_than_a_search_needs_is_refused_with_a_clear_message(client):
    response = client.get("/search/", {"q": "word " * 100})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value has at most 200 characters (it has 499)." in html
    assert 'aria-labelledby="r-statements"' not in html


def test_an_empty_query_shows_the_form_without_results(client):
    response = client.get("/search/", {"q": "   "})
    assert response.status_code == 200
    assert 'aria-labelledby="r-statements"' not in response.content.decode()
