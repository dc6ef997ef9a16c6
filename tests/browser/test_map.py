"""The map of launch sites in Chromium, at desktop and phone widths: the base map loads
under the strict CSP, a site's circle leads to its launches, and nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_reader_goes_from_the_map_to_a_sites_launches(page, live_server, demo, screenshot, width):
    problems = []
    page.on(
        "console",
        lambda m: m.type == "error" and "favicon" not in m.text and problems.append(m.text),
    )
    loaded = []
    page.on("response", lambda r: "/map/korea" in r.url and loaded.append(r.status))
    page.set_viewport_size({"width": width, "height": 900})
    for name, url in [("map", "/map/"), ("launch-map", "/launches/2025-11-07-srbm/")]:
        page.goto(live_server.url + url)
        assert screenshot(f"{name}-{width}").exists()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways at {width} px"
    assert loaded
    assert set(loaded) <= {200, 304}
    page.goto(live_server.url + "/map/")
    # By keyboard: a circle may lie partly under a neighbour's, never out of the tab order.
    page.locator('a[aria-label^="Sunan (Pyongyang airport):"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/?site=*")
    assert "site=39.22%2C125.67" in page.url
    expect(page.get_by_label("Launch site")).to_have_value("39.22,125.67")
    assert problems == []
