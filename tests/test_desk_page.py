"""The article desk's page in the admin, and the drafts it creates.

The extractor is replaced by a fixed one (the DESK_EXTRACTOR setting), so that these tests
say what the page does with any proposals, whatever the rules find.
"""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from desk.extraction import pipeline
from desk.forms import NEW
from desk.review import Part, marked
from editorial.models import Status
from reactions.models import Actor, QuoteKind, Speaker, Stance, Statement
from timeline.models import Event, Launch, LaunchClaim, Link, Source
from webhooks.models import Delivery, EventType
from webhooks.services import subscription_create

from .factories import (
    EventFactory,
    LaunchFactory,
    LinkFactory,
    SpeakerFactory,
    StatementFactory,
)

DESK = "/admin/desk/"
URL = "https://news.example/2024/06/02/launch-reactions"
TEXT = (
    "North Korea fired a ballistic missile on Sunday, the Joint Chiefs of Staff said.\n"
    '"We condemn this reckless launch," the State Department said in a statement.\n'
    "Moscow said it <script>alert(1)</script> understood Pyongyang's security concerns.\n"
    "The launch came days after new sanctions were announced."
)
US_SENTENCE = '"We condemn this reckless launch," the State Department said in a statement.'
RU_SENTENCE = "Moscow said it <script>alert(1)</script> understood Pyongyang's security concerns."
SANCTIONS_SENTENCE = "The launch came days after new sanctions were announced."


class FixedExtractor:
    """Answers every article with `proposals`, as a configured extractor would."""

    proposals = {}

    def extract(self, article):
        return FixedExtractor.proposals


def statement(actor, quote, evidence, **fields):
    return {
        "actor": actor,
        "speaker": {"name": fields.pop("speaker", ""), "role": fields.pop("role", "")},
        "quote": quote,
        "quote_kind": fields.pop("quote_kind", "verbatim"),
        "via": fields.pop("via", ""),
        "issued_on": fields.pop("issued_on", "2024-06-02"),
        "channel": "written_statement",
        "stance": fields.pop("stance", "condemns"),
        "stance_words": ["condemn"],
        "themes": [],
        "evidence": evidence,
    }


def proposals(*, match=None, statements=None, events=None):
    return {
        "source": {
            "url": URL,
            "title": "Reactions to the launch",
            "publisher": "news.example",
            "published_on": "2024-06-02",
            "language": "en",
        },
        "launch": {
            "match": match,
            "alternatives": [],
            "proposed": None
            if match
            else {
                "occurred_on": "2024-06-02",
                "missile_class": "SRBM",
                "claims": [
                    {
                        "attribute": "distance",
                        "value_text": "about 700",
                        "value": 700,
                        "claimant": "JCS",
                    }
                ],
            },
        },
        "statements": statements
        if statements is not None
        else [
            statement(
                "US",
                "We condemn this reckless launch",
                US_SENTENCE,
                speaker="State Department",
            ),
            statement(
                "RU",
                "understood Pyongyang's security concerns",
                RU_SENTENCE,
                quote_kind="reported",
                stance="defends",
                speaker="Dmitry Peskov",
                role="Kremlin spokesman",
                via="RIA Novosti",
            ),
        ],
        "events": events
        if events is not None
        else [
            {
                "match": None,
                "proposed": {
                    "kind": "sanctions",
                    "title": "New sanctions",
                    "start_date": "2024-05-30",
                },
                "relation": "response_to",
                "evidence": SANCTIONS_SENTENCE,
            }
        ],
    }


@pytest.fixture(autouse=True)
def fixed_extractor(settings):
    settings.DESK_EXTRACTOR = "tests.test_desk_page.FixedExtractor"
    pipeline.extractor.cache_clear()
    FixedExtractor.proposals = proposals()
    yield FixedExtractor
    pipeline.extractor.cache_clear()


def log_in(client, group=None, *, staff=True):
    user = User.objects.create_user(f"user-{group or 'none'}", is_staff=staff)
    if group:
        user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


@pytest.fixture
def analyst(client, db):
    return log_in(client, "Analyst")


def subscribe():
    """A subscriber to every event: drafts must reach none of them."""
    return subscription_create(
        owner=None,
        name="Newsroom",
        target_url="http://127.0.0.1:9/in",
        event_types=EventType.values,
    )


def review_of(client, text=TEXT):
    """Step 1 posted: the review screen's response."""
    response = client.post(DESK, {"url": URL, "text": text})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "review" in response.context, response.context["form"].errors
    return response


def posted(review, **changes):
    """What a browser posts back from the review screen as shown, with `changes` applied
    (field html names to values; None unticks a checkbox or clears a field)."""
    data = {"create": "1"}
    for form in review.forms():
        if hasattr(form, "management_form"):
            management = form.management_form
            data.update({field.html_name: str(field.value()) for field in management})
        for each in getattr(form, "forms", [form]):
            for field in each:
                value = field.value()
                if field.widget_type == "checkbox":
                    if value:
                        data[field.html_name] = "on"
                elif field.widget_type == "select" and value is None:
                    data[field.html_name] = next(iter(field.field.choices))[0]
                elif value is not None:
                    data[field.html_name] = str(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


# Who may use the desk.


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(DESK)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_reader_without_staff_status_is_sent_to_log_in(client, db):
    log_in(client, "Analyst", staff=False)
    response = client.post(DESK, {"url": URL, "text": TEXT})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_staff_user_who_may_not_add_statements_is_refused(client, db):
    log_in(client)
    response = client.get(DESK)
    assert response.status_code == 403
    assert "may not add statements" in response.content.decode()
    assert client.post(DESK, {"url": URL, "text": TEXT}).status_code == 403


def test_the_desk_is_the_analysts_first_link(client, analyst):
    page = client.get(reverse("admin:index")).content.decode()
    assert 'href="/admin/desk/" class="section">Article desk</a>' in page
    main = page[page.index('id="content-main"') :]
    assert main.index("Article desk") < main.index('class="app-timeline')


def test_the_article_form_has_a_label_for_every_field(client, analyst):
    page = client.get(DESK).content.decode()
    for name in ("url", "text", "page"):
        assert f'<label for="id_{name}">' in page
    assert 'enctype="multipart/form-data"' in page


# Step 1: the article, and what is wrong with it.


def test_an_empty_article_is_refused_with_its_reason(client, analyst):
    response = client.post(DESK, {"url": URL, "text": "   "})
    assert "Paste the article&#x27;s text or upload a saved page." in response.content.decode()
    assert "review" not in response.context


def test_an_unreadable_file_shows_the_readers_reason(client, analyst):
    page = SimpleUploadedFile("page.html", b"<html>\x00\x00</html>", content_type="text/html")
    response = client.post(DESK, {"url": URL, "page": page})
    content = response.content.decode()
    assert "The article could not be read:" in content
    assert "The file contains NUL bytes: it is not a text or HTML file." in content
    assert not Source.objects.exists()


def test_an_address_that_is_not_the_web_is_refused(client, analyst):
    response = client.post(DESK, {"url": "javascript:alert(1)", "text": TEXT})
    assert "Enter a valid URL." in response.content.decode()
    assert "review" not in response.context


def test_a_saved_page_is_read_with_its_metadata(client, analyst, fixed_extractor):
    fixed_extractor.proposals = {"source": {}, "launch": {}, "statements": [], "events": []}
    html = (
        "<html><head><title>Missile launch draws condemnation</title>"
        '<meta property="og:site_name" content="Example News">'
        '<meta property="article:published_time" content="2024-06-02T08:00:00Z">'
        "</head><body><article><h1>Missile launch draws condemnation</h1>"
        + "".join(f"<p>{line}</p>" for line in TEXT.split("\n"))
        + "</article></body></html>"
    )
    page = SimpleUploadedFile("page.html", html.encode(), content_type="text/html")
    response = client.post(DESK, {"url": URL, "page": page})
    source = response.context["review"].source
    assert source["title"].value() == "Missile launch draws condemnation"
    assert source["publisher"].value() == "Example News"
    assert source["published_on"].value() == datetime.date(2024, 6, 2)


# Step 2: the review screen.


def test_evidence_is_highlighted_and_the_text_escaped(client, analyst):
    page = review_of(client).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert (
        '<mark id="evidence-statement-2">Moscow said it &lt;script&gt;alert(1)&lt;/script&gt; '
        "understood Pyongyang&#x27;s security concerns.</mark>" in page
    )
    assert '<mark id="evidence-statement-1">&quot;We condemn this reckless launch' in page
    assert '<mark id="evidence-event-1">The launch came days after' in page
    assert '<a href="#evidence-statement-2">' in page


def test_the_review_screen_shows_the_proposals_as_editable_rows(client, analyst):
    review = review_of(client).context["review"]
    us, ru = review.statements.forms[:2]
    assert (us["actor"].value(), us["speaker_name"].value()) == ("US", "State Department")
    assert (ru["quote_kind"].value(), ru["stance"].value()) == (
        QuoteKind.PARAPHRASE,
        Stance.DEFENDS,
    )
    assert ru["via"].value() == "RIA Novosti"
    assert len(review.statements.forms) == 4  # two proposed, two blank to add one
    assert review.launch["launch"].value() == NEW
    assert review.claims.forms[0]["claimant"].value() == "JCS"
    assert review.event_rows.forms[0]["rationale"].value() == SANCTIONS_SENTENCE
    page = review_of(client).content.decode()
    for name in ("statement-0-actor", "statement-0-keep", "source-url", "finish-submit_for_review"):
        assert f'<label for="id_{name}"' in page


def test_the_review_screen_costs_the_same_queries_whatever_its_size(
    client, analyst, fixed_extractor
):
    small = proposals(statements=[statement("US", "We condemn it", US_SENTENCE)], events=[])
    launch = LaunchFactory()
    event = EventFactory()
    fixed_extractor.proposals = {**small, "launch": {"match": launch.slug, "alternatives": []}}
    with CaptureQueriesContext(connection) as few:
        review_of(client)
    LaunchFactory.create_batch(5)
    EventFactory.create_batch(5)
    many = proposals(
        statements=[statement("US", f"We condemn it {n}", US_SENTENCE) for n in range(8)],
        events=[{"match": event.slug, "proposed": None, "relation": "response_to", "evidence": ""}]
        * 4,
    )
    fixed_extractor.proposals = {**many, "launch": {"match": launch.slug, "alternatives": []}}
    with CaptureQueriesContext(connection) as more:
        response = review_of(client)
    assert len(response.context["review"].statements.forms) == 10
    assert len(more) == len(few), [q["sql"] for q in more]


# Creating the drafts.


def test_the_rows_become_drafts_entered_by_the_analyst(
    client, analyst, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    subscribe()
    review = review_of(client).context["review"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DESK, posted(review))
    assert response.status_code == 302
    launch = Launch.objects.get()
    assert (launch.status, launch.occurred_on, launch.missile_class) == (
        Status.DRAFT,
        datetime.date(2024, 6, 2),
        "SRBM",
    )
    source = Source.objects.get(url=URL)
    assert list(launch.sources.all()) == [source]
    claim = LaunchClaim.objects.get()
    assert (claim.value_text, claim.claimant, claim.source) == ("about 700", "JCS", source)
    statements = Statement.objects.order_by("actor__code")
    assert [
        (s.actor.code, s.status, s.speaker.name, s.quote_kind, s.via, s.entered_by, s.source)
        for s in statements
    ] == [
        ("RU", Status.DRAFT, "Dmitry Peskov", QuoteKind.PARAPHRASE, "RIA Novosti", analyst, source),
        ("US", Status.DRAFT, "State Department", QuoteKind.VERBATIM, "", analyst, source),
    ]
    assert Speaker.objects.get(name="Dmitry Peskov").role == "Kremlin spokesman"
    assert all(s.history.count() == 1 for s in statements)
    event = Event.objects.get()
    assert (event.status, event.title, list(event.sources.all())) == (
        Status.DRAFT,
        "New sanctions",
        [source],
    )
    link = Link.objects.get()
    assert (link.launch, link.event, link.status, link.rationale, link.source) == (
        launch,
        event,
        Status.DRAFT,
        SANCTIONS_SENTENCE,
        source,
    )
    assert not Delivery.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages[0].startswith(
        "Created 1 launch, 2 statements, 1 event, 1 link, as drafts: <a href="
    )


def test_drafts_can_be_submitted_for_review_on_a_launch_on_record(
    client, analyst, fixed_extractor, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    subscribe()
    launch = LaunchFactory(occurred_on=datetime.date(2024, 6, 2))
    speaker = SpeakerFactory(name="State Department", role="")
    fixed_extractor.proposals = proposals(match=launch.slug)
    review = review_of(client).context["review"]
    data = posted(
        review, **{"finish-submit_for_review": "on", "statement-0-speaker_role": "Spokes"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(DESK, data).status_code == 302
    assert not Delivery.objects.exists()
    assert Launch.objects.get() == launch
    assert launch.status == Status.PUBLISHED
    assert not LaunchClaim.objects.exists()
    assert sorted(Statement.objects.values_list("actor__code", "status", "launch")) == [
        ("RU", Status.REVIEW, launch.pk),
        ("US", Status.REVIEW, launch.pk),
    ]
    assert Statement.objects.get(actor__code="US").speaker == speaker
    assert Event.objects.get().status == Status.REVIEW
    assert Link.objects.get().status == Status.REVIEW


def test_dropped_rows_are_not_created_and_a_blank_row_adds_one(client, analyst):
    review = review_of(client).context["review"]
    data = posted(
        review,
        **{
            "statement-1-keep": None,
            "statement-1-quote": "",  # a dropped row is not validated
            "event-0-keep": None,
            "statement-2-actor": "JP",
            "statement-2-quote": "We protest strongly.",
            "statement-2-stance": str(Stance.CONDEMNS),
            "statement-2-themes": "violates UNSC resolutions, calls for restraint",
        },
    )
    assert client.post(DESK, data).status_code == 302
    assert sorted(Statement.objects.values_list("actor__code", flat=True)) == ["JP", "US"]
    japan = Statement.objects.get(actor__code="JP")
    assert (japan.speaker, japan.issued_on) == (None, datetime.date(2024, 6, 2))
    assert sorted(japan.themes.values_list("name", flat=True)) == [
        "calls for restraint",
        "violates UNSC resolutions",
    ]
    assert not Event.objects.exists()
    assert not Link.objects.exists()


def test_a_bad_row_rolls_back_everything_and_says_where(client, analyst):
    review = review_of(client).context["review"]
    # Issued before the launch: the statement service refuses the second row.
    data = posted(review, **{"statement-1-issued_on": "2024-05-01"})
    response = client.post(DESK, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was created: Statement 2, issued on: A statement cannot be issued" in page
    errors = response.context["review"].statements.forms[1].errors
    assert errors == {
        "issued_on": ["A statement cannot be issued before the launch (compared in UTC)."]
    }
    for model in (Source, Launch, LaunchClaim, Statement, Speaker, Event, Link):
        assert not model.objects.exists(), model
    # The screen comes back with the text and its highlights, ready to correct.
    assert '<mark id="evidence-statement-2">' in page


def test_invalid_fields_are_shown_and_nothing_is_written(client, analyst):
    review = review_of(client).context["review"]
    data = posted(review, **{"statement-0-actor": "", "launch-occurred_on": ""})
    response = client.post(DESK, data)
    assert "Nothing was created: correct the fields marked below." in response.content.decode()
    assert response.context["review"].launch.errors == {
        "occurred_on": ["A new launch needs its date."]
    }
    assert "actor" in response.context["review"].statements.forms[0].errors
    assert not Source.objects.exists()


def test_a_posted_row_may_not_reach_beyond_the_analysts_permissions(client, db):
    """An analyst who may add statements but not launches cannot make one by posting it."""
    user = User.objects.create_user("statements-only", is_staff=True)
    user.user_permissions.set(
        Group.objects.get(name="Analyst").permissions.exclude(codename="add_launch")
    )
    client.force_login(user)
    review = review_of(client).context["review"]
    response = client.post(DESK, posted(review))
    assert "You may not create these drafts (missing: add launch)" in response.content.decode()
    assert not Source.objects.exists()
    assert not Statement.objects.exists()


def test_an_existing_source_is_reused_as_it_is(client, analyst):
    source = Source.objects.create(url=URL, title="Kept as it was", publisher="news.example")
    review = review_of(client).context["review"]
    assert client.post(DESK, posted(review)).status_code == 302
    assert list(Source.objects.all()) == [source]
    assert Source.objects.get().title == "Kept as it was"
    assert set(Statement.objects.values_list("source", flat=True)) == {source.pk}


def test_the_text_is_only_shown_never_trusted(client, analyst):
    """The hidden copy of the text decides nothing: changed, it only changes the display."""
    review = review_of(client).context["review"]
    data = posted(review, **{"finish-text": "<b>other</b>"})
    assert client.post(DESK, data).status_code == 302
    assert Statement.objects.count() == 2


def test_the_match_and_its_alternatives_are_listed_first(client, analyst, fixed_extractor):
    LaunchFactory.create_batch(3)
    match = LaunchFactory(occurred_on=datetime.date(2024, 6, 2), missile_class="SRBM")
    other = LaunchFactory(occurred_on=datetime.date(2024, 6, 2), missile_class="CRBM")
    fixed_extractor.proposals = {
        **proposals(),
        "launch": {"match": match.slug, "alternatives": [other.slug], "proposed": None},
    }
    review = review_of(client).context["review"]
    choices = review.launch.fields["launch"].choices
    assert choices[0] == (
        "Proposed from the text",
        [
            (match.slug, "2024-06-02 · 10:30 · SRBM (published)"),
            (other.slug, "2024-06-02 · 10:30 · CRBM (published)"),
        ],
    )
    assert choices[1][0] == NEW
    assert {slug for slug, _ in choices[2][1]} == set(
        Launch.objects.exclude(pk__in=[match.pk, other.pk]).values_list("slug", flat=True)
    )
    assert review.launch["launch"].value() == match.slug


def test_a_speaker_on_record_is_reused_whatever_the_case(client, analyst, fixed_extractor):
    peskov = SpeakerFactory(actor=Actor.objects.get(code="RU"), name="Dmitry Peskov", role="")
    fixed_extractor.proposals["statements"][1]["speaker"]["name"] = "dmitry peskov"
    review = review_of(client).context["review"]
    assert client.post(DESK, posted(review)).status_code == 302
    peskov.refresh_from_db()
    assert Statement.objects.get(actor__code="RU").speaker == peskov
    assert peskov.role == "Kremlin spokesman"
    assert Speaker.objects.filter(actor__code="RU").count() == 1


def test_a_published_speaker_is_not_changed_by_an_analyst(client, analyst):
    """Filling the role of a speaker that readers see would skip review: refused, and the
    whole submission with it."""
    peskov = SpeakerFactory(actor=Actor.objects.get(code="RU"), name="Dmitry Peskov", role="")
    StatementFactory(actor=peskov.actor, speaker=peskov)
    before = Statement.objects.count(), Source.objects.count()
    review = review_of(client).context["review"]
    response = client.post(DESK, posted(review))
    assert response.context["review"].statements.forms[1].errors == {
        "speaker_role": [
            "A published statement shows it: only an editor can change it. Ask an editor to "
            "make the change, or to return the statement to draft first."
        ]
    }
    assert (Statement.objects.count(), Source.objects.count()) == before
    assert not Launch.objects.filter(status=Status.DRAFT).exists()
    peskov.refresh_from_db()
    assert peskov.role == ""


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("x" * 1_000_000, "The text is 1,000,000 characters long"),
        ("a quote\x00inside", "Null characters are not allowed."),
    ],
)
def test_a_hostile_paste_gets_a_clear_answer_and_writes_nothing(client, analyst, text, reason):
    response = client.post(DESK, {"url": URL, "text": text})
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert "review" not in response.context
    assert not Source.objects.exists()


def test_an_event_already_linked_is_named_and_nothing_is_written(client, analyst, fixed_extractor):
    link = LinkFactory(launch__occurred_on=datetime.date(2024, 6, 1))
    fixed_extractor.proposals = proposals(
        match=link.launch.slug,
        events=[
            {"match": link.event.slug, "proposed": None, "relation": "response_to", "evidence": ""}
        ],
    )
    before = Statement.objects.count()
    review = review_of(client).context["review"]
    data = posted(review, **{"event-0-rationale": "Announced the week before."})
    response = client.post(DESK, data)
    message = "Link with this Launch and Event already exists."
    assert f"Nothing was created: Event 1: {message}" in response.content.decode()
    assert response.context["review"].event_rows.forms[0].non_field_errors() == [message]
    assert (Statement.objects.count(), Link.objects.count()) == (before, 1)
    assert not Source.objects.filter(url=URL).exists()


def test_rows_from_one_sentence_share_its_mark():
    parts = marked(
        "One. Two and three. Four.",
        [("statement-1", "Two and three."), ("statement-2", "Two and three."), ("x", "Five.")],
    )
    assert parts == [
        Part("One. "),
        Part("Two and three.", "statement-1", ("statement-2",)),
        Part(" Four."),
    ]
