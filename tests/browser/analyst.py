"""What the analyst's browser tests share: the seed article, users, and a Desk that counts
what the user had to do."""

from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

ARTICLE_URL = (
    "https://allthe.news/en/articles/"
    "north-korea-fires-suspected-short-range-ballistic-missile-toward-east-sea"
)
ARTICLE_TITLE = "North Korea fires suspected short-range ballistic missile toward East Sea"
QUOTES = {
    "US": "We are aware of the missile launch and are consulting closely with our allies and "
    "partners. While we have assessed that this event does not pose an immediate threat to U.S. "
    "personnel or territory, or to our allies, the missile launch highlights the destabilizing "
    "impact of the DPRK's actions. The U.S. remains ready to defend the U.S. homeland and our "
    "allies in the region.",
    "RU": "We respect the legitimate right of our friends in North Korea to ensure their own "
    "security and take the necessary measures to do so.",
    "KR": "Urged Pyongyang to cease actions threatening peace on the Korean Peninsula and "
    "condemned the launches as violations of U.N. Security Council resolutions.",
}
PASSWORD = "correct horse battery staple"


class Desk:
    """Drives the admin and counts what the user had to do: page loads and UI actions."""

    def __init__(self, page):
        self.page = page
        self.actions = 0
        self.loads = 0
        self.console_errors = []
        self.watch(page)
        page.context.on("page", self.watch)

    def watch(self, page):
        page.on("load", self._loaded)
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _loaded(self, page):
        self.loads += 1

    def click(self, locator):
        self.actions += 1
        locator.click()

    def fill(self, locator, text):
        self.actions += 1
        locator.fill(text)

    def press(self, key):
        self.actions += 1
        self.page.keyboard.press(key)

    def select(self, locator, label):
        self.actions += 1
        locator.select_option(label=label)

    def select_value(self, locator, value):
        self.actions += 1
        locator.select_option(value=value)

    def tick(self, locator, ticked=True):
        """Tick or untick a checkbox: one action."""
        self.actions += 1
        locator.set_checked(ticked)

    def choose(self, page, field_id, search, option):
        """Pick from an autocomplete: open it, type, click the match."""
        self.click(page.locator(f"#{field_id} + .select2 .select2-selection"))
        self.fill(page.locator(".select2-container--open .select2-search__field"), search)
        self.click(page.get_by_role("option", name=option, exact=True))
        expect(page.locator(f"#select2-{field_id}-container")).to_contain_text(option)

    def add_related(self, field_id):
        """Open the "+" popup beside a field; returns the popup page."""
        with self.page.expect_popup() as popup:
            self.click(self.page.locator(f"#add_{field_id}"))
        popup.value.wait_for_load_state()
        return popup.value

    def save_popup(self, popup):
        with popup.expect_event("close"):
            self.click(popup.get_by_role("button", name="Save", exact=True))


def log_in(desk, base_url, username):
    desk.page.goto(f"{base_url}/admin/")
    desk.fill(desk.page.get_by_label("Username"), username)
    desk.fill(desk.page.get_by_label("Password"), PASSWORD)
    desk.click(desk.page.get_by_role("button", name="Log in"))
    expect(desk.page.locator("#site-name")).to_be_visible()


def staff(username, group):
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user
