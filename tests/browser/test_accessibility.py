"""Accessibility measured: axe-core (the copy the axe-playwright-python package ships, nothing
fetched) over every public page, the API docs and the admin's statement form, in Chromium at
1280 px. No serious or critical violation may remain; what axe found on each page is printed
in the test output, every impact counted."""

from collections import Counter

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from reactions.models import Statement, Theme
from timeline.models import Event

from .analyst import Desk, log_in, staff

pytestmark = pytest.mark.django_db(transaction=True)

# The reader's pages, by path; `{event}`, `{theme}` and `{statement}` are filled from the demo
# data. Feeds are XML, not pages. New pages are added here.
# The page a mistyped address gets.
MISSING = "/no-such-page/"
PUBLIC_PAGES = [
    "/",
    "/launches/2025-11-07-srbm/",
    "/events/{event}/",
    "/actors/RU/",
    "/themes/{theme}/",
    "/matrix/",
    "/search/?q=Russia",
    "/charts/",
    "/actors/",
    "/actors/?region=europe",
    "/events/",
    "/speakers/{speaker}/",
    "/sources/{source}/",
    "/statements/{statement}/",
    "/map/",
    "/data/",
    "/methodology/",
    "/embed/?year=2025",
    MISSING,
    "/api/docs/",
]
ADMIN_PAGES = [
    "/admin/reactions/statement/add/",
    "/admin/reactions/statement/{statement}/change/",
]
WIDTH, HEIGHT = 1280, 900
BLOCKING = {"serious", "critical"}


def filled(path):
    statement = Statement.objects.filter(launch__slug="2025-11-07-srbm").order_by("id").first()
    return path.format(
        event=Event.objects.published().order_by("-start_date", "id").first().slug,
        theme=Theme.objects.filter(statements__isnull=False).order_by("id").first().slug,
        statement=statement.pk,
        speaker=statement.speaker_id,
        source=statement.source_id,
    )


def audit(page, path, capsys):
    """axe's violations on the page now open, printed with their impact: [(impact, rule,
    nodes)]."""
    if path == "/api/docs/":
        # One operation open with its fields, as a reader trying the API sees it.
        page.wait_for_selector(".opblock-tag", timeout=20000)
        operation = page.locator("#operations-launches-launches_list")
        operation.locator(".opblock-summary-control").click()
        operation.locator(".try-out__btn").click()
        expect(operation.locator("tr[data-param-name=page_size] input")).to_be_visible()
    results = Axe().run(page)
    violations = [
        (item["impact"], item["id"], len(item["nodes"])) for item in results.response["violations"]
    ]
    impacts = Counter(impact for impact, _, _ in violations)
    with capsys.disabled():
        print(
            f"\naxe {path}: "
            + (", ".join(f"{impacts[i]} {i}" for i in sorted(impacts)) or "0 violations")
        )
        for impact, rule, nodes in violations:
            print(f"    {impact}: {rule} ({nodes} elements)")
    return violations


def blocking(violations):
    return [v for v in violations if v[0] in BLOCKING]


@pytest.fixture
def wide(page):
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    return page


def test_every_public_page_has_no_serious_or_critical_violation(wide, live_server, demo, capsys):
    found = {}
    for path in PUBLIC_PAGES:
        url = filled(path)
        response = wide.goto(live_server.url + url)
        assert response.status == (404 if path == MISSING else 200), url
        found[url] = blocking(audit(wide, url, capsys))
    with capsys.disabled():
        total = sum(len(v) for v in found.values())
        print(f"\naxe over {len(found)} public pages: {total} serious or critical")
    assert found == {url: [] for url in found}


def test_the_statement_form_has_no_serious_or_critical_violation(wide, live_server, demo, capsys):
    staff("analyst", "Analyst")
    desk = Desk(wide)
    log_in(desk, live_server.url, "analyst")
    found = {}
    for path in ADMIN_PAGES:
        url = filled(path)
        wide.goto(live_server.url + url)
        expect(wide.locator("#statement_form")).to_be_visible()
        found[url] = blocking(audit(wide, url, capsys))
    assert found == {url: [] for url in found}
