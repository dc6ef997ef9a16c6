"""The reader's first page and a launch page as a new reader meets them: the latest story
first, reactions before figures, names rather than codes, and figures as they were claimed."""

import datetime

import pytest

from imports.services import events_import
from reactions.models import Actor, Stance
from timeline.models import Launch, Link, Source
from timeline.names import claimant_name, official_name, state_name

from .factories import ClaimFactory, EventFactory, LaunchFactory, StatementFactory
from .test_pages import SEED_LAUNCH, text_of

pytestmark = pytest.mark.django_db


def test_the_front_page_opens_on_the_latest_launch_and_who_reacted(client):
    russia, china = Actor.objects.get(code="RU"), Actor.objects.get(code="CN")
    earlier = LaunchFactory(occurred_on=datetime.date(2024, 3, 1))
    StatementFactory(launch=earlier, actor=china, stance=Stance.CONCERNED)
    latest = LaunchFactory(occurred_on=datetime.date(2024, 5, 1))
    StatementFactory(launch=latest, stance=Stance.CONDEMNS)
    StatementFactory(launch=latest, actor=russia, stance=Stance.DEFENDS)
    StatementFactory(launch=latest, actor=russia, stance=Stance.DEFENDS)
    response = client.get("/")
    text = text_of(response)
    assert "A curated, citable record of North Korea's missile launches" in text
    story = text[text.index("Latest launch") : text.index("Timeline, 2024")]
    assert "Short-range ballistic (SRBM), 1 May 2024" in story
    assert "Condemned United States" in story
    assert "Defended Russia" in story
    assert story.count("Russia") == 1
    # China spoke on the launch before and not on this one.
    assert "Not spoken yet China" in story
    html = response.content.decode()
    for path in ("/actors/", "/events/", "/data/", "/matrix/"):
        assert f'href="{path}"' in html
    # Newest first: the May launch's card comes before the March one's.
    assert text.index("1 May 2024, 10:30 KST", len(story)) < text.index("1 Mar 2024, 10:30 KST")
    oldest_first = text_of(client.get("/?order=oldest"))
    assert oldest_first.index("1 Mar 2024, 10:30 KST") < oldest_first.rindex(
        "1 May 2024, 10:30 KST"
    )


def test_the_front_page_tells_the_latest_launchs_reactions_at_a_glance(client, demo):
    text = text_of(client.get("/"))
    story = text[text.index("Latest launch") : text.index("Timeline, 2025")]
    assert "Cruise missile, 28 December 2025" in story
    # The reactions corpus holds South Korea's concern; the actors usually heard are waited for.
    assert "Reactions at a glance ▲ Voiced concern South Korea ○ Not spoken yet ASEAN" in story
    assert "Russia United Kingdom United States" in story
    assert "Latest reactions: to" not in story  # only when the latest launch has none


def test_a_chosen_year_or_a_filter_shows_the_timeline_alone(client):
    StatementFactory()
    for query in ("?year=2024", "?actor=US", "?q=Hwasong"):
        assert "Latest launch" not in text_of(client.get(f"/{query}")), query


def test_the_launch_page_names_the_state_and_keeps_the_claimed_qualifier(client, demo):
    text = text_of(client.get(SEED_LAUNCH))
    head = text[: text.index("Reactions at a glance")]
    assert "North Korea (Democratic People's Republic of Korea) · 1 missile" in head
    assert "flew about 700 km" in head
    assert "Launching state North Korea (Democratic People's Republic of Korea)" in text
    assert "Launching state KP" not in text
    # Only the compilation cited as a source keeps its compiler's name.
    assert "nagix" not in text[: text.index("Sources")]
    assert "(C05" not in text


def test_the_launch_page_shows_the_utc_day_when_it_differs(client, demo):
    html = client.get("/launches/2025-10-22-srbm/").content.decode()
    assert "22 Oct 2025, 08:10 KST" in html
    assert '<span\n    class="utc">(21 Oct 2025, 23:10 UTC)</span>' in html
    same_day = client.get(SEED_LAUNCH).content.decode()
    assert '<span\n    class="utc">(03:35 UTC)</span>' in same_day


def test_figures_are_disputed_only_where_claims_about_one_figure_differ(client):
    single = LaunchFactory(occurred_on=datetime.date(2024, 3, 1))
    ClaimFactory(launch=single, value_text="~700", value=700)
    ClaimFactory(launch=single, attribute="apogee", value_text="50", value=50)
    agreeing = LaunchFactory(occurred_on=datetime.date(2024, 3, 2))
    ClaimFactory(launch=agreeing, value_text="~360 (JCS)", value=360)
    ClaimFactory(launch=agreeing, value_text="350-400 (CNS)", value=350, value_max=400)
    ClaimFactory(launch=agreeing, value_text="several", value=None, attribute="count")
    ClaimFactory(launch=agreeing, value_text="2", value=2, attribute="count")
    differing = LaunchFactory(occurred_on=datetime.date(2024, 3, 3))
    ClaimFactory(launch=differing, value_text="~700 (JCS)", value=700)
    ClaimFactory(launch=differing, value_text="450", value=450, claimant="")
    for launch, disputed in ((single, False), (agreeing, False), (differing, True)):
        html = client.get(launch.get_absolute_url()).content.decode()
        assert ("figures disputed" in html) is disputed, launch.slug
    timeline = client.get("/?year=2024").content.decode()
    assert timeline.count("figures disputed") == 1


def test_a_source_without_an_address_is_text_not_a_link_home(client):
    launch = LaunchFactory()
    dataset = Source.objects.create(reference="cns-db-copy", title="A dataset without a URL")
    launch.sources.add(dataset)
    ClaimFactory(launch=launch, source=dataset)
    StatementFactory(launch=launch, source=dataset)
    Link.objects.create(
        launch=launch,
        event=EventFactory(),
        relation="response_to",
        rationale="Reported as a response.",
        source=dataset,
        status="published",
    )
    html = client.get(launch.get_absolute_url()).content.decode()
    assert 'href="/"' not in html[html.index("<main") : html.index("</main>")]
    assert "A dataset without a URL" in html
    assert "source: A dataset without a URL" in text_of(client.get(launch.get_absolute_url()))


def test_who_spoke_claims_an_order_only_when_every_time_is_known(client):
    russia = Actor.objects.get(code="RU")
    launch = LaunchFactory()
    day = launch.occurred_on
    StatementFactory(launch=launch, issued_on=day)
    StatementFactory(launch=launch, actor=russia, issued_on=day)
    StatementFactory(launch=launch, issued_on=day + datetime.timedelta(days=1))
    text = text_of(client.get(launch.get_absolute_url()))
    listed = text[text.index("Who spoke") : text.index("Condemns (")]
    assert listed.startswith("Who spoke, by day")
    assert "in order" not in listed
    assert listed.count("United States") == 1
    assert listed.count("Russia") == 1

    timed = LaunchFactory()
    at = timed.occurred_at
    StatementFactory(launch=timed, actor=russia, issued_at=at + datetime.timedelta(hours=3))
    StatementFactory(launch=timed, issued_at=at + datetime.timedelta(hours=1))
    text = text_of(client.get(timed.get_absolute_url()))
    listed = text[text.index("Who spoke") : text.index("Condemns (")]
    assert listed.startswith("Who spoke, in order United States")
    assert listed.index("United States") < listed.index("Russia")


def test_the_launch_page_puts_reactions_before_figures(client, demo):
    text = text_of(client.get(SEED_LAUNCH))
    assert (
        text.index("Reactions at a glance")
        < text.index("We respect the legitimate right")
        < text.index("Figures and who claimed them")
        < text.index("Context: what it followed")
    )


def test_one_name_for_each_state_across_the_site():
    assert state_name("KP") == "North Korea"
    assert official_name("KP") == "Democratic People's Republic of Korea"
    assert state_name("RU") == "Russia"
    assert official_name("RU") == "Russian Federation"
    assert official_name("JP") == ""
    assert state_name("XX") == "XX"
    assert claimant_name("nagix") == "preliminary"
    assert claimant_name("KR") == "South Korea"
    assert claimant_name("JCS") == "JCS"
    # The actors every page names come with the same short names.
    differing = {
        actor.code: (str(actor), state_name(actor.code))
        for actor in Actor.objects.filter(kind="state")
        if str(actor) != state_name(actor.code)
    }
    assert differing == {}


def test_the_filter_menu_names_actors_by_their_short_names(client):
    StatementFactory(actor=Actor.objects.get(code="RU"))
    html = client.get("/").content.decode()
    assert '<option value="RU" dir="auto">Russia</option>' in html
    assert "Russian Federation" not in html


def test_imported_links_carry_no_internal_ids(client, tmp_path):
    LaunchFactory(occurred_on=datetime.date(2024, 3, 1))
    (tmp_path / "events.csv").write_text(
        "context_id,date_start,date_end,type,title,actors,location,description,date_note,"
        "related_launch_dates,sources\n"
        "C048,2024-02-28,,sanctions,Sanctions on shipping,United States,,,,2024-03-01,"
        "https://news.example/sanctions\n",
        encoding="utf-8",
    )
    with open(tmp_path / "events.csv", "rb") as handle:
        report = events_import(file=handle)
    assert report.links_created == 1
    assert Link.objects.get().rationale == (
        "The chronology lists this launch as related to “Sanctions on shipping”."
    )


def test_the_demo_shows_no_internal_labels(client, demo):
    assert not Launch.objects.filter(missile_name__icontains="nagix").exists()
    assert not Link.objects.filter(rationale__regex=r"\(C\d+\)").exists()
    text = text_of(client.get("/?year=2025"))
    assert "nagix" not in text


def test_running_text_names_a_missile_class_in_words(client):
    LaunchFactory(missile_class="hypersonic_glide", occurred_on=datetime.date(2024, 3, 1))
    later = LaunchFactory(missile_class="hypersonic_glide", occurred_on=datetime.date(2024, 3, 9))
    text = text_of(client.get(later.get_absolute_url()))
    assert "8 days after the hypersonic glide vehicle launch of 1 Mar 2024" in text
    assert "hypersonic_glide" not in text
