"""The seed article through the article desk: pasted, proposed, corrected, created, published.

The configured extractor reads the article; where a proposal is wrong, the analyst corrects
it on the review screen as a person would, and every correction counts as an action.
"""

import re

import pytest
from playwright.sync_api import expect

from editorial.models import Status
from reactions.models import QuoteKind, Stance, Statement

from .analyst import ARTICLE_URL, QUOTES, Desk, log_in, staff

LAUNCH = "2025-11-07-srbm"
LAUNCH_DAY = "2025-11-07"
# The seed article, as a short report of our own wording that carries the same statements.
ARTICLE = f"""North Korea fires suspected short-range ballistic missile toward East Sea

SEOUL, Nov. 7 -- North Korea fired a suspected short-range ballistic missile toward the East \
Sea just past noon on Friday, South Korea's Joint Chiefs of Staff said. The missile flew about \
700 kilometers, according to the JCS.

U.S. Indo-Pacific Command said in a statement: "{QUOTES["US"]}"

Kremlin spokesman Dmitry Peskov defended Pyongyang. "{QUOTES["RU"][:-1]}," Peskov was quoted \
as saying by RIA Novosti.

South Korea's Office of National Security held an emergency meeting after the launch. It \
urged Pyongyang to cease actions threatening peace on the Korean Peninsula and condemned the \
launches as violations of U.N. Security Council resolutions.
"""
# What a careful analyst keeps from it. A role is checked only for a speaker not on record.
EXPECTED = [
    {
        "actor": "US",
        "speaker_name": "U.S. Indo-Pacific Command",
        "quote": QUOTES["US"],
        "quote_kind": QuoteKind.VERBATIM,
        "via": "",
        "stance": Stance.CONDEMNS,
    },
    {
        "actor": "RU",
        "speaker_name": "Dmitry Peskov",
        "speaker_role": "Kremlin spokesman",
        "quote": QUOTES["RU"],
        "quote_kind": QuoteKind.VERBATIM,
        "via": "RIA Novosti",
        "stance": Stance.DEFENDS,
    },
    {
        "actor": "KR",
        "speaker_name": "Office of National Security",
        "quote": QUOTES["KR"],
        "quote_kind": QuoteKind.PARAPHRASE,
        "via": "",
        "stance": Stance.CONDEMNS,
    },
]


def words(text):
    return re.sub(r"[\W_]+", " ", text).casefold().split()


def same_quote(proposed, expected):
    """An analyst keeps a quote that holds the expected words, give or take case,
    punctuation and up to three words around them ("It urged…" for "Urged…")."""
    proposed, expected = words(proposed), words(expected)
    if proposed == expected:
        return True
    joined, wanted = " ".join(proposed), " ".join(expected)
    return wanted in joined and len(proposed) - len(expected) <= 3


class Review:
    """The review screen as the analyst reads and corrects it."""

    def __init__(self, desk):
        self.desk, self.page = desk, desk.page
        self.corrections = []

    def field(self, row, name):
        return self.page.locator(f"#id_statement-{row}-{name}")

    def set(self, locator, value, what, *, select=False):
        self.corrections.append(what)
        if select:
            self.desk.select_value(locator, value)
        else:
            self.desk.fill(locator, value)

    def proposed_rows(self):
        return int(self.page.locator("#id_statement-INITIAL_FORMS").input_value())

    def all_rows(self):
        return int(self.page.locator("#id_statement-TOTAL_FORMS").input_value())

    def row_for(self, expected, used):
        """The proposed row for this statement (same actor, else same quote), else a blank
        row."""
        proposed = [row for row in range(self.proposed_rows()) if row not in used]
        for row in proposed:
            if self.field(row, "actor").input_value() == expected["actor"]:
                return row
        for row in proposed:
            if same_quote(self.field(row, "quote").input_value(), expected["quote"]):
                return row
        blank = [row for row in range(self.proposed_rows(), self.all_rows()) if row not in used]
        if not blank:
            pytest.fail(
                f"no row left for the {expected['actor']} statement "
                f"({self.desk.actions} actions so far: {self.corrections})"
            )
        return blank[0]

    def correct(self, row, expected):
        keep = self.field(row, "keep")
        if not keep.is_checked():
            self.corrections.append(f"keep statement {row + 1}")
            self.desk.tick(keep)
        code = expected["actor"]
        for name in ("actor", "quote_kind", "stance"):
            wanted = str(expected[name])
            if self.field(row, name).input_value() != wanted:
                self.set(self.field(row, name), wanted, f"{code} {name}", select=True)
        for name in ("speaker_name", "speaker_role", "via"):
            if name in expected and self.field(row, name).input_value() != expected[name]:
                self.set(self.field(row, name), expected[name], f"{code} {name}")
        if not same_quote(self.field(row, "quote").input_value(), expected["quote"]):
            self.set(self.field(row, "quote"), expected["quote"], f"{code} quote")
        issued_on = self.field(row, "issued_on").input_value()
        if issued_on and issued_on < LAUNCH_DAY:
            self.set(self.field(row, "issued_on"), LAUNCH_DAY, f"{code} issued on")

    def drop_the_rest(self, used):
        for row in range(self.proposed_rows()):
            keep = self.field(row, "keep")
            if row not in used and keep.is_checked():
                self.corrections.append(f"drop statement {row + 1}")
                self.desk.tick(keep, False)
        # The article mentions no event: whatever is proposed goes.
        events = int(self.page.locator("#id_event-INITIAL_FORMS").input_value())
        for row in range(events):
            keep = self.page.locator(f"#id_event-{row}-keep")
            if keep.is_checked():
                self.corrections.append(f"drop event {row + 1}")
                self.desk.tick(keep, False)

    def shared_fields(self):
        launch = self.page.locator("#id_launch-launch")
        if launch.input_value() != LAUNCH:
            self.set(launch, LAUNCH, "launch", select=True)
        issued_on = self.page.locator("#id_source-issued_on")
        if not issued_on.input_value() or issued_on.input_value() < LAUNCH_DAY:
            self.set(issued_on, LAUNCH_DAY, "issued on")
        url = self.page.locator("#id_source-url")
        if url.input_value() != ARTICLE_URL:
            self.set(url, ARTICLE_URL, "source URL")


@pytest.mark.django_db(transaction=True)
def test_the_seed_article_through_the_desk_in_a_dozen_actions(
    page, browser, live_server, screenshot, seed_launch_without_its_story
):
    launch = seed_launch_without_its_story
    analyst = staff("analyst", "Analyst")
    staff("editor", "Editor")
    desk = Desk(page)
    log_in(desk, live_server.url, "analyst")
    page.wait_for_load_state("load")
    desk.actions = desk.loads = 0  # counted from here: after login

    desk.click(page.get_by_role("link", name="Article desk").first)
    desk.fill(page.get_by_label("Article URL"), ARTICLE_URL)
    desk.fill(page.get_by_label("Article text"), ARTICLE)
    desk.click(page.get_by_role("button", name="Propose"))
    expect(page.get_by_role("button", name="Create drafts")).to_be_visible()
    screenshot("desk-proposed")

    review = Review(desk)
    review.shared_fields()
    used = set()
    for expected in EXPECTED:
        row = review.row_for(expected, used)
        used.add(row)
        review.correct(row, expected)
    review.drop_the_rest(used)
    desk.tick(page.get_by_label("Submit for review"))
    screenshot("desk-corrected")
    desk.click(page.get_by_role("button", name="Create drafts"))
    expect(page.locator(".messagelist")).to_contain_text("submitted for review")
    screenshot("desk-created")

    print(
        f"\ndesk: {desk.loads} page loads, {desk.actions} UI actions after login; "
        f"corrections: {review.corrections or 'none'}"
    )
    assert desk.console_errors == []
    statements = Statement.objects.filter(launch=launch).select_related("speaker", "source")
    assert sorted((s.actor.code, s.status) for s in statements) == [
        ("KR", Status.REVIEW),
        ("RU", Status.REVIEW),
        ("US", Status.REVIEW),
    ]
    for statement in statements:
        expected = next(e for e in EXPECTED if e["actor"] == statement.actor.code)
        assert statement.speaker.name == expected["speaker_name"]
        assert (statement.quote_kind, statement.stance, statement.via) == (
            expected["quote_kind"],
            expected["stance"],
            expected["via"],
        )
        assert same_quote(statement.quote, expected["quote"])
        assert (statement.source.url, statement.entered_by) == (ARTICLE_URL, analyst)
    peskov = statements.get(actor__code="RU").speaker
    assert peskov.role == "Kremlin spokesman"
    assert launch.links.filter(status=Status.DRAFT).count() == 0
    assert desk.loads <= 3
    assert desk.actions <= 12

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

    page.goto(f"{live_server.url}/launches/{LAUNCH}/")
    main = page.get_by_role("main")
    for statement in statements:
        expect(main).to_contain_text(statement.quote[:60])
    expect(main).to_contain_text("Dmitry Peskov")
    screenshot("desk-launch-published")
    assert desk.console_errors == []
