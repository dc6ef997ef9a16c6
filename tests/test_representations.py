"""The launch list built from rows says exactly what the serializers say, byte for byte."""

import datetime
import decimal
import json

import pytest
from django.core.cache import cache
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.renderers import Encoded, JSONRenderer
from editorial.models import Status
from explore.api import LaunchSerializer
from explore.queries import api_launches
from reactions.models import Actor, Stance, Theme

from .factories import (
    ClaimFactory,
    EventFactory,
    LaunchFactory,
    LinkFactory,
    SourceFactory,
    SpeakerFactory,
    StatementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EXPANSIONS = ["", "statements", "links", "statements,links"]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


@pytest.fixture
def varied():
    """Launches with what the representation must get right: drafts beside published
    records, orderings that differ from ids, decimals, microseconds, missing values."""
    zeta = SourceFactory(url="https://zeta.example/a", publisher="Zeta")
    alpha = SourceFactory(url="https://alpha.example/a", publisher="Alpha")
    published_event = EventFactory(slug="sanctions", title="Sanctions <b>now</b>")
    draft_event = EventFactory(slug="draft-event", status=Status.DRAFT)
    japan, korea = Actor.objects.get(code="JP"), Actor.objects.get(code="KR")
    themes = [
        Theme.objects.create(slug=slug, name=name) for slug, name in (("z", "Zed"), ("a", "Ay"))
    ]
    with_role = SpeakerFactory(actor=japan, name="A. Minister", role="Foreign minister")
    without_role = SpeakerFactory(actor=korea, name="Spokesperson", role="")
    launches = []
    for day in range(1, 5):
        launch = LaunchFactory(
            slug=f"2025-03-0{day}-srbm",
            occurred_on=datetime.date(2025, 3, day),
            occurred_at=datetime.datetime(2025, 3, day, 1, 2, 3, 456789, tzinfo=datetime.UTC)
            if day % 2
            else None,
            site_latitude=decimal.Decimal("39.01234") if day != 2 else None,
            distance_km=decimal.Decimal("350.5"),
            missile_class="SRBM" if day != 3 else "ICBM",
            status=Status.DRAFT if day == 4 else Status.PUBLISHED,
        )
        launch.sources.add(zeta, alpha)
        ClaimFactory(launch=launch, source=zeta, position=1, value=decimal.Decimal("2"))
        ClaimFactory(launch=launch, source=alpha, position=0, value=None, value_max=None)
        LinkFactory(launch=launch, event=published_event, source=zeta)
        LinkFactory(launch=launch, event=draft_event, source=alpha)
        LinkFactory(
            launch=launch,
            event=EventFactory(slug=f"summit-{day}"),
            source=alpha,
            status=Status.DRAFT,
        )
        for number, (actor, speaker, at) in enumerate(
            (
                (
                    japan,
                    with_role,
                    datetime.datetime(2025, 3, day, 9, 0, 0, 1, tzinfo=datetime.UTC),
                ),
                (korea, without_role, None),
                (Actor.objects.get(code="US"), None, None),
            )
        ):
            statement = StatementFactory(
                launch=launch,
                actor=actor,
                speaker=speaker,
                issued_on=datetime.date(2025, 3, day),
                issued_at=at,
                quote=f"Line\u2028separator, <script>alert({number})</script> \U0001f680\ttab",
                stance=Stance.CONDEMNS,
                source=alpha,
                status=Status.DRAFT if number == 2 else Status.PUBLISHED,
            )
            statement.co_signers.add(korea, japan)
            statement.themes.add(*themes)
        launches.append(launch)
    return launches


def client_for(who):
    client = APIClient()
    if who == "editor":
        user = UserFactory(perms=["change_launch", "change_statement", "change_link"])
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def serialized(slugs, *, drafts, expand):
    """What LaunchSerializer says of these launches, rendered as the API renders it."""
    names = [name for name in expand.split(",") if name]
    launches = api_launches(drafts=drafts, expand=names).filter(slug__in=slugs)
    data = LaunchSerializer(
        launches.order_by("sort_at", "id"), many=True, context={"expand": names}
    ).data
    return JSONRenderer().render(data)


@pytest.mark.parametrize("who", ["anonymous", "editor"])
@pytest.mark.parametrize("expand", EXPANSIONS)
def test_every_page_of_the_list_is_what_the_serializer_says(varied, who, expand):
    query = f"page_size=2&expand={expand}" if expand else "page_size=2"
    client, pages, path = client_for(who), [], f"/api/v1/launches/?{query}"
    while path:
        response = client.get(path)
        assert response.status_code == 200
        body = response.json()
        pages.append(body["results"])
        path = body["next"]
    listed = [launch for page in pages for launch in page]
    slugs = [launch["slug"] for launch in listed]
    expected = serialized(slugs, drafts=who == "editor", expand=expand)

    assert JSONRenderer().render(listed) == expected
    assert len(listed) == (4 if who == "editor" else 3)
    if "statements" in expand:
        statements = {statement["actor"]: statement for statement in listed[0]["statements"]}
        assert len(statements) == (3 if who == "editor" else 2)
        assert statements["JP"]["speaker"] == "A. Minister, Foreign minister"
        assert statements["KR"]["speaker"] == "Spokesperson"
        assert statements["JP"]["issued_at"] == "2025-03-01T09:00:00.000001Z"
        assert statements["JP"]["co_signers"] == ["JP", "KR"]  # by name: Japan, South Korea
        assert statements["JP"]["themes"] == ["a", "z"]  # by name: Ay, Zed
    if "links" in expand:
        assert len(listed[0]["links"]) == (3 if who == "editor" else 1)


def test_the_list_body_is_the_serializer_body_byte_for_byte(varied):
    response = APIClient().get("/api/v1/launches/?expand=statements,links")
    slugs = [launch["slug"] for launch in response.json()["results"]]
    expected = serialized(slugs, drafts=False, expand="statements,links")
    results = response.content.split(b',"results":', 1)[1][:-1]
    assert results == expected
    assert b"\\u2028" in results
    assert "\u2028".encode() not in results


def test_csv_still_comes_from_the_serializer(varied):
    response = APIClient().get("/api/v1/launches/?format=csv&expand=statements")
    assert response.status_code == 200
    header = response.content.decode().splitlines()[0].split(",")
    assert header[:3] == ["slug", "external_id", "launching_state"]
    assert "statements" in header


TRICKY = [
    {"text": "Line\u2028and\u2029paragraph", "control": '\x01\x1f\t\n"\\/', "emoji": "🚀"},
    {"when": datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)},
    {"when": datetime.datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)},
    {
        "when": datetime.datetime(
            2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=9))
        )
    },
    {"day": datetime.date(2025, 1, 2), "number": decimal.Decimal("39.01234"), "none": None},
    {"lazy": gettext_lazy("Not found."), 1: "integer key", "nested": [[1.5, True, False]]},
    [{"big": 2**70}],
    "plain",
    [],
]


@pytest.mark.parametrize("data", TRICKY)
def test_the_renderer_writes_what_drf_writes(data):
    assert JSONRenderer().render(data) == renderers.JSONRenderer().render(data)


@pytest.mark.parametrize("media_type", [None, "application/json; indent=2"])
def test_encoded_pieces_are_written_as_they_were(media_type):
    """A launch kept encoded in the fragment cache reads in the page as it would unencoded,
    indented too, and beside a value only DRF's renderer can write."""
    pieces = [{"quote": "Line\u2028separator", "at": TRICKY[1]["when"]}, TRICKY[4]]
    page = {"next": None, "results": pieces, "big": 2**70}
    encoded = {**page, "results": [Encoded(JSONRenderer().render(piece)) for piece in pieces]}
    expected = renderers.JSONRenderer().render(page, media_type, {})
    assert JSONRenderer().render(encoded, media_type, {}) == expected
    del page["big"], encoded["big"]
    expected = renderers.JSONRenderer().render(page, media_type, {})
    assert JSONRenderer().render(encoded, media_type, {}) == expected


def test_indented_output_is_drfs():
    data = {"a": [1, {"b": "c"}]}
    media_type = "application/json; indent=2"
    rendered = JSONRenderer().render(data, media_type, {})
    assert rendered == renderers.JSONRenderer().render(data, media_type, {})
    assert json.loads(rendered) == data
