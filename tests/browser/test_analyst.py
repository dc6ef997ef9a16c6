"""An analyst enters the seed article's statements in the admin; an editor publishes them."""

import re

import pytest
from playwright.sync_api import expect

from editorial.models import Status
from reactions.models import Statement

from .analyst import ARTICLE_TITLE, ARTICLE_URL, QUOTES, Desk, log_in, staff


@pytest.mark.django_db(transaction=True)
def test_an_analyst_enters_the_article_and_an_editor_publishes_it(
    page, browser, live_server, screenshot, seed_launch_without_its_story
):
    launch = seed_launch_without_its_story
    staff("analyst", "Analyst")
    staff("editor", "Editor")
    desk = Desk(page)

    log_in(desk, live_server.url, "analyst")
    desk.click(page.get_by_role("link", name=re.compile(r"^Launche?s$")))
    desk.fill(page.locator("#searchbar"), "2025-11-07")
    desk.press("Enter")
    desk.click(page.locator(f"#result_list a[href*='/timeline/launch/{launch.pk}/change/']"))
    expect(page.locator("#statements-group")).to_be_visible()

    # Russia, through Dmitry Peskov, who is not on record yet; the article is not either.
    desk.choose(page, "id_statements-0-actor", "Russia", "Russia")
    popup = desk.add_related("id_statements-0-speaker")
    # The new speaker's popup comes with the statement's actor already chosen.
    expect(popup.locator("#select2-id_actor-container")).to_contain_text("Russia")
    desk.fill(popup.get_by_label("Name"), "Dmitry Peskov")
    desk.fill(popup.get_by_label("Role"), "Kremlin spokesman")
    desk.save_popup(popup)
    expect(page.locator("#select2-id_statements-0-speaker-container")).to_contain_text("Peskov")
    desk.select(page.locator("#id_statements-0-channel"), "Remarks")
    desk.select(page.locator("#id_statements-0-stance"), "Defends")
    desk.fill(page.locator("#id_statements-0-quote"), QUOTES["RU"])
    popup = desk.add_related("id_statements-0-source")
    desk.fill(popup.get_by_label("Url"), ARTICLE_URL)
    desk.fill(popup.get_by_label("Title"), ARTICLE_TITLE)
    desk.fill(popup.get_by_label("Publisher"), "allthe.news")
    desk.save_popup(popup)
    expect(page.locator("#select2-id_statements-0-source-container")).to_contain_text("East Sea")
    desk.fill(page.locator("#id_statements-0-via"), "RIA Novosti")

    # The United States and South Korea, by speakers already on record (the reactions
    # corpus has a namesake of the second, with another role).
    for row, (code, actor, speaker, stance) in enumerate(
        [
            ("US", "United States", "U.S. Indo-Pacific Command, Combatant command", "Condemns"),
            ("KR", "South Korea", "Office of National Security, Presidential office", "Condemns"),
        ],
        start=1,
    ):
        desk.click(page.get_by_role("button", name="Add another Statement"))
        prefix = f"id_statements-{row}"
        desk.choose(page, f"{prefix}-actor", actor, actor)
        name = speaker.split(",")[0]
        desk.choose(page, f"{prefix}-speaker", name.split()[-1], re.compile(re.escape(speaker)))
        desk.select(page.locator(f"#{prefix}-stance"), stance)
        desk.fill(page.locator(f"#{prefix}-quote"), QUOTES[code])
        desk.choose(page, f"{prefix}-source", "North Korea fires", ARTICLE_TITLE)
    desk.select(page.locator("#id_statements-2-quote_kind"), "Reported speech")
    screenshot("analyst-statements-entered")
    desk.click(page.get_by_role("button", name="Save and submit for review").first)
    expect(page.locator(".messagelist")).to_contain_text("3 submitted for review")
    screenshot("analyst-submitted")

    print(f"\nanalyst: {desk.loads} page loads, {desk.actions} UI actions")
    assert desk.console_errors == []
    assert sorted(Statement.objects.filter(launch=launch).values_list("actor__code", "status")) == [
        ("KR", Status.REVIEW),
        ("RU", Status.REVIEW),
        ("US", Status.REVIEW),
    ]
    peskov = Statement.objects.get(launch=launch, actor__code="RU")
    assert (peskov.speaker.name, peskov.speaker.role) == ("Dmitry Peskov", "Kremlin spokesman")
    assert (peskov.source.url, peskov.via, peskov.entered_by.username) == (
        ARTICLE_URL,
        "RIA Novosti",
        "analyst",
    )
    assert desk.loads <= 12
    assert desk.actions <= 60

    # The editor publishes the review queue.
    editor_page = browser.new_context().new_page()
    editor = Desk(editor_page)
    log_in(editor, live_server.url, "editor")
    editor_page.goto(f"{live_server.url}/admin/reactions/statement/")
    editor.click(editor_page.get_by_role("link", name="Review queue"))
    editor.click(editor_page.locator("#action-toggle"))
    editor.select(editor_page.locator("select[name=action]"), "Publish selected")
    editor.click(editor_page.get_by_role("button", name="Run"))
    expect(editor_page.locator(".messagelist")).to_contain_text("3 statements published")
    assert editor.console_errors == []

    page.goto(f"{live_server.url}/launches/2025-11-07-srbm/")
    main = page.get_by_role("main")
    for quote in QUOTES.values():
        expect(main).to_contain_text(quote[:60])
    expect(main).to_contain_text("Dmitry Peskov")
    screenshot("analyst-launch-published")
    assert desk.console_errors == []
