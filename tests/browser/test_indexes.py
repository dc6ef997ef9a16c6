"""A reader in Chromium, with JavaScript off, finds a country and an event from the indexes,
and follows a statement to its speaker and its source; screenshots at desktop and phone
widths."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE = (
    "https://allthe.news/en/articles/"
    "north-korea-fires-suspected-short-range-ballistic-missile-toward-east-sea"
)


@pytest.fixture
def reader(browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_a_reader_finds_russia_and_the_sanctions_event_from_the_indexes(reader, live_server, demo):
    page = reader
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Actors").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Actors")
    page.get_by_label("Region", exact=True).select_option(label="Europe")
    page.get_by_label("Stance taken").select_option(label="Defends")
    page.get_by_role("button", name="Apply filters").click()
    assert "region=europe" in page.url
    expect(page.locator(".actor-card")).to_have_count(1)
    card = page.locator(".actor-card")
    expect(card.get_by_role("list", name="Russia: statements by stance")).to_have_text(
        "● Neutral: 2 ✚ Supportive: 6 ✔ Defends: 2"
    )
    card.get_by_role("link", name="Russia").click()
    expect(page).to_have_url(f"{live_server.url}/actors/RU/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Events").click()
    page.get_by_label("Kind").select_option(label="Warning by the launching state")
    page.get_by_label("Year").select_option("2025")
    page.get_by_role("button", name="Apply filters").click()
    event = page.get_by_role("link", name="DPRK denounces US sanctions, vows 'proper measures'")
    expect(event).to_be_visible()
    expect(page.get_by_role("list", name="Linked launches").first).to_contain_text(
        "Short-range ballistic (SRBM) launch of 7 Nov 2025: response to this event"
    )
    event.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "DPRK denounces US sanctions, vows 'proper measures'"
    )


def test_a_statement_leads_to_its_speaker_and_its_source(reader, live_server, demo):
    page = reader
    page.goto(live_server.url + "/launches/2025-11-07-srbm/")
    statement = page.locator("article.statement").filter(has_text="We respect the legitimate")
    expect(statement.get_by_role("link", name="original")).to_have_attribute("href", ARTICLE)
    statement.get_by_role("link", name="Dmitry Peskov").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dmitry Peskov")
    expect(page.get_by_text("Kremlin spokesman, speaking for Russia")).to_be_visible()
    page.get_by_role("link", name="North Korea fires suspected short-range").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "North Korea fires suspected short-range ballistic missile toward East Sea"
    )
    expect(page.get_by_role("heading", name="Statements it reports (3)")).to_be_visible()
    expect(page.get_by_role("link", name=ARTICLE)).to_have_attribute("href", ARTICLE)


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_of_the_indexes(page, live_server, demo, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/launches/2025-11-07-srbm/")
    statement = page.locator("article.statement").filter(has_text="We respect the legitimate")
    speaker = statement.get_by_role("link", name="Dmitry Peskov").get_attribute("href")
    source = statement.get_by_role("link", name="North Korea fires").get_attribute("href")
    for name, url in [
        ("actors", "/actors/"),
        ("actors-filtered", "/actors/?region=europe&stance=2"),
        ("events", "/events/"),
        ("events-filtered", "/events/?kind=sanctions&year=2025"),
        ("speaker", speaker),
        ("source", source),
    ]:
        page.goto(live_server.url + url)
        assert screenshot(f"{name}-{width}").exists()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways at {width} px"
