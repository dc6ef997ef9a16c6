"""A reader in Chromium: from the timeline to a launch, its trigger and an actor, under the
strict CSP, with hostile text shown as text, and screenshots at desktop and phone widths."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.factories import StatementFactory

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'


def test_a_reader_follows_the_7_november_story(page, live_server, demo, console_errors):
    page.goto(live_server.url + "/")
    page.get_by_text("Filter the timeline").click()
    page.get_by_label("Year", exact=True).select_option("2025")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Missile launches and reactions, 2025"
    )
    assert "year=2025" in page.url

    card = page.locator("article.launch-card").filter(has_text="7 Nov 2025, 12:35 KST")
    expect(card).to_have_count(1)
    chips = card.get_by_role("list", name="Reactions")
    # The seed article's three reactions, and the reactions corpus's on the same launch.
    expect(chips.get_by_role("listitem")).to_have_text(
        [
            "Germany: condemns",
            "Japan: condemns",
            "United States: condemns",
            "Russia: defends",
            "South Korea: condemns",
            "United Kingdom: concerned",
        ]
    )
    # Each chip's shape, drawn by the stylesheet, so that colour is never the only cue.
    shapes = chips.locator("li > a:first-child").evaluate_all(
        "links => links.map(link => getComputedStyle(link, '::before').content)"
    )
    assert [shape.split(" /")[0].strip('"') for shape in shapes] == ["✖", "✖", "✖", "✔", "✖", "▲"]

    card.get_by_role("heading", level=3).get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/launches/2025-11-07-srbm/")
    reactions = page.get_by_role("region", name="Reactions")
    for actor, words in [
        ("United States", "We are aware of the missile launch"),
        ("Russia", "We respect the legitimate right of our friends in North Korea"),
        ("South Korea", "Reported speech: Urged Pyongyang to cease actions"),
    ]:
        statement = reactions.locator("article.statement").filter(has_text=words)
        expect(statement).to_have_count(1)
        expect(statement.get_by_role("heading")).to_contain_text(actor)
        expect(statement.get_by_role("link", name="original")).to_have_attribute(
            "href",
            "https://allthe.news/en/articles/"
            "north-korea-fires-suspected-short-range-ballistic-missile-toward-east-sea",
        )

    page.get_by_role("link", name="DPRK denounces US sanctions, vows 'proper measures'").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "DPRK denounces US sanctions, vows 'proper measures'"
    )
    expect(page.get_by_text("response to this event")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/launches/2025-11-07-srbm/")

    reactions.locator("article.statement").get_by_role("link", name="Russia").click()
    expect(page).to_have_url(f"{live_server.url}/actors/RU/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Russia")
    expect(page.get_by_text("We respect the legitimate right")).to_be_visible()
    assert console_errors == []


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_the_front_page_tells_the_latest_story_above_the_fold(
    page, live_server, demo, screenshot, width, height, console_errors
):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + "/")
    title = "Cruise missile, 28 December 2025"
    latest = page.get_by_role("region", name=f"Latest launch: {title}")
    expect(latest).to_be_visible()
    # South Korea has spoken on the latest launch; the actors usually heard are waited for.
    reacted = latest.locator(".glance")
    expect(reacted).to_contain_text(re.compile(r"Voiced concern\s+South Korea"))
    expect(reacted).to_contain_text(re.compile(r"Not spoken yet\s+ASEAN"))
    box = reacted.bounding_box()
    assert box["y"] + box["height"] <= height, f"the reactions end below the fold at {width} px"
    screenshot(f"front-{width}")

    latest.get_by_role("link", name=title).click()
    expect(page).to_have_url(f"{live_server.url}/launches/2025-12-28-cruise/")
    glance = page.get_by_role("region", name="Reactions").locator(".glance")
    figures = page.get_by_role("region", name="Figures and who claimed them")
    assert glance.bounding_box()["y"] < height
    assert glance.bounding_box()["y"] < figures.bounding_box()["y"]
    screenshot(f"launch-top-{width}")
    assert console_errors == []


def test_the_timeline_works_by_keyboard_with_javascript_off(browser, live_server, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_text("Filter the timeline").click()
    page.get_by_label("Reaction by").select_option("RU")
    page.get_by_role("button", name="Apply filters").press("Enter")
    expect(page.locator("article.launch-card")).to_have_count(1)
    assert "actor=RU" in page.url
    context.close()


def test_hostile_quotes_show_as_text_and_run_nothing(page, live_server, console_errors):
    statement = StatementFactory(quote=HOSTILE, launch__occurred_on=datetime.date(2024, 6, 1))
    for url in [statement.launch.get_absolute_url(), "/actors/US/", "/search/?q=pwned"]:
        page.goto(live_server.url + url)
        expect(page.get_by_text(HOSTILE).first).to_be_visible()
        assert page.evaluate("window.pwned") is None
        assert page.locator("main img").count() == 0
    assert console_errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_of_the_reader_pages(
    page, live_server, demo, screenshot, width, console_errors
):
    page.set_viewport_size({"width": width, "height": 900})
    for name, url in [
        ("timeline", "/?year=2025"),
        ("launch", "/launches/2025-11-07-srbm/"),
        ("actor", "/actors/US/"),
        ("matrix", "/matrix/?year=2025"),
        ("charts", "/charts/"),
    ]:
        page.goto(live_server.url + url)
        assert screenshot(f"{name}-{width}").exists()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways at {width} px"
    assert console_errors == []
