"""The launch page's body, cached as one fragment under a stamp of what it shows: an edit,
publish, unpublish or removal of anything on the page shows on the next request; an
unchanged page renders nothing again and reads the same few rows however much it shows."""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.models import Status
from editorial.services import record_delete, record_sources_set, record_transition
from explore.views import LAUNCH_BODY_TEMPLATE
from reactions.models import Actor, Stance
from reactions.services import statement_update, theme_get_or_create
from timeline.services import claim_update, event_update, launch_update, link_update

from .factories import (
    ClaimFactory,
    EventFactory,
    LaunchFactory,
    LinkFactory,
    SourceFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_caches():
    for store in caches.all():
        store.clear()


@pytest.fixture
def launch():
    """A launch with a reaction, a claim and a link to an event, after a launch before it
    that the UK reacted to."""
    earlier = LaunchFactory(occurred_on=datetime.date(2024, 5, 1))
    StatementFactory(launch=earlier, actor=Actor.objects.get(code="GB"))
    launch = LaunchFactory(occurred_on=datetime.date(2024, 6, 1), missile_name="Hwasong-18")
    StatementFactory(launch=launch, quote="We condemn this launch.")
    ClaimFactory(launch=launch, attribute="distance", value_text="~700", source=SourceFactory())
    LinkFactory(launch=launch, event=EventFactory(title="Joint drills"))
    return launch


def visit(client, launch):
    """The page's HTML, and whether its body was rendered again to make it."""
    response = client.get(launch.get_absolute_url())
    assert response.status_code == 200
    names = [template.name for template in response.templates]
    return response.content.decode(), LAUNCH_BODY_TEMPLATE in names


def test_an_unchanged_page_renders_its_body_once(client, launch):
    page, rendered = visit(client, launch)
    assert rendered
    assert "We condemn this launch." in page
    assert visit(client, launch) == (page, False)


def test_an_unchanged_page_reads_the_same_rows_however_much_it_shows(client, launch):
    visit(client, launch)
    with CaptureQueriesContext(connection) as few:
        visit(client, launch)
    for n in range(5):
        StatementFactory(launch=launch, quote=f"We deplore it, {n}.")
        ClaimFactory(launch=launch, value_text=f"{n} km")
    visit(client, launch)
    with CaptureQueriesContext(connection) as many:
        page, rendered = visit(client, launch)
    assert not rendered
    assert "We deplore it, 4." in page
    # One query: the launch, its derived facts, the stamp of the rest and who usually reacts.
    assert len(many) == len(few) == 1


def test_a_reaction_published_edited_unpublished_and_deleted_shows_at_once(client, launch):
    before, _ = visit(client, launch)
    statement = StatementFactory(
        launch=launch, actor=Actor.objects.get(code="JP"), quote="Deep concern.", status="draft"
    )
    # A draft shows nowhere (its history is stamped, so the body may be rendered again).
    assert visit(client, launch)[0] == before

    record_transition(instance=statement, status=Status.PUBLISHED)
    page, rendered = visit(client, launch)
    assert rendered
    assert "Deep concern." in page

    statement_update(statement=statement, quote="Grave concern.", stance=Stance.CONCERNED)
    page, _ = visit(client, launch)
    assert ("Grave concern." in page, "Deep concern." in page) == (True, False)

    record_transition(instance=statement, status=Status.DRAFT)
    assert "Grave concern." not in visit(client, launch)[0]

    record_transition(instance=statement, status=Status.PUBLISHED)
    assert "Grave concern." in visit(client, launch)[0]
    record_delete(instance=statement)
    assert "Grave concern." not in visit(client, launch)[0]


def test_further_sources_of_a_reaction_show_at_once(client, launch):
    statement = launch.statements.get()
    visit(client, launch)
    statement_update(statement=statement, further_sources=[SourceFactory(title="Wire report")])
    assert "Wire report" in visit(client, launch)[0]
    statement_update(statement=statement, further_sources=[])
    assert "Wire report" not in visit(client, launch)[0]


def test_themes_and_co_signers_of_a_reaction_render_the_body_again(client, launch):
    statement = launch.statements.get()
    visit(client, launch)
    statement_update(statement=statement, themes=[theme_get_or_create(name="Deterrence")])
    assert visit(client, launch)[1]
    statement_update(statement=statement, co_signers=[Actor.objects.get(code="JP")])
    assert visit(client, launch)[1]
    assert not visit(client, launch)[1]


def test_a_claim_edited_and_its_further_sources_show_at_once(client, launch):
    claim = launch.claims.get()
    visit(client, launch)
    claim_update(claim=claim, value_text="about 750")
    assert "about 750" in visit(client, launch)[0]
    claim_update(claim=claim, further_sources=[SourceFactory(title="Ministry briefing")])
    assert "Ministry briefing" in visit(client, launch)[0]


def test_a_link_and_its_event_show_their_changes_at_once(client, launch):
    link = launch.links.get()
    visit(client, launch)
    link_update(link=link, rationale="Timed to answer the drills.")
    assert "Timed to answer the drills." in visit(client, launch)[0]
    link_update(link=link, further_sources=[SourceFactory(title="Analyst blog")])
    assert "Analyst blog" in visit(client, launch)[0]

    event_update(event=link.event, title="Combined drills")
    assert "Combined drills" in visit(client, launch)[0]
    record_transition(instance=link.event, status=Status.DRAFT)
    assert "Combined drills" not in visit(client, launch)[0]
    record_transition(instance=link.event, status=Status.PUBLISHED)
    record_transition(instance=link, status=Status.DRAFT)
    assert "Combined drills" not in visit(client, launch)[0]


def test_the_launch_and_its_sources_show_their_changes_at_once(client, launch):
    visit(client, launch)
    launch_update(launch=launch, missile_name="Hwasong-19")
    assert "Hwasong-19" in visit(client, launch)[0]
    record_sources_set(instance=launch, sources=[SourceFactory(title="Defence ministry")])
    page, _ = visit(client, launch)
    assert "Defence ministry" in page
    # The change log under "Cite this" counts the change of sources too.
    assert "Changed: sources" in page


def test_who_has_not_spoken_follows_reactions_to_the_launches_before(client, launch):
    page, _ = visit(client, launch)
    not_spoken = page.split("Not spoken yet")[1].split("</div>")[0]
    assert "United Kingdom" in not_spoken
    earlier = LaunchFactory(occurred_on=datetime.date(2024, 4, 1))
    StatementFactory(launch=earlier, actor=Actor.objects.get(code="FR"))
    page, rendered = visit(client, launch)
    assert rendered
    assert "France" in page.split("Not spoken yet")[1].split("</div>")[0]


def test_a_launch_before_it_changes_what_the_page_says_came_before(client, launch):
    visit(client, launch)
    between = LaunchFactory(occurred_on=datetime.date(2024, 5, 15))
    assert between.get_absolute_url() in visit(client, launch)[0]


def test_the_citation_names_the_address_it_was_read_at(client, launch):
    page, _ = visit(client, launch)
    assert f"http://testserver{launch.get_absolute_url()}" in page
    other = client.get(launch.get_absolute_url(), HTTP_HOST="localhost")
    assert f"http://localhost{launch.get_absolute_url()}" in other.content.decode()


def test_a_draft_launch_has_no_page_even_with_its_body_kept(client, launch):
    visit(client, launch)
    record_transition(instance=launch, status=Status.DRAFT)
    assert client.get(launch.get_absolute_url()).status_code == 404


def test_an_analyst_visiting_keeps_no_draft_for_readers(admin_client, client, launch):
    StatementFactory(launch=launch, quote="Words still in draft.", status=Status.DRAFT)
    assert (
        "Words still in draft." not in admin_client.get(launch.get_absolute_url()).content.decode()
    )
    page, rendered = visit(client, launch)
    assert not rendered
    assert "Words still in draft." not in page
