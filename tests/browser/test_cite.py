"""A reader who cites: the launch page's "Cite this" block and change log at desktop and
phone widths, a label followed to its definition, a statement's permalink, the launch page
in print, and the friendly 404."""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

SEED_LAUNCH = "/launches/2025-11-07-srbm/"


@pytest.mark.parametrize("width", [1280, 390])
def test_a_reader_cites_the_seed_launch(page, live_server, demo, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + SEED_LAUNCH)
    cite = page.get_by_role("region", name="Cite this")
    expect(cite).to_contain_text(f"Permanent address: {live_server.url}{SEED_LAUNCH}")
    expect(cite.get_by_role("heading", name="Change log")).to_be_visible()
    cite.get_by_text("CSL-JSON").click()
    item = json.loads(cite.locator("details", has_text="CSL-JSON").locator("code").inner_text())
    assert item[0]["URL"] == live_server.url + SEED_LAUNCH
    cite.get_by_text("BibTeX").click()
    expect(cite.locator("details", has_text="BibTeX").locator("code")).to_contain_text("@misc{")
    box = cite.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width  # nothing spills sideways on a phone
    screenshot(f"cite-launch-{width}")

    page.get_by_role("link", name="Suspected", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/methodology/#confidence-suspected")
    expect(page.locator("#confidence-suspected")).to_be_in_viewport()
    screenshot(f"methodology-{width}")

    page.go_back()
    russia = page.locator("article.statement", has_text="Dmitry Peskov")
    russia.get_by_role("link", name="Permalink to this statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Russia on the launch of 7 November 2025"
    )
    screenshot(f"statement-{width}")


def test_the_launch_page_prints_as_a_document(page, live_server, demo, screenshot):
    page.emulate_media(media="print")
    page.goto(live_server.url + SEED_LAUNCH)
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.locator("details.cite-format").first).to_be_hidden()
    expect(page.locator(".citation")).to_be_visible()
    source = page.locator(".sources a[href^='http']").first
    after = source.evaluate("a => getComputedStyle(a, '::after').content")
    assert "https://" in after
    screenshot("launch-print")


def test_a_mistyped_address_gets_a_friendly_page(page, live_server, screenshot):
    response = page.goto(live_server.url + "/launchs/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(
        page.get_by_role("searchbox", name="Search launches, statements and events")
    ).to_be_visible()
    screenshot("not-found")
