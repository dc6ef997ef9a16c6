"""An actor's page keeps its overview and each statement's entry as fragments under a stamp of
their data: an edit, a publish or an unpublish through the services shows on the next request,
and an unchanged page renders nothing again."""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.caching import bump_data_version
from core.fragments import local_pieces
from editorial.models import Status
from editorial.services import record_delete, record_transition
from reactions.models import Actor, Stance
from reactions.services import statement_update
from reactions.views import ENTRY_TEMPLATE, OVERVIEW_TEMPLATE
from timeline.services import launch_update

from .factories import LaunchFactory, SourceFactory, StatementFactory

pytestmark = pytest.mark.django_db
PAGE = "/actors/US/"


@pytest.fixture(autouse=True)
def empty_caches():
    for store in caches.all():
        store.clear()


@pytest.fixture
def spoken():
    """Two statements of the United States on two launches."""
    first = LaunchFactory(occurred_on=datetime.date(2024, 3, 1))
    second = LaunchFactory(occurred_on=datetime.date(2024, 6, 1))
    return [
        StatementFactory(launch=first, quote="We condemn the March launch."),
        StatementFactory(launch=second, quote="We condemn the June launch."),
    ]


def rendered(client, path=PAGE):
    """The page, and how many overviews and entries were rendered to make it."""
    response = client.get(path)
    assert response.status_code == 200
    names = [template.name for template in response.templates]
    return response.content.decode(), names.count(OVERVIEW_TEMPLATE), names.count(ENTRY_TEMPLATE)


def entry_of(page, statement):
    """A statement's entry, as the page shows it."""
    start = page.index(f'id="statement-{statement.pk}"')
    return page[start : page.index("</article>", start)]


def test_an_unchanged_page_renders_nothing_again(client, spoken):
    first, overviews, entries = rendered(client)
    assert (overviews, entries) == (1, 2)
    assert rendered(client) == (first, 0, 0)


def test_the_page_is_the_same_with_and_without_fragments(client, spoken, settings):
    cached = rendered(client)[0]
    assert rendered(client)[0] == cached
    settings.FRAGMENT_CACHE_SECONDS = 0
    assert rendered(client)[0] == cached


def test_an_edited_quote_shows_at_once_and_renders_that_entry_only(client, spoken):
    rendered(client)
    statement_update(statement=spoken[0], quote="We strongly condemn the March launch.")
    page, overviews, entries = rendered(client)
    assert "We strongly condemn the March launch." in entry_of(page, spoken[0])
    # Its stamp moved the overview's too: the latest change of the actor's statements.
    assert (overviews, entries) == (1, 1)


def test_a_changed_stance_moves_its_dot(client, spoken):
    before, *_ = rendered(client)
    assert before.count("stance-fill-2") == 0
    statement_update(statement=spoken[1], stance=Stance.DEFENDS)
    after, *_ = rendered(client)
    assert after.count("stance-fill-2") == 1
    assert "defends" in entry_of(after, spoken[1])


def test_further_sources_set_show_on_the_next_request(client, spoken):
    before, *_ = rendered(client)
    outlet = SourceFactory(title="Wire report", publisher="wire.example")
    statement_update(statement=spoken[0], further_sources=[outlet])
    page, _, entries = rendered(client)
    assert entries == 1
    assert "wire.example" in entry_of(page, spoken[0])

    # Taken back, the entry is the one kept before they were set: it showed none.
    statement_update(statement=spoken[0], further_sources=[])
    page, _, entries = rendered(client)
    assert "wire.example" not in entry_of(page, spoken[0])
    assert entry_of(page, spoken[0]) == entry_of(before, spoken[0])


def test_published_and_unpublished_statements_come_and_go(client, spoken):
    before, *_ = rendered(client)
    draft = StatementFactory(
        launch=spoken[1].launch, quote="A draft never shown.", status=Status.DRAFT
    )
    assert rendered(client) == (before, 0, 0)

    record_transition(instance=draft, status=Status.PUBLISHED)
    page, overviews, entries = rendered(client)
    assert (overviews, entries) == (1, 1)
    assert "A draft never shown." in page
    assert "<dd>3</dd>" in page

    record_transition(instance=draft, status=Status.DRAFT)
    page, *_ = rendered(client)
    assert "A draft never shown." not in page
    assert page == before


def test_a_deleted_statement_leaves_the_page(client, spoken):
    rendered(client)
    record_delete(instance=spoken[0])
    page, *_ = rendered(client)
    assert "We condemn the March launch." not in page
    assert "<dd>1</dd>" in page


def test_an_unpublished_launch_hides_its_statements_and_their_dots(client, spoken):
    before, *_ = rendered(client)
    assert before.count('class="dot ') == 2
    record_transition(instance=spoken[0].launch, status=Status.DRAFT)
    page, *_ = rendered(client)
    assert "We condemn the March launch." not in page
    assert page.count('class="dot ') == 1
    assert "<dd>1</dd>" in page


def test_a_launch_edited_changes_the_entries_on_it(client, spoken):
    rendered(client)
    launch_update(launch=spoken[1].launch, missile_class="ICBM")
    page, _, entries = rendered(client)
    assert entries == 1
    assert "Intercontinental ballistic (ICBM) launch" in entry_of(page, spoken[1])


def test_a_renamed_actor_shows_in_the_overview(client, spoken):
    rendered(client)
    actor = Actor.objects.get(code="US")
    actor.short_name = "United States of America"
    actor.save()
    bump_data_version()  # as the write's commit does: a reference record changed
    page, overviews, entries = rendered(client)
    assert (overviews, entries) == (1, 2)
    assert "United States of America: stance over time" in page


def test_queries_do_not_grow_with_the_statements(client, spoken):
    def count():
        for store in caches.all():
            store.clear()
        local_pieces.clear()
        with CaptureQueriesContext(connection) as cold:
            client.get(PAGE)
        with CaptureQueriesContext(connection) as warm:
            client.get(PAGE)
        return len(cold), len(warm)

    few = count()
    for day in range(1, 30):
        StatementFactory(launch=LaunchFactory(occurred_on=datetime.date(2023, 1, day)))
    assert count() == few
    # Cached: the actor with when launches last changed, its stamp, and the page of stamps.
    assert few[1] == 3
