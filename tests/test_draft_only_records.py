"""Sources and speakers made only for drafts stay private, and so do deletions of records
that were never public: anonymous clients see only what published records show."""

import datetime

import pytest
from django.core.cache import cache

from editorial.models import Status
from reactions.models import Actor

from .factories import (
    ClaimFactory,
    EventFactory,
    LaunchFactory,
    LinkFactory,
    SourceFactory,
    SpeakerFactory,
    StatementFactory,
)
from .test_api_permissions import client_for

pytestmark = pytest.mark.django_db

DRAFT = Status.DRAFT


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


@pytest.fixture
def citations():
    """Sources and speakers by what cites them: public ones first, then draft-only ones."""
    published, draft = LaunchFactory(), LaunchFactory(status=DRAFT)
    s = {name: SourceFactory(title=name) for name in SOURCES}
    published.sources.add(s["published launch"])
    EventFactory().sources.add(s["published event"])
    ClaimFactory(launch=published, source=s["claim of a published launch"])
    LinkFactory(launch=published, source=s["visible link"])
    StatementFactory(launch=published, source=s["published statement"])
    draft.sources.add(s["draft launch"])
    EventFactory(status=DRAFT).sources.add(s["draft event"])
    ClaimFactory(launch=draft, source=s["claim of a draft launch"])
    LinkFactory(launch=published, source=s["draft link"], status=DRAFT)
    LinkFactory(launch=published, event=EventFactory(status=DRAFT), source=s["link to a draft"])
    StatementFactory(launch=published, source=s["draft statement"], status=DRAFT)
    StatementFactory(launch=draft, source=s["statement on a draft launch"])
    p = {name: SpeakerFactory(name=name) for name in SPEAKERS}
    StatementFactory(launch=published, speaker=p["speaks in public"], source=s["published launch"])
    StatementFactory(launch=published, speaker=p["speaks in a draft"], status=DRAFT)
    StatementFactory(launch=draft, speaker=p["speaks on a draft launch"])
    return s, p


SOURCES = [
    "published launch",
    "published event",
    "claim of a published launch",
    "visible link",
    "published statement",
    "draft launch",
    "draft event",
    "claim of a draft launch",
    "draft link",
    "link to a draft",
    "draft statement",
    "statement on a draft launch",
    "cited by nothing",
]
PUBLIC_SOURCES = SOURCES[:5]
SPEAKERS = ["speaks in public", "speaks in a draft", "speaks on a draft launch", "never spoke"]


def listed(client, url):
    """The names of the sources or speakers the fixture named (factories add others)."""
    response = client.get(url, {"page_size": 200})
    assert response.status_code == 200
    names = [row.get("title") or row.get("name") for row in response.json()["results"]]
    return [name for name in names if name in SOURCES + SPEAKERS]


def test_anonymous_clients_see_only_sources_that_published_records_cite(citations):
    sources, _ = citations
    api = client_for("anonymous")
    assert sorted(listed(api, "/api/v1/sources/")) == sorted(PUBLIC_SOURCES)
    for name, source in sources.items():
        expected = 200 if name in PUBLIC_SOURCES else 404
        assert api.get(f"/api/v1/sources/{source.pk}/").status_code == expected, name


def test_anonymous_clients_see_only_speakers_of_published_statements(citations):
    _, speakers = citations
    api = client_for("anonymous")
    assert listed(api, "/api/v1/speakers/") == ["speaks in public"]
    for name, speaker in speakers.items():
        expected = 200 if name == "speaks in public" else 404
        assert api.get(f"/api/v1/speakers/{speaker.pk}/").status_code == expected, name


def test_users_who_may_change_sources_and_speakers_see_them_all(citations):
    api = client_for("analyst")
    assert sorted(listed(api, "/api/v1/sources/")) == sorted(SOURCES)
    assert sorted(listed(api, "/api/v1/speakers/")) == sorted(SPEAKERS)


def gone(client, since):
    stamp = since.isoformat().replace("+00:00", "Z")
    response = client.get("/api/v1/deletions/", {"since": stamp})
    assert response.status_code == 200
    return sorted((row["type"], row["id"], row["reason"]) for row in response.json())


def test_the_deletions_feed_lists_only_records_that_had_been_public():
    since = datetime.datetime.now(datetime.UTC)
    public_launch, draft_launch = LaunchFactory(), LaunchFactory(status=DRAFT)
    public_claim = ClaimFactory(launch=public_launch)
    draft_claim = ClaimFactory(launch=draft_launch)
    quoted, unquoted = SourceFactory(), SourceFactory()
    cited, uncited = SourceFactory(), SourceFactory()
    public_launch.sources.add(cited)
    draft_launch.sources.add(uncited)
    speaker, draft_speaker = SpeakerFactory(), SpeakerFactory()
    us = Actor.objects.get(code="US")
    other = LaunchFactory()
    statement = StatementFactory(launch=other, actor=us, speaker=speaker, source=quoted)
    draft = StatementFactory(
        launch=other, actor=us, speaker=draft_speaker, source=unquoted, status=DRAFT
    )
    ids = {
        "public launch": ("launch", public_launch.pk, "deleted"),
        "public claim": ("claim", public_claim.pk, "deleted"),
        "draft launch": ("launch", draft_launch.pk, "deleted"),
        "draft claim": ("claim", draft_claim.pk, "deleted"),
        "statement": ("statement", statement.pk, "deleted"),
        "draft statement": ("statement", draft.pk, "deleted"),
        "quoted source": ("source", quoted.pk, "deleted"),
        "unquoted source": ("source", unquoted.pk, "deleted"),
        "cited source": ("source", cited.pk, "deleted"),
        "uncited source": ("source", uncited.pk, "deleted"),
        "speaker": ("speaker", speaker.pk, "deleted"),
        "draft speaker": ("speaker", draft_speaker.pk, "deleted"),
    }
    for record in (public_launch, draft_launch, statement, draft):
        record.delete()
    for record in (quoted, unquoted, cited, uncited):
        record.delete()
    speaker.delete()
    draft_speaker.delete()

    public = [
        "public launch",
        "public claim",
        "statement",
        "quoted source",
        "cited source",
        "speaker",
    ]
    assert gone(client_for("anonymous"), since) == sorted(ids[name] for name in public)
    assert gone(client_for("editor"), since) == sorted(ids.values())
