"""The system Chromium opens Salvo's timeline under its strict CSP without console errors."""

import pytest

from tests.factories import LaunchFactory


@pytest.mark.django_db(transaction=True)
def test_chromium_renders_the_timeline_without_console_errors(page, live_server, screenshot):
    LaunchFactory(missile_name="Hwasong-11")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/?year=2024")
    assert page.get_by_role("heading", level=1).inner_text() == "Missile launches and reactions, 2024"
    assert "Hwasong-11" in page.get_by_role("main").inner_text()
    assert screenshot("smoke-timeline").exists()
    assert errors == []
