"""The desk's extraction for tools: `manage.py extract_article` and `POST /api/v1/extractions/`
answer the same JSON, need the add-statement permission (the API), and write nothing."""

import io
import json

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.throttling import TokenThrottle
from desk.extraction import pipeline

from .factories import UserFactory

pytestmark = pytest.mark.django_db

TEXT = (
    "Seoul, 7 November 2025. South Korea's Office of National Security condemned the launch.\n"
    "“This is a clear provocation,” a spokesperson said, according to Yonhap."
)
PAGE = (
    "<html lang='en'><head><title>Seoul condemns the launch</title>"
    "<meta property='og:site_name' content='Example News'>"
    "<meta property='article:published_time' content='2025-11-07T09:00:00+09:00'></head>"
    f"<body><article><h1>Seoul condemns the launch</h1><p>{TEXT}</p>"
    "<p>The Joint Chiefs of Staff said the missile flew about 700 km before it fell into the "
    "East Sea, and that the military was on alert for further launches.</p>"
    "</article></body></html>"
)
URL = "https://news.example/seoul-condemns"


class FirstSentenceExtractor:
    """A stand-in extractor plugged through DESK_EXTRACTOR: the first sentence as a statement,
    so that the tools are seen to pass on what an extractor proposes, extra keys included."""

    def extract(self, article):
        first = article.sentences[0].text
        return {
            "source": pipeline.source(article),
            "launch": {"match": None, "alternatives": [], "proposed": None},
            "statements": [
                {
                    "actor": "KR",
                    "speaker": {"name": "Office of National Security", "role": None},
                    "quote": first,
                    "quote_kind": "reported",
                    "via": "Yonhap",
                    "issued_on": "2025-11-07",
                    "channel": "written_statement",
                    "stance": "condemns",
                    "themes": [],
                    "evidence": first,
                    "stance_words": ["condemned"],
                }
            ],
            "events": [],
        }


@pytest.fixture
def first_sentence_extractor(settings):
    settings.DESK_EXTRACTOR = f"{__name__}.FirstSentenceExtractor"
    pipeline.extractor.cache_clear()
    yield
    pipeline.extractor.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


def token_client(*perms):
    client = APIClient()
    user = UserFactory(perms=list(perms))
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def analyst():
    return token_client("add_statement")


def rows():
    """How many rows every table holds."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def command_json(*args, stdin=None):
    out = io.StringIO()
    call_command("extract_article", *args, stdout=out, stdin=stdin)
    return out.getvalue()


def test_the_command_prints_the_proposals_as_indented_utf8_json(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(TEXT, encoding="utf-8")
    printed = command_json(str(path), "--url", URL)
    data = json.loads(printed)
    assert printed == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    assert list(data) == ["source", "launch", "statements", "events"]
    assert data["source"] == {
        "url": URL,
        "title": "",
        "publisher": "news.example",
        "published_on": "2025-11-07",  # from the date line
        "language": "en",
    }
    assert list(data["launch"])[:3] == ["match", "alternatives", "proposed"]


def test_the_command_reads_standard_input_and_pages(tmp_path, first_sentence_extractor):
    from_stdin = json.loads(command_json("-", stdin=io.BytesIO(TEXT.encode())))
    assert from_stdin["statements"][0]["quote"] == "Seoul, 7 November 2025."
    quoted = io.BytesIO(TEXT.splitlines()[1].encode())
    assert '"quote": "“This is a clear provocation,”' in command_json("-", stdin=quoted)
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    page = json.loads(command_json(str(path), "--html", "--url", URL))
    assert page["source"] == {
        "url": URL,
        "title": "Seoul condemns the launch",
        "publisher": "Example News",
        "published_on": "2025-11-07",
        "language": "en",
    }


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["missing.txt"], "Cannot read missing.txt: No such file or directory."),
        (["-", "--url", "javascript:alert(1)"], "'javascript:alert(1)' is not a web address"),
        (["-"], "There is no text to read: the article is empty."),
    ],
)
def test_the_command_names_what_is_wrong(args, reason):
    with pytest.raises(CommandError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        command_json(*args, stdin=io.BytesIO(b""))


@pytest.mark.parametrize(
    ("body", "args"),
    [
        ({"text": TEXT, "url": URL}, ["--url", URL]),
        ({"text": TEXT}, []),
        ({"html": PAGE, "url": URL}, ["--html", "--url", URL]),
    ],
)
def test_the_api_answers_the_command_s_json(
    analyst, tmp_path, first_sentence_extractor, body, args
):
    path = tmp_path / "input"
    path.write_text(body.get("text") or body["html"], encoding="utf-8")
    printed = command_json(str(path), *args)
    before = rows()
    response = analyst.post("/api/v1/extractions/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response["Content-Type"] == "application/json"
    assert response.json() == json.loads(printed)
    assert json.dumps(response.json(), ensure_ascii=False, indent=2) + "\n" == printed
    assert rows() == before


def test_extracting_writes_nothing_and_queues_no_webhook(
    analyst, first_sentence_extractor, django_capture_on_commit_callbacks
):
    before = rows()
    with django_capture_on_commit_callbacks() as callbacks:
        response = analyst.post("/api/v1/extractions/", {"text": TEXT}, format="json")
        command_json("-", stdin=io.BytesIO(TEXT.encode()))
    assert response.json()["statements"][0]["actor"] == "KR"
    assert callbacks == []
    assert rows() == before


@pytest.mark.parametrize(
    ("client", "status", "detail"),
    [
        (APIClient, 401, "Authentication credentials were not provided."),
        (token_client, 403, "Extracting an article needs a user who may add statements."),
        (lambda: token_client("view_statement", "change_launch"), 403, "Extracting an article"),
    ],
)
def test_the_api_needs_a_user_who_may_add_statements(client, status, detail):
    response = client().post("/api/v1/extractions/", {"text": TEXT}, format="json")
    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)


def test_a_session_with_the_permission_may_extract(client):
    user = UserFactory(perms=["add_statement"])
    client.force_login(user)
    response = client.post("/api/v1/extractions/", {"text": TEXT}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["source"]["language"] == "en"


def test_extractions_are_throttled_as_other_writes(analyst, monkeypatch):
    monkeypatch.setattr(TokenThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    statuses = [
        analyst.post("/api/v1/extractions/", {"text": TEXT}, format="json").status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"text": ["Send the article as `text` (pasted text) or `html` (a saved page)."]}),
        (
            {"text": TEXT, "html": PAGE},
            {"text": ["Send the article as `text` (pasted text) or `html` (a saved page)."]},
        ),
        ({"text": TEXT, "title": "x"}, {"title": ["Not a field you can set here."]}),
        ({"text": 12}, {"text": ["Not a valid string."]}),
        ([TEXT], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    ],
)
def test_a_body_that_is_not_an_article_is_refused_by_field(analyst, body, errors):
    response = analyst.post("/api/v1/extractions/", body, format="json")
    assert (response.status_code, response.json()) == (400, errors)


def test_the_schema_documents_the_operation(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    operation = schema.json()["paths"]["/api/v1/extractions/"]["post"]
    assert operation["operationId"] == "extractions_create"
    assert sorted(operation["responses"]) == [
        "200", "400", "401", "403", "406", "413", "429", "503",
    ]  # fmt: skip
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert request == "#/components/schemas/ArticleInputRequest"
    components = schema.json()["components"]["schemas"]
    assert sorted(components["ArticleInputRequest"]["properties"]) == ["html", "text", "url"]
    assert sorted(components["Extraction"]["properties"]) == [
        "events", "launch", "source", "statements",
    ]  # fmt: skip
