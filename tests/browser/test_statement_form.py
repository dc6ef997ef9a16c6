"""The statement form in a browser: the speaker list follows the actor chosen beside it, and
the new-speaker popup comes with that actor."""

import pytest
from playwright.sync_api import expect

from reactions.models import Actor

from ..factories import SpeakerFactory
from .test_analyst import Desk, log_in, staff


@pytest.mark.django_db(transaction=True)
def test_the_speaker_list_follows_the_actor(page, live_server, screenshot):
    russia, usa = Actor.objects.get(code="RU"), Actor.objects.get(code="US")
    SpeakerFactory(actor=russia, name="Dmitry Peskov", role="Kremlin spokesman")
    SpeakerFactory(actor=usa, name="U.S. Indo-Pacific Command", role="")
    SpeakerFactory(actor=usa, name="Karoline Leavitt", role="White House press secretary")
    staff("analyst", "Analyst")
    desk = Desk(page)
    log_in(desk, live_server.url, "analyst")
    page.goto(f"{live_server.url}/admin/reactions/statement/add/")
    speakers = page.locator("#select2-id_speaker-results [role=option]")

    desk.choose(page, "id_actor", "United States", "United States")
    desk.click(page.locator("#id_speaker + .select2 .select2-selection"))
    expect(speakers).to_have_text(
        ["Karoline Leavitt, White House press secretary", "U.S. Indo-Pacific Command"]
    )
    screenshot("statement-speakers-of-the-actor")
    desk.press("Escape")

    desk.choose(page, "id_actor", "Russia", "Russia")
    desk.click(page.locator("#id_speaker + .select2 .select2-selection"))
    expect(speakers).to_have_text(["Dmitry Peskov, Kremlin spokesman"])
    desk.press("Escape")

    popup = desk.add_related("id_speaker")
    expect(popup.locator("#select2-id_actor-container")).to_contain_text("Russia")
    assert desk.console_errors == []
