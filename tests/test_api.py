"""The REST API: whole payloads, errors, CSV, conditional requests, throttling, sync."""

import datetime

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from editorial.models import Status
from reactions.models import Actor, Stance, Theme

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


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def cited(source):
    """A source as a statement, link or claim lists it."""
    return {
        "id": source.pk,
        "title": source.title,
        "url": source.url,
        "publisher": source.publisher,
        "published_at": iso(source.published_at),
    }


@pytest.fixture
def story():
    """The 7 November 2025 launch with a claim, a link to sanctions and Russia's statement."""
    source = SourceFactory(url="https://allthe.news/a", title="The article", publisher="allthe")
    launch = LaunchFactory(
        slug="2025-11-07-srbm",
        occurred_on=datetime.date(2025, 11, 7),
        occurred_at=datetime.datetime(2025, 11, 7, 3, 35, tzinfo=datetime.UTC),
        time_note="just past noon",
        distance_km=700,
        summary="One SRBM toward the East Sea.",
        published_at=datetime.datetime(2025, 11, 7, 6, tzinfo=datetime.UTC),
    )
    launch.sources.add(source)
    claim = ClaimFactory(launch=launch, source=source, position=0)
    event = EventFactory(slug="us-sanctions", title="U.S. sanctions", kind="sanctions")
    link = LinkFactory(launch=launch, event=event, source=source)
    speaker = SpeakerFactory(
        actor=Actor.objects.get(code="RU"), name="Dmitry Peskov", role="Kremlin spokesman"
    )
    statement = StatementFactory(
        launch=launch,
        actor=speaker.actor,
        speaker=speaker,
        issued_on=datetime.date(2025, 11, 7),
        issued_at=datetime.datetime(2025, 11, 7, 9, 35, tzinfo=datetime.UTC),
        channel="remarks",
        quote="We respect the legitimate right of our friends.",
        summary="Defends the launch.",
        stance=Stance.DEFENDS,
        source=source,
        via="RIA Novosti",
    )
    statement.themes.add(Theme.objects.create(slug="legitimate-right", name="legitimate right"))
    for record in (launch, event, link, statement, source):
        record.refresh_from_db()
    return {
        "launch": launch,
        "claim": claim,
        "event": event,
        "link": link,
        "speaker": speaker,
        "statement": statement,
        "source": source,
    }


def test_launch_detail_whole_payload(api, story):
    launch, claim, link, statement, source = (
        story[k] for k in ("launch", "claim", "link", "statement", "source")
    )
    response = api.get("/api/v1/launches/2025-11-07-srbm/?expand=statements,links")
    assert response.json() == {
        "slug": "2025-11-07-srbm",
        "external_id": None,
        "launching_state": "KP",
        "occurred_on": "2025-11-07",
        "date_precision": "day",
        "occurred_at": "2025-11-07T03:35:00Z",
        "local_timezone": "Asia/Seoul",
        "time_note": "just past noon",
        "sort_at": "2025-11-07T03:35:00Z",
        "missile_count": 1,
        "count_note": "",
        "category": "ballistic",
        "missile_class": "SRBM",
        "missile_type_label": "",
        "missile_name": "",
        "launch_site": "",
        "site_latitude": None,
        "site_longitude": None,
        "direction": "",
        "distance_km": 700.0,
        "apogee_km": None,
        "flight_time_min": None,
        "outcome": "unknown",
        "outcome_note": "",
        "confidence": "suspected",
        "disputed": False,
        "reporting_authority": "",
        "summary": "One SRBM toward the East Sea.",
        "notes": "",
        "sources": [source.pk],
        "status": "published",
        "published_at": "2025-11-07T06:00:00Z",
        "created_at": iso(launch.created_at),
        "updated_at": iso(launch.updated_at),
        "page_url": "/launches/2025-11-07-srbm/",
        "category_ordinal": 1,
        "previous_launch": None,
        "days_since_previous": None,
        "previous_same_class_launch": None,
        "days_since_previous_same_class": None,
        "claims": [
            {
                "id": claim.pk,
                "attribute": "distance",
                "value_text": "~700",
                "value": 700.0,
                "value_max": None,
                "claimant": "JCS",
                "note": "",
                "position": 0,
                "source": source.pk,
                "sources": [cited(source)],
            }
        ],
        "statements": [
            {
                "id": statement.pk,
                "actor": "RU",
                "co_signers": [],
                "speaker": "Dmitry Peskov, Kremlin spokesman",
                "issued_on": "2025-11-07",
                "issued_at": "2025-11-07T09:35:00Z",
                "channel": "remarks",
                "quote": "We respect the legitimate right of our friends.",
                "quote_kind": "verbatim",
                "summary": "Defends the launch.",
                "stance": 2,
                "themes": ["legitimate-right"],
                "source": source.pk,
                "sources": [cited(source)],
                "via": "RIA Novosti",
                "status": "published",
            }
        ],
        "links": [
            {
                "id": link.pk,
                "event": "us-sanctions",
                "event_title": "U.S. sanctions",
                "relation": "response_to",
                "rationale": "Reported as a response.",
                "confidence": "medium",
                "source": source.pk,
                "sources": [cited(source)],
                "status": "published",
            }
        ],
    }
    assert response.headers["ETag"]


def test_statement_list_whole_payload(api, story):
    statement, speaker, source = story["statement"], story["speaker"], story["source"]
    StatementFactory(launch=story["launch"])  # the US, filtered out
    assert api.get("/api/v1/statements/?actor=ru").json() == {
        "next": None,
        "previous": None,
        "results": [
            {
                "id": statement.pk,
                "launch": "2025-11-07-srbm",
                "actor": "RU",
                "co_signers": [],
                "speaker": speaker.pk,
                "speaker_name": "Dmitry Peskov, Kremlin spokesman",
                "issued_on": "2025-11-07",
                "issued_at": "2025-11-07T09:35:00Z",
                "channel": "remarks",
                "quote": "We respect the legitimate right of our friends.",
                "quote_kind": "verbatim",
                "original_text": "",
                "original_language": "",
                "summary": "Defends the launch.",
                "stance": 2,
                "themes": ["legitimate-right"],
                "source": source.pk,
                "sources": [cited(source)],
                "via": "RIA Novosti",
                "status": "published",
                "response_latency_seconds": 6 * 3600,
                "published_at": None,
                "created_at": iso(statement.created_at),
                "updated_at": iso(statement.updated_at),
                "page_url": f"/launches/2025-11-07-srbm/#statement-{statement.pk}",
            }
        ],
    }


def test_event_link_source_speaker_actor_and_claim_payloads(api, story):
    event, link, source, speaker, claim = (
        story[k] for k in ("event", "link", "source", "speaker", "claim")
    )
    assert api.get("/api/v1/events/us-sanctions/").json() == {
        "slug": "us-sanctions",
        "kind": "sanctions",
        "kind_label": "",
        "title": "U.S. sanctions",
        "start_date": "2024-01-01",
        "date_precision": "day",
        "end_date": None,
        "date_note": "",
        "location": "",
        "participants": "",
        "participant_codes": [],
        "description": "",
        "sources": [],
        "status": "published",
        "published_at": None,
        "created_at": iso(event.created_at),
        "updated_at": iso(event.updated_at),
        "page_url": "/events/us-sanctions/",
    }
    assert api.get(f"/api/v1/links/{link.pk}/").json() == {
        "id": link.pk,
        "launch": "2025-11-07-srbm",
        "event": "us-sanctions",
        "relation": "response_to",
        "rationale": "Reported as a response.",
        "confidence": "medium",
        "source": source.pk,
        "sources": [cited(source)],
        "status": "published",
        "created_at": iso(link.created_at),
        "updated_at": iso(link.updated_at),
    }
    assert api.get(f"/api/v1/sources/{source.pk}/").json() == {
        "id": source.pk,
        "url": "https://allthe.news/a",
        "reference": "",
        "title": "The article",
        "publisher": "allthe",
        "published_at": None,
        "language": "en",
        "created_at": iso(source.created_at),
        "updated_at": iso(source.updated_at),
    }
    assert api.get("/api/v1/speakers/?actor=RU").json()["results"] == [
        {"id": speaker.pk, "actor": "RU", "name": "Dmitry Peskov", "role": "Kremlin spokesman"}
    ]
    assert api.get("/api/v1/actors/ru/").json() == {
        "code": "RU",
        "kind": "state",
        "name": Actor.objects.get(code="RU").name,
        "short_name": Actor.objects.get(code="RU").short_name,
        "page_url": "/actors/RU/",
    }
    assert api.get("/api/v1/claims/?launch=2025-11-07-srbm").json()["results"] == [
        {
            "id": claim.pk,
            "attribute": "distance",
            "value_text": "~700",
            "value": 700.0,
            "value_max": None,
            "claimant": "JCS",
            "note": "",
            "position": 0,
            "source": source.pk,
            "sources": [cited(source)],
            "launch": "2025-11-07-srbm",
        }
    ]


def test_timeline_merges_launches_and_events_in_time_order_across_pages(api, story):
    EventFactory(slug="summit", title="Summit", start_date=datetime.date(2025, 11, 7))
    LaunchFactory(slug="later", occurred_on=datetime.date(2025, 11, 8))
    first = api.get("/api/v1/timeline/?page_size=2").json()
    assert [(e["type"], e["slug"], e["at"]) for e in first["results"]] == [
        ("event", "us-sanctions", "2024-01-01T00:00:00Z"),
        ("event", "summit", "2025-11-07T00:00:00Z"),
    ]
    second = api.get(first["next"]).json()
    assert [(e["type"], e["slug"], e["at"]) for e in second["results"]] == [
        ("launch", "2025-11-07-srbm", "2025-11-07T03:35:00Z"),
        ("launch", "later", "2025-11-08T01:30:00Z"),
    ]
    assert second["next"] is None
    assert second["results"][0]["launch"]["claims"][0]["value_text"] == "~700"
    assert second["results"][0]["event"] is None


def test_stats_whole_payload(api, story):
    StatementFactory(launch=story["launch"], issued_at=None)
    assert api.get("/api/v1/stats/").json() == {
        "launches_per_year": [
            {
                "year": 2025,
                "missile_class": "SRBM",
                "launches": 1,
                "missiles": 1,
                "launches_without_missile_count": 0,
            }
        ],
        "counting_rules": [
            {
                "field": "launches",
                "rule": "counted as the JCS counts: several missiles fired together are one launch",
                "methodology_url": "http://testserver/methodology/#counting",
            },
            {
                "field": "missiles",
                "rule": "counted as the CNS database counts: one per missile, where the number "
                "is known",
                "methodology_url": "http://testserver/methodology/#missile-count",
            },
        ],
        "statements_per_actor": [
            {"actor": "RU", "stance": 2, "statements": 1},
            {"actor": "US", "stance": -2, "statements": 1},
        ],
        "response_latency": [{"actor": "RU", "median_seconds": 6 * 3600, "statements": 1}],
    }


def test_incremental_sync_sees_changes_and_deletions(api, story):
    since = datetime.datetime.now(datetime.UTC)
    changed = LaunchFactory(slug="changed")
    withdrawn = LaunchFactory(slug="withdrawn")
    withdrawn.status = Status.DRAFT
    withdrawn.save()
    deleted_claim_id = story["claim"].pk
    story["claim"].delete()
    stamp = since.isoformat().replace("+00:00", "Z")
    assert [
        r["slug"] for r in api.get("/api/v1/launches/", {"updated_since": stamp}).json()["results"]
    ] == [changed.slug]
    gone = api.get("/api/v1/deletions/", {"since": stamp}).json()
    assert [(r["type"], r["id"], r["slug"], r["reason"]) for r in gone] == [
        ("launch", withdrawn.pk, "withdrawn", "withdrawn"),
        ("claim", deleted_claim_id, None, "deleted"),
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/api/v1/launches/?date_from=yesterday", (400, {"date_from": ["Enter a valid date."]})),
        ("/api/v1/statements/?actor=XX", (404, {"actor": ["No actor has the code 'XX'."]})),
        (
            "/api/v1/launches/?cursor=bogus",
            (404, {"cursor": ["Not a cursor this API gave out."]}),
        ),
        (
            "/api/v1/timeline/?cursor=bogus",
            (404, {"cursor": ["Not a cursor this API gave out."]}),
        ),
        (
            "/api/v1/launches/?page_size=500",
            (400, {"page_size": ["A whole number from 1 to 200."]}),
        ),
        (
            "/api/v1/launches/?ordering=secret",
            (
                400,
                {
                    "ordering": [
                        "Cannot sort by secret; try created_at, occurred_on, sort_at, updated_at."
                    ]
                },
            ),
        ),
        ("/api/v1/launches/?year=1.5", (400, {"year": ["Enter a whole number."]})),
        ("/api/v1/deletions/", (400, {"since": ["This field is required."]})),
        ("/api/v1/nowhere/", (404, {"detail": "No API endpoint at this address."})),
        ("/api/v1/launches/nope/", (404, {"detail": "No Launch matches the given query."})),
        (
            "/api/v1/launches/?format=csv&page_size=0",
            (400, {"page_size": ["A whole number from 1 to 200."]}),
        ),
    ],
)
def test_bad_requests_get_json_errors_by_field(api, url, expected):
    response = api.get(url)
    assert response.headers["Content-Type"].startswith("application/json")
    assert (response.status_code, response.json()) == expected


def test_writes_refuse_unknown_fields_wrong_types_and_model_rules(story):
    from .test_api_permissions import client_for

    client = client_for("editor")
    url = "/api/v1/statements/"
    payload = {
        "launch": "2025-11-07-srbm",
        "actor": "US",
        "issued_on": "2025-11-06",
        "quote": "Too early.",
        "stance": -2,
        "source": story["source"].pk,
    }
    cases = [
        ({**payload, "mood": "angry"}, {"mood": ["Not a field you can set here."]}),
        ({**payload, "stance": "very"}, {"stance": ['"very" is not a valid choice.']}),
        ({**payload, "actor": "ZZ"}, {"actor": ["Object with code=ZZ does not exist."]}),
        (
            payload,
            {"issued_on": ["A statement cannot be issued before the launch (compared in UTC)."]},
        ),
    ]
    for body, errors in cases:
        response = client.post(url, body, format="json")
        assert (response.status_code, response.json()) == (400, errors)
    assert story["launch"].statements.count() == 1


def test_csv_is_safe_in_a_spreadsheet(api):
    LaunchFactory(
        slug="formula",
        occurred_on=datetime.date(2024, 5, 1),  # in the year asked for, whatever ran before
        summary='=HYPERLINK("http://evil")',
        missile_name="+1",
        notes="@x",
    )
    response = api.get("/api/v1/launches/?format=csv&year=2024")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    header, row = response.content.decode().splitlines()[:2]
    cells = dict(zip(header.split(","), row.split(","), strict=False))
    assert cells["missile_name"] == "'+1"
    assert "'=HYPERLINK" in row
    assert ",'@x," in row


def test_a_repeat_request_with_the_etag_gets_a_304(api, story):
    first = api.get("/api/v1/launches/")
    repeat = api.get("/api/v1/launches/", HTTP_IF_NONE_MATCH=first.headers["ETag"])
    assert (repeat.status_code, repeat.content) == (304, b"")
    story["launch"].summary = "Changed."
    story["launch"].save()
    assert api.get("/api/v1/launches/", HTTP_IF_NONE_MATCH=first.headers["ETag"]).status_code == 200


def test_anonymous_clients_are_throttled_with_retry_after(api, monkeypatch):
    from core.api import AnonThrottle  # after DRF has read its settings, which name it

    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    assert [api.get("/api/v1/actors/").status_code for _ in range(3)] == [200, 200, 429]
    throttled = api.get("/api/v1/actors/")
    assert int(throttled.headers["Retry-After"]) > 0
    assert throttled.json()["detail"].startswith("Request was throttled.")
