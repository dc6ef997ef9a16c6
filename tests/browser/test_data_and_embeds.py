"""In Chromium: the data page's CSV downloads and reads back; the embed shows inside another
site's iframe, where any other page of Salvo is refused."""

import csv
import http.server
import io
import threading
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reader_downloads_the_launches_csv(page, live_server, demo, screenshot):
    page.goto(live_server.url + "/")
    page.get_by_role("contentinfo").get_by_role("link", name="Download the data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Download the data")
    screenshot("data-page")
    with page.expect_download() as download:
        page.get_by_role("link", name="launches.csv").click()
    with open(download.value.path(), encoding="utf-8") as handle:
        text = handle.read()
    seed = next(
        row for row in csv.DictReader(io.StringIO(text)) if row["slug"] == "2025-11-07-srbm"
    )
    assert (seed["occurred_on"], seed["missile_class"]) == ("2025-11-07", "SRBM")


@pytest.fixture
def newsroom(page, live_server):
    """Open a newsroom's page, served from another origin on this machine, that frames a
    `path` of Salvo. (A page Playwright makes up counts as public to Chromium, which then
    refuses any local frame: the page is served for real.)"""
    served = {}

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = served["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def open_framing(path):
        served["html"] = (
            "<!doctype html><html lang='en'><head><title>Newsroom</title></head><body>"
            "<h1>North Korea fires another missile</h1>"
            f"<iframe src='{live_server.url}{path}' width='640' height='720' title='Salvo'>"
            "</iframe></body></html>"
        )
        page.goto(f"http://127.0.0.1:{server.server_port}/story")
        page.wait_for_load_state("load")

    yield open_framing
    server.shutdown()
    server.server_close()


def test_a_newsroom_frames_the_embed(page, newsroom, demo, screenshot):
    newsroom("/embed/?year=2025&order=newest")
    frame = page.frame_locator("iframe")
    card = frame.locator("article.launch-card").filter(has_text="7 Nov 2025, 12:35 KST")
    expect(card).to_have_count(1)
    expect(card.get_by_role("list", name="Reactions").get_by_role("listitem")).to_have_count(6)
    screenshot("embed-in-a-newsroom")


def test_a_newsroom_cannot_frame_the_site_itself(page, newsroom, demo):
    newsroom("/?year=2025")
    # Chromium refuses the frame (X-Frame-Options: DENY) and shows its own error page, once
    # the response has arrived: wait for it rather than read the frame too early.
    page.wait_for_function("() => document.querySelector('iframe') !== null", timeout=10_000)
    deadline = time.monotonic() + 10
    while not page.frames[-1].url.startswith("chrome-error://") and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert page.frames[-1].url.startswith("chrome-error://"), page.frames[-1].url
