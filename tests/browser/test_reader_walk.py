"""A journalist's walk after a launch, at desktop and phone widths: the front page's latest
story, the launch page (reactions before figures, its map, how to cite it), the actors, Russia,
the events, the sanctions event, and the data, downloaded and read back."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

SANCTIONS = "DPRK denounces US sanctions, vows 'proper measures'"


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_a_journalist_walks_from_the_latest_story_to_the_data(
    page, live_server, demo, screenshot, width, height, console_errors
):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + "/")
    latest = page.get_by_role("region", name=re.compile(r"^Latest launch"))
    reacted = latest.locator(".glance")
    expect(reacted).to_contain_text(re.compile(r"Voiced concern\s+South Korea"))
    box = reacted.bounding_box()
    assert box["y"] + box["height"] <= height, "the latest reactions are below the fold"
    screenshot(f"walk-front-{width}")

    # The latest launch has South Korea's reaction; the walk goes on to the seed story.
    seed = page.locator("article.launch-card").filter(has_text="7 Nov 2025, 12:35 KST")
    seed.get_by_role("heading", level=3).get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/launches/2025-11-07-srbm/")
    reactions = page.get_by_role("region", name="Reactions", exact=True)
    figures = page.get_by_role("region", name="Figures and who claimed them")
    assert reactions.bounding_box()["y"] < figures.bounding_box()["y"]
    expect(page.get_by_role("region", name="Where it was launched from")).to_be_visible()
    cite = page.get_by_role("region", name="Cite this")
    expect(cite).to_contain_text("/launches/2025-11-07-srbm/")
    expect(cite).to_contain_text("@misc{")
    screenshot(f"walk-launch-{width}")

    page.goto(live_server.url + "/actors/")
    page.get_by_role("link", name="Russia", exact=True).first.click()
    expect(page).to_have_url(f"{live_server.url}/actors/RU/")
    expect(page.get_by_role("main")).to_contain_text("We respect the legitimate right")

    page.goto(live_server.url + "/events/")
    page.get_by_role("link", name=SANCTIONS).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SANCTIONS)
    expect(page.locator("main a[href='/launches/2025-11-07-srbm/']").first).to_be_visible()
    screenshot(f"walk-event-{width}")

    page.get_by_role("contentinfo").get_by_role("link", name="Download the data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Download the data")
    with page.expect_download() as download:
        page.get_by_role("link", name="launches.csv").click()
    with open(download.value.path(), encoding="utf-8") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    seed = next(row for row in rows if row["slug"] == "2025-11-07-srbm")
    assert (seed["occurred_on"], seed["launching_state"]) == ("2025-11-07", "KP")
    screenshot(f"walk-data-{width}")
    assert console_errors == []
