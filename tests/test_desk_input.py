"""Hostile articles at the desk's tools: each gets a clear answer naming what is wrong, or a
normal extraction with markup and nested quotes read as text; nothing is ever written."""

import io
import json

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from desk.extraction import ArticleError, pipeline, read_article

from .factories import UserFactory
from .test_desk_tools import rows

pytestmark = pytest.mark.django_db

SENTENCE = "South Korea's Office of National Security condemned the launch on Friday."
SCRIPT = f"<script>alert('salvo')</script> {SENTENCE} <img src=x onerror=alert(1)>"
NESTED = (
    "“We will not accept what they call \u2018a “routine” test\u2019,” the spokesperson said, "
    "'quoting \"the Minister's words\"' as reported."
)
MEGABYTE = ("The missile flew east. " * 45_000)[:1_000_000]


class WholeTextExtractor:
    """Proposes the whole text read as one statement: what reaches the extractor is seen."""

    def extract(self, article):
        return {
            "source": pipeline.source(article),
            "launch": {"match": None, "alternatives": [], "proposed": None},
            "statements": [{"quote": article.text, "evidence": article.sentences[0].text}],
            "events": [],
        }


@pytest.fixture
def whole_text(settings):
    settings.DESK_EXTRACTOR = f"{__name__}.WholeTextExtractor"
    pipeline.extractor.cache_clear()
    yield
    pipeline.extractor.cache_clear()


@pytest.fixture
def api():
    cache.clear()
    client = APIClient()
    user = UserFactory(perms=["add_statement"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def run_command(raw, *args):
    out = io.StringIO()
    call_command("extract_article", "-", *args, stdout=out, stdin=io.BytesIO(raw))
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("text", "expected"),
    [(SCRIPT, SCRIPT), (NESTED, NESTED)],
    ids=["script-tags", "quotes-inside-quotes"],
)
def test_markup_and_nested_quotes_are_read_as_text(api, whole_text, text, expected):
    before = rows()
    answer = api.post("/api/v1/extractions/", {"text": text}, format="json")
    assert answer.status_code == 200
    assert answer.json()["statements"][0]["quote"] == expected
    assert answer.json() == run_command(text.encode())
    assert rows() == before


def test_the_real_extractor_reads_hostile_text_without_failing(api):
    before = rows()
    for text in (SCRIPT, NESTED):
        answer = api.post("/api/v1/extractions/", {"text": text}, format="json")
        assert answer.status_code == 200
        assert answer.json() == run_command(text.encode())
        for statement in answer.json()["statements"]:
            assert statement["evidence"] in text
    assert rows() == before


def test_a_page_s_scripts_are_not_its_text(api, whole_text):
    page = (
        f"<html><head><script>document.write('injected')</script></head><body><article>"
        f"<p>{SENTENCE} The Joint Chiefs of Staff said it flew about 700 km.</p>"
        "<script>alert('salvo')</script></article></body></html>"
    )
    answer = api.post("/api/v1/extractions/", {"html": page}, format="json")
    assert answer.status_code == 200
    quote = answer.json()["statements"][0]["quote"]
    assert SENTENCE in quote
    assert "alert" not in quote
    assert "injected" not in quote


TOO_LONG = (
    "The text is 1,000,000 characters long; the desk reads articles of up to 200,000 "
    "characters. Paste the part that carries the statements."
)
NOT_A_WEB = "'ftp://files.example/a.txt' is not a web address (http:// or https://)."
EMPTY = "There is no text to read: the article is empty."


@pytest.mark.parametrize(
    ("raw", "args", "reason"),
    [
        (MEGABYTE.encode(), [], "The file is 1,000,000 bytes; the desk reads up to 800,000."),
        (b"Seoul condemned\x00 the launch.", [], "The file contains NUL bytes"),
        (b"Seoul condemned the launch \xff\xfe.", [], "The file is not UTF-8 text (byte 27"),
        (b"", [], EMPTY),
        (b" \n\t\n ", [], EMPTY),
        (SENTENCE.encode(), ["--url", "ftp://files.example/a.txt"], NOT_A_WEB),
    ],
    ids=["1-megabyte", "nul-bytes", "invalid-utf-8", "empty", "blank", "non-http-url"],
)
def test_the_command_names_what_is_wrong_and_writes_nothing(raw, args, reason):
    before = rows()
    with pytest.raises(CommandError) as error:
        run_command(raw, *args)
    assert str(error.value).startswith(reason)
    assert rows() == before


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        ({"text": MEGABYTE}, 400, {"detail": TOO_LONG}),
        ({"text": "Seoul\x00 condemned"}, 400, {"text": ["Null characters are not allowed."]}),
        ({"html": "<p>Seoul\x00</p>"}, 400, {"html": ["Null characters are not allowed."]}),
        ({"text": ""}, 400, {"detail": EMPTY}),
        ({"text": " \n\t "}, 400, {"detail": EMPTY}),
        ({"text": SENTENCE, "url": "ftp://files.example/a.txt"}, 400, {"detail": NOT_A_WEB}),
        (
            {"text": SENTENCE, "url": "javascript:alert(1)"},
            400,
            {"detail": "'javascript:alert(1)' is not a web address (http:// or https://)."},
        ),
    ],
    ids=["1-megabyte", "nul-in-text", "nul-in-html", "empty", "blank", "ftp-url", "script-url"],
)  # fmt: skip
def test_the_api_names_what_is_wrong_and_writes_nothing(api, body, status, answer):
    before = rows()
    response = api.post("/api/v1/extractions/", body, format="json")
    assert (response.status_code, response.json()) == (status, answer)
    assert rows() == before


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b"", "Send the article as `text` (pasted text) or `html` (a saved page)."),
        (b'{"text": "Seoul \xff condemned"}', "JSON parse error - 'utf-8' codec can't decode"),
        (b'{"text": "Seoul', "JSON parse error - Unterminated string"),
    ],
    ids=["empty-body", "invalid-utf-8", "broken-json"],
)
def test_a_body_the_api_cannot_read_is_a_400_saying_why(api, raw, detail):
    before = rows()
    response = api.generic("POST", "/api/v1/extractions/", raw, "application/json")
    assert response.status_code == 400
    assert detail in json.dumps(response.json())
    assert rows() == before


def test_a_body_over_the_cap_is_a_413(api, settings):
    before = rows()
    body = json.dumps({"text": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = api.generic("POST", "/api/v1/extractions/", body, "application/json")
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    }
    assert rows() == before


@pytest.mark.parametrize("url", ["http://[", "http://exa mple.com/", "http://host:port/"])
def test_an_address_that_cannot_be_read_is_named(url):
    with pytest.raises(ArticleError, match="is not a web address"):
        read_article("North Korea fired a missile.", url=url)
