"""The interactive API docs render in Chromium under the site's strict CSP."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_the_docs_page_renders_in_chromium_without_csp_errors(page, live_server):
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-tag", timeout=20000)
    tags = page.locator(".opblock-tag").all_inner_texts()
    assert [p for p in problems if "favicon" not in p] == []
    assert any("launches" in tag for tag in tags)
