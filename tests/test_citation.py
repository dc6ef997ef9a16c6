"""Citable records: the "Cite this" block of launch, event and statement pages (plain text,
BibTeX, CSL-JSON), the licence, the public change log, and the statement's own page."""

import datetime
import json
import re
from html import unescape

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pybtex.database import parse_string

from core.fragments import local_pieces
from editorial.models import Status
from editorial.services import record_transition
from explore.citation import Citation, bibtex_escape, change_log
from reactions.models import Actor, Statement
from reactions.services import statement_update
from timeline.services import event_update, launch_update

from .factories import (
    EventFactory,
    LaunchFactory,
    SourceFactory,
    StatementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SEED_LAUNCH = "/launches/2025-11-07-srbm/"
MARKER = "zqxdraftonly"

# The CSL-JSON fields Salvo writes, as the CSL data schema (citationstyles.org, csl-data.json)
# types them; the schema allows no other field.
CSL_STRING_FIELDS = {
    "id",
    "type",
    "title",
    "publisher",
    "genre",
    "URL",
    "version",
    "note",
    "source",
}
CSL_DATE_FIELDS = {"issued", "accessed"}
CSL_TYPES = {"dataset", "webpage"}


def block_of(html, kind):
    """The unescaped text of the cite block's <pre> for `kind` (BibTeX or CSL-JSON)."""
    cite = html[html.index('<section class="cite"') :]
    summary = cite.index(f"<summary>{kind}")
    code = cite[cite.index("<code>", summary) + 6 : cite.index("</code>", summary)]
    return unescape(code)


def assert_valid_csl(items):
    assert isinstance(items, list)
    assert len(items) == 1
    (item,) = items
    assert set(item) <= CSL_STRING_FIELDS | CSL_DATE_FIELDS | {"author"}, set(item)
    assert {"id", "type", "title", "URL", "issued", "accessed", "publisher"} <= set(item)
    assert item["type"] in CSL_TYPES
    for name in CSL_STRING_FIELDS & set(item):
        assert isinstance(item[name], str), name
    for name in CSL_DATE_FIELDS:
        (parts,) = item[name]["date-parts"]
        assert set(item[name]) == {"date-parts"}
        assert len(parts) == 3
        assert all(isinstance(part, int) for part in parts)
        datetime.date(*parts)  # a real day
    assert item["author"] == [{"literal": "Salvo"}]
    assert item["publisher"] == "Salvo"
    return item


def test_a_launch_page_carries_its_citation_in_three_formats(client, demo):
    html = client.get(SEED_LAUNCH).content.decode()
    url = f"http://testserver{SEED_LAUNCH}"
    assert f'Permanent address: <a href="{url}">{url}</a>' in html
    assert "Salvo. “Short-range ballistic (SRBM) launch, 7 November 2025.” Launch record" in html

    bibtex = parse_string(block_of(html, "BibTeX"), "bibtex")
    ((key, entry),) = bibtex.entries.items()
    assert entry.type == "misc"
    assert key.startswith("salvo-launch-")
    assert entry.fields["title"] == "{Short-range ballistic (SRBM) launch, 7 November 2025}"
    assert entry.fields["url"] == url
    assert entry.fields["urldate"] == datetime.datetime.now(datetime.UTC).date().isoformat()

    item = assert_valid_csl(json.loads(block_of(html, "CSL-JSON")))
    assert item["URL"] == url
    assert item["title"] == "Short-range ballistic (SRBM) launch, 7 November 2025"
    version = re.search(r'Version of <time datetime="([\d-]+)">', html).group(1)
    assert item["version"] == version == entry.fields["date"]
    assert 'rel="license">CC BY 4.0</a>' in html


def test_bibtex_of_a_title_with_markup_characters_still_parses():
    citation = Citation(
        key="salvo-event-1",
        title="Sanctions {100%} on A&B_C #2 ~ $5 \\ ^",
        url="https://salvo.example/events/x/",
        version=datetime.date(2025, 11, 4),
        accessed=datetime.date(2025, 12, 1),
        kind="Event record",
    )
    (entry,) = parse_string(citation.bibtex, "bibtex").entries.values()
    assert entry.fields["title"] == "{" + bibtex_escape(citation.title) + "}"
    assert json.loads(citation.csl_json)[0]["title"] == citation.title


def test_an_event_page_carries_its_citation(client, demo):
    event = demo_event(client)
    html = client.get(event).content.decode()
    item = assert_valid_csl(json.loads(block_of(html, "CSL-JSON")))
    assert item["URL"] == f"http://testserver{event}"
    assert item["genre"] == "Event record"
    parse_string(block_of(html, "BibTeX"), "bibtex")


def demo_event(client):
    html = client.get(SEED_LAUNCH).content.decode()
    return re.search(r'href="(/events/[^"]+/)"', html).group(1)


def test_each_statement_has_its_own_citable_page(client, demo):
    html = client.get(SEED_LAUNCH).content.decode()
    permalinks = re.findall(r'<span class="permalink">\s*· <a href="(/statements/\d+/)"', html)
    assert len(permalinks) == 7  # the seed article's three and the corpus's four
    us = Statement.objects.get(launch__slug="2025-11-07-srbm", actor__code="US")
    assert f"/statements/{us.pk}/" in permalinks
    page = client.get(f"/statements/{us.pk}/").content.decode()
    heading = re.search(r'<h1 id="statement-page-h">(.*?)</h1>', page, re.S).group(1)
    assert " ".join(re.sub(r"<[^>]+>", "", heading).split()) == (
        "United States on the launch of 7 November 2025"
    )
    assert f'href="{SEED_LAUNCH}#statement-' in page
    item = assert_valid_csl(json.loads(block_of(page, "CSL-JSON")))
    assert item["URL"] == f"http://testserver/statements/{us.pk}/"
    assert item["genre"] == "Statement record"
    assert 'class="permalink"' not in page  # the page is its own permalink


def test_a_statement_page_shows_only_a_visible_statement(client):
    draft = StatementFactory(status=Status.DRAFT)
    on_draft_launch = StatementFactory(launch=LaunchFactory(status=Status.DRAFT))
    shown = StatementFactory()
    assert client.get(f"/statements/{draft.pk}/").status_code == 404
    assert client.get(f"/statements/{on_draft_launch.pk}/").status_code == 404
    assert client.get(f"/statements/{shown.pk}/").status_code == 200
    assert client.get("/statements/999999/").status_code == 404


@pytest.fixture
def editor():
    return UserFactory(perms=["publish_launch", "publish_event", "publish_statement"])


def test_the_change_log_hides_what_happened_while_a_draft(client, editor):
    launch = LaunchFactory(status=Status.DRAFT, summary=f"{MARKER} first draft")
    launch_update(launch=launch, user=editor, distance_km=900, notes=f"{MARKER} note")
    launch_update(launch=launch, user=editor, summary="Draft summary.", notes="")
    record_transition(instance=launch, status=Status.PUBLISHED, user=editor)
    launch_update(launch=launch, user=editor, apogee_km=60, summary="Published summary.")

    log = change_log(launch)
    assert [change.what for change in log] == ["Published", "Changed: apogee, summary"]
    html = client.get(launch.get_absolute_url()).content.decode()
    cite = html[html.index('<section class="cite"') :]
    assert MARKER not in html
    assert "Changed: apogee, summary" in cite
    assert "distance" not in cite  # set while a draft
    assert editor.username not in html


def test_the_change_log_keeps_withdrawals_and_compares_with_what_readers_saw(editor):
    launch = LaunchFactory(distance_km=500)
    record_transition(instance=launch, status=Status.DRAFT, user=editor)
    launch_update(launch=launch, user=editor, distance_km=600, notes=f"{MARKER}")
    launch_update(launch=launch, user=editor, notes="")  # put back while withdrawn
    record_transition(instance=launch, status=Status.PUBLISHED, user=editor)

    assert [change.what for change in change_log(launch)] == [
        "Published",
        "Withdrawn from publication",
        "Published again: distance",
    ]


def test_a_statements_change_log_starts_when_its_launch_is_published(editor):
    launch = LaunchFactory(status=Status.DRAFT)
    statement = StatementFactory(launch=launch)  # published, on a draft launch: unseen
    statement_update(statement=statement, user=editor, stance=-1, via="Draft outlet")
    record_transition(instance=launch, status=Status.PUBLISHED, user=editor)
    statement_update(statement=statement, user=editor, summary="Concerned.")
    record_transition(instance=launch, status=Status.DRAFT, user=editor)
    statement_update(statement=statement, user=editor, via="")
    record_transition(instance=launch, status=Status.PUBLISHED, user=editor)

    assert [c.what for c in change_log(statement)] == [
        "Published",
        "Changed: summary",
        "Withdrawn from publication",
        "Published again: reported via",
    ]


def test_the_change_log_names_a_change_of_sources_made_while_published(editor):
    event = EventFactory(status=Status.DRAFT)
    first, second = SourceFactory(), SourceFactory()
    event_update(event=event, user=editor, sources=[first])  # while a draft
    record_transition(instance=event, status=Status.PUBLISHED, user=editor)
    event_update(event=event, user=editor, sources=[first, second])
    assert [c.what for c in change_log(event)] == ["Published", "Changed: sources"]


def test_the_change_log_of_events_and_statements_names_their_public_fields(editor):
    event = EventFactory()
    event_update(event=event, user=editor, title="Sanctions, renamed", import_record={"x": 1})
    statement = StatementFactory()
    statement_update(
        statement=statement,
        user=editor,
        stance=-1,
        actor=Actor.objects.get(code="JP"),
        reviewed_by=editor,
    )
    assert [c.what for c in change_log(event)] == ["Published", "Changed: title"]
    assert [c.what for c in change_log(statement)] == ["Published", "Changed: actor, stance"]


def queries_of(client, url):
    for store in caches.all():  # no cached fragment of a page either: each is rendered
        store.clear()
    local_pieces.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_cited_pages_query_the_same_however_long_the_history(client, editor):
    launch = LaunchFactory()
    event = EventFactory()
    statement = StatementFactory(launch=launch)
    pages = [launch.get_absolute_url(), event.get_absolute_url(), f"/statements/{statement.pk}/"]
    for url in pages:
        client.get(url)  # warm what fills once per process
    short = {url: queries_of(client, url) for url in pages}
    for n in range(30):
        launch_update(launch=launch, user=editor, apogee_km=n + 1)
        event_update(event=event, user=editor, title=f"Sanctions {n}")
        statement_update(statement=statement, user=editor, quote=f"We condemn it, {n} times.")
    long = {url: queries_of(client, url) for url in pages}
    assert short == long
    assert len(change_log(launch)) == 31
