"""The admin forms an analyst finishes an article in: the speaker autocomplete narrowed to the
chosen actor and the new-speaker popup carrying it, launches told apart in autocompletes, a
source's title fetched from its page, the stance near the top of the statement form."""

import datetime
import http.server
import re
import threading

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from reactions.models import Actor
from timeline.models import Source

from .factories import LaunchFactory, SpeakerFactory, StatementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(client):
    user = User.objects.create_user("analyst", is_staff=True)
    user.groups.add(Group.objects.get(name="Analyst"))
    client.force_login(user)
    return client


def autocomplete(client, field, term="", **extra):
    params = {"app_label": "reactions", "model_name": "statement", "field_name": field}
    response = client.get(reverse("admin:autocomplete"), {**params, "term": term, **extra})
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_the_speaker_autocomplete_lists_the_chosen_actor_s_speakers(analyst):
    russia, usa = Actor.objects.get(code="RU"), Actor.objects.get(code="US")
    SpeakerFactory(actor=russia, name="Dmitry Peskov", role="Kremlin spokesman")
    SpeakerFactory(actor=russia, name="Maria Zakharova", role="spokeswoman")
    SpeakerFactory(actor=usa, name="U.S. Indo-Pacific Command", role="")
    assert autocomplete(analyst, "speaker", actor=russia.pk) == [
        "Dmitry Peskov, Kremlin spokesman",
        "Maria Zakharova, spokeswoman",
    ]
    assert autocomplete(analyst, "speaker", "Pes", actor=russia.pk) == [
        "Dmitry Peskov, Kremlin spokesman"
    ]
    assert autocomplete(analyst, "speaker", "Pes", actor=usa.pk) == []
    # No actor chosen yet: every speaker, as before.
    assert len(autocomplete(analyst, "speaker", actor="")) == 3


def test_the_new_speaker_popup_comes_with_the_actor_chosen(analyst):
    russia = Actor.objects.get(code="RU")
    url = reverse("admin:reactions_speaker_add")
    page = analyst.get(url, {"_to_field": "id", "_popup": 1, "actor": russia.pk}).content.decode()
    assert re.search(rf'<option value="{russia.pk}" selected>Russia', page)


def test_the_statement_forms_load_the_script_that_narrows_speakers(analyst):
    launch = LaunchFactory()
    for url in (
        reverse("admin:reactions_statement_add"),
        reverse("admin:timeline_launch_change", args=[launch.pk]),
    ):
        page = analyst.get(url).content.decode()
        scripts = re.findall(r'<script src="/static/([^"]+)"', page)
        assert "reactions/admin/statement_form.js" in scripts
        assert scripts.index("admin/js/jquery.init.js") < scripts.index(
            "reactions/admin/statement_form.js"
        )


def test_launches_are_told_apart_by_time_and_type_in_autocompletes(analyst):
    day = datetime.date(2025, 11, 7)
    LaunchFactory(
        slug="2025-11-07-srbm",
        occurred_on=day,
        occurred_at=datetime.datetime(2025, 11, 7, 3, 10, tzinfo=datetime.UTC),
        missile_class="SRBM",
        missile_name="Hwasong-11",
    )
    LaunchFactory(
        slug="2025-11-07-cruise",
        occurred_on=day,
        occurred_at=datetime.datetime(2025, 11, 7, 7, 45, tzinfo=datetime.UTC),
        missile_class="cruise",
        missile_name="",
        missile_count=2,
        status="draft",
    )
    labels = sorted(autocomplete(analyst, "launch", "2025-11-07"))
    assert labels == [
        "2025-11-07 12:10 KST · SRBM · Hwasong-11",
        "2025-11-07 16:45 KST · Cruise missile · 2 missiles · draft",
    ]


def test_a_chosen_launch_shows_the_same_label_and_public_names_stay(analyst):
    statement = StatementFactory(
        launch=LaunchFactory(
            occurred_on=datetime.date(2025, 11, 7),
            occurred_at=datetime.datetime(2025, 11, 7, 3, 10, tzinfo=datetime.UTC),
            missile_class="SRBM",
            missile_name="",
        )
    )
    page = analyst.get(reverse("admin:reactions_statement_change", args=[statement.pk]))
    assert "2025-11-07 12:10 KST · SRBM</option>" in page.content.decode()
    assert str(statement.launch) == "2025-11-07 Short-range ballistic (SRBM)"


def field_order(page):
    return [
        name.split("-")[-1]
        for name in re.findall(r'<(?:select|textarea|input)[^>]* name="([^"]+)"', page)
    ]


@pytest.mark.parametrize("where", ["statement", "launch"])
def test_the_stance_comes_right_after_who_speaks(analyst, where):
    launch = LaunchFactory()
    if where == "statement":
        url = reverse("admin:reactions_statement_add")
    else:
        url = reverse("admin:timeline_launch_change", args=[launch.pk])
    names = [
        name
        for name in field_order(analyst.get(url).content.decode())
        if name in {"actor", "speaker", "stance", "issued_on", "channel", "quote"}
    ]
    assert names[:6] == ["actor", "speaker", "stance", "issued_on", "channel", "quote"]


class Site:
    """A local web server answering every GET with `body` as `content_type`, or a redirect to
    `redirect`; with `hold`, it answers only once the test releases it."""

    def __init__(
        self, body=b"", *, content_type="text/html; charset=utf-8", hold=False, redirect=None
    ):
        self.requests = []
        self.released = threading.Event()
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append(self.path)
                if hold:
                    site.released.wait(10)
                if redirect:
                    self.send_response(302)
                    self.send_header("Location", redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/news/launch"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site(settings):
    """Starts local sites, the one place titles may be fetched from private addresses."""
    settings.SOURCE_TITLE_ALLOW_PRIVATE_ADDRESSES = True
    sites = []

    def start(*args, **kwargs):
        sites.append(Site(*args, **kwargs))
        return sites[-1]

    yield start
    for running in sites:
        running.close()


PAGE = (
    "<html><head><title>North Korea fires a ballistic missile | Example News</title>"
    '<meta property="og:title" content="North Korea fires a “ballistic” missile">'
    "</head><body><p>Text.</p></body></html>"
).encode()


def add_source(client, url, title=""):
    data = {"url": url, "title": title, "publisher": "", "language": "en", "reference": ""}
    return client.post(reverse("admin:timeline_source_add"), data, follow=True)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_a_pasted_url_gets_its_page_s_title(analyst, site):
    page = site(PAGE)
    response = add_source(analyst, page.url)
    assert response.status_code == 200
    source = Source.objects.get()
    assert (source.url, source.title) == (page.url, "North Korea fires a “ballistic” missile")
    assert page.requests == ["/news/launch"]
    assert source.history.count() == 1


def test_a_title_typed_in_is_kept_and_nothing_is_fetched(analyst, site):
    page = site(PAGE)
    add_source(analyst, page.url, title="As the analyst wrote it")
    assert Source.objects.get().title == "As the analyst wrote it"
    assert page.requests == []


def test_private_addresses_are_refused_as_webhooks_refuse_them(analyst, site, settings):
    page = site(PAGE)
    settings.SOURCE_TITLE_ALLOW_PRIVATE_ADDRESSES = False
    response = add_source(analyst, page.url)
    assert Source.objects.get().title == ""
    assert page.requests == []
    assert messages_of(response)[0] == (
        "The page's title could not be fetched: 127.0.0.1 resolves to 127.0.0.1, a private "
        "or reserved address. Type it in."
    )


def test_a_page_that_does_not_answer_in_time_is_given_up(analyst, site, settings):
    settings.SOURCE_TITLE_TIMEOUT_SECONDS = 0.2
    page = site(PAGE, hold=True)
    response = add_source(analyst, page.url)
    page.released.set()
    assert Source.objects.get().title == ""
    assert messages_of(response)[0] == (
        "The page's title could not be fetched: the page did not answer within 0.2 s. Type it in."
    )


def test_only_the_first_bytes_of_a_page_are_read(analyst, site, settings):
    settings.SOURCE_TITLE_MAX_BYTES = 1024
    page = site(b"<html><head>" + b"<!-- padding -->" * 200 + PAGE[6:])
    response = add_source(analyst, page.url)
    assert Source.objects.get().title == ""
    assert messages_of(response)[0].endswith("the page has no title. Type it in.")


def test_an_address_that_is_not_a_page_is_said_so(analyst, site):
    page = site(b"%PDF-1.7", content_type="application/pdf")
    response = add_source(analyst, page.url)
    assert Source.objects.get().title == ""
    assert messages_of(response)[0] == (
        "The page's title could not be fetched: the address gives application/pdf, not a "
        "page. Type it in."
    )


def test_redirects_are_followed_each_checked_as_the_first(analyst, site):
    page = site(PAGE)
    moved = site(redirect=page.url)
    add_source(analyst, moved.url)
    assert Source.objects.get().title == "North Korea fires a “ballistic” missile"
    assert (moved.requests, page.requests) == (["/news/launch"], ["/news/launch"])


def test_a_redirect_to_another_scheme_is_not_followed(analyst, site):
    moved = site(redirect="file:///etc/passwd")
    response = add_source(analyst, moved.url)
    assert Source.objects.get().title == ""
    assert messages_of(response)[0] == (
        "The page's title could not be fetched: file:///etc/passwd is not an http or https "
        "address with a host. Type it in."
    )
