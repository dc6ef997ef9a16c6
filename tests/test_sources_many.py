"""Many sources per record: a statement, a link and a claim cite one source first and may cite
further ones, through every door (services, API, admin, importer), on every page that shows
them, in the API, the downloads and citations, and never through a draft."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from editorial.models import Status
from editorial.services import ChangeRefused, record_revert
from explore.downloads import TABLES, table_rows
from imports.services import statements_import
from reactions.models import Actor, Statement
from reactions.services import statement_create, statement_update
from timeline.models import Link, Source
from timeline.services import claim_create, claim_update, launch_merge, source_update

from .factories import (
    ClaimFactory,
    LaunchFactory,
    LinkFactory,
    SourceFactory,
    StatementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def cited(source):
    """A source as a record lists it in the API."""
    published = source.published_at
    return {
        "id": source.pk,
        "title": source.title,
        "url": source.url,
        "publisher": source.publisher,
        "published_at": published.isoformat().replace("+00:00", "Z") if published else None,
    }


def token_client(*perms):
    client = APIClient()
    user = UserFactory(perms=list(perms))
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def sources():
    """Three sources of three publishers, the first dated."""
    return [
        SourceFactory(
            title="Seoul reports a launch",
            publisher="Yonhap",
            published_at=datetime.datetime(2025, 11, 7, 4, tzinfo=datetime.UTC),
        ),
        SourceFactory(title="Tokyo protests", publisher="Kyodo"),
        SourceFactory(title="Moscow comments", publisher="TASS"),
    ]


# Services: one rule for every door.


def test_a_statement_keeps_its_cited_source_first_and_its_further_ones_with_history(sources):
    first, second, third = sources
    launch = LaunchFactory()
    statement = statement_create(
        launch=launch,
        actor=Actor.objects.get(code="JP"),
        issued_on=launch.occurred_on,
        quote="We protest strongly.",
        stance=-2,
        source=first,
        further_sources=[second, third],
    )
    assert statement.all_sources == [first, second, third]
    assert statement_update(statement=statement, further_sources=[third]) is True
    assert statement_update(statement=statement, further_sources=[third]) is False
    statement.refresh_from_db()
    assert statement.all_sources == [first, third]
    # Each change of the further sources is a version of the statement.
    past = [
        sorted(row.source_id for row in version.further_sources.all())
        for version in statement.history.order_by("history_date", "history_id")
    ]
    assert past[-1] == [third.pk]
    assert [second.pk, third.pk] in past


def test_the_cited_source_is_never_a_further_one_too(sources):
    first, second, _ = sources
    statement = StatementFactory(source=first)
    with pytest.raises(ValidationError) as refused:
        statement_update(statement=statement, further_sources=[second, first])
    assert "already the cited source" in str(refused.value)
    assert list(statement.further_sources.all()) == []
    statement_update(statement=statement, further_sources=[second])
    # Moving the cited source onto a further one is refused too, and nothing is written.
    with pytest.raises(ValidationError):
        statement_update(statement=statement, source=second)
    statement.refresh_from_db()
    assert statement.source == first


def test_a_claim_without_a_first_source_has_no_further_ones(sources):
    launch = LaunchFactory()
    with pytest.raises(ValidationError) as refused:
        claim_create(
            launch=launch,
            attribute="distance",
            value_text="~700",
            claimant="JCS",
            further_sources=[sources[0]],
        )
    assert "Cite a first source" in str(refused.value)
    assert not launch.claims.exists()
    claim = claim_create(
        launch=launch,
        attribute="distance",
        value_text="~700",
        claimant="JCS",
        source=sources[0],
        further_sources=[sources[1]],
    )
    assert claim.all_sources == sources[:2]
    assert claim_update(claim=claim, further_sources=[]) is True
    assert claim.all_sources == sources[:1]


def test_a_source_a_published_record_cites_further_changes_only_by_an_editor(sources):
    analyst = UserFactory(perms=["change_source", "change_statement"])
    for make in (
        lambda source: StatementFactory().further_sources.add(source),
        lambda source: LinkFactory().further_sources.add(source),
        lambda source: ClaimFactory(source=SourceFactory()).further_sources.add(source),
    ):
        source = SourceFactory()
        make(source)
        with pytest.raises(ChangeRefused):
            source_update(source=source, user=analyst, title="Renamed")
        source.refresh_from_db()
        assert source.title != "Renamed"


def test_a_merged_launchs_duplicate_statement_hands_its_sources_to_the_one_kept(sources):
    first, second, third = sources
    keep, merged = LaunchFactory(), LaunchFactory()
    kept = StatementFactory(launch=keep, quote="We condemn it.", source=first)
    StatementFactory(launch=merged, quote="We condemn it.", source=second).further_sources.add(
        third
    )
    launch_merge(keep=keep, merged=merged)
    assert Statement.objects.get().pk == kept.pk
    assert kept.all_sources == [first, second, third]


# The API.


def test_the_api_lists_every_source_with_its_publisher(sources):
    first, second, third = sources
    statement = StatementFactory(source=first)
    statement.further_sources.add(third, second)
    link = LinkFactory(launch=statement.launch, source=second)
    link.further_sources.add(first)
    claim = ClaimFactory(launch=statement.launch, source=third)
    client = APIClient()
    # Further sources in the sources' order: by publisher (Kyodo before TASS).
    expected = [cited(first), cited(second), cited(third)]
    assert client.get(f"/api/v1/statements/{statement.pk}/").json()["sources"] == expected
    assert client.get(f"/api/v1/links/{link.pk}/").json()["sources"] == [
        cited(second),
        cited(first),
    ]
    assert client.get(f"/api/v1/claims/{claim.pk}/").json()["sources"] == [cited(third)]
    slug = statement.launch.slug
    for url in ("/api/v1/launches/?expand=statements,links", f"/api/v1/launches/{slug}/"):
        launch = client.get(url + ("&" if "?" in url else "?") + "expand=statements,links")
        launch = launch.json()
        launch = launch["results"][0] if "results" in launch else launch
        assert launch["statements"][0]["sources"] == expected
        assert launch["links"][0]["sources"] == [cited(second), cited(first)]
        assert launch["claims"][0]["sources"] == [cited(third)]


def test_sources_are_written_as_ids_the_first_becoming_the_cited_one(sources):
    first, second, third = sources
    launch = LaunchFactory()
    client = token_client("add_statement", "change_statement")
    body = {
        "launch": launch.slug,
        "actor": "JP",
        "issued_on": launch.occurred_on.isoformat(),
        "quote": "We protest strongly.",
        "stance": -2,
        "sources": [first.pk, third.pk, second.pk],
    }
    created = client.post("/api/v1/statements/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["source"] == first.pk
    assert [s["id"] for s in created.json()["sources"]] == [first.pk, second.pk, third.pk]
    statement = Statement.objects.get()
    url = f"/api/v1/statements/{statement.pk}/"
    changed = client.patch(url, {"sources": [third.pk]}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["source"], changed.json()["sources"]) == (third.pk, [cited(third)])
    statement.refresh_from_db()
    assert statement.all_sources == [third]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"sources": []}, "Cite a source."),
        ({"sources": "1"}, "Expected a list of source ids"),
        ({"sources": [True]}, "Expected a list of source ids"),
        ({"sources": [10**30]}, "No source has the id"),
        ({"sources": [999999]}, "No source has the id 999999."),
        ({"source": "second", "sources": ["first"]}, "give them alike"),
        ({"source": "third"}, "already the cited source"),
    ],
)
def test_bad_sources_are_refused_by_field_and_nothing_is_written(sources, body, message):
    statement = StatementFactory(source=sources[0], status=Status.DRAFT)
    statement.further_sources.add(sources[2])
    named = {"first": sources[0].pk, "second": sources[1].pk, "third": sources[2].pk}
    body = {
        name: [named.get(v, v) for v in value]
        if isinstance(value, list)
        else named.get(value, value)
        for name, value in body.items()
    }
    client = token_client("change_statement")
    response = client.patch(f"/api/v1/statements/{statement.pk}/", body, format="json")
    assert response.status_code == 400
    assert message in json.dumps(response.json())
    statement.refresh_from_db()
    assert statement.all_sources == [sources[0], sources[2]]


def test_a_link_and_a_claim_take_sources_through_the_api(sources):
    first, second, _ = sources
    link = LinkFactory(source=first, status=Status.DRAFT, launch=LaunchFactory(status=Status.DRAFT))
    client = token_client("change_link", "change_launch", "add_launchclaim", "change_launchclaim")
    response = client.patch(f"/api/v1/links/{link.pk}/", {"sources": [second.pk, first.pk]}, "json")
    assert response.status_code == 200, response.json()
    link.refresh_from_db()
    assert link.all_sources == [second, first]
    response = client.post(
        "/api/v1/claims/",
        {
            "launch": link.launch.slug,
            "attribute": "apogee",
            "value_text": "50",
            "sources": [first.pk, second.pk],
        },
        "json",
    )
    assert response.status_code == 201, response.json()
    assert [s["id"] for s in response.json()["sources"]] == [first.pk, second.pk]


def test_an_analyst_may_not_add_a_source_to_a_published_statement(sources):
    statement = StatementFactory(source=sources[0])
    client = token_client("change_statement")
    response = client.patch(
        f"/api/v1/statements/{statement.pk}/", {"sources": [sources[0].pk, sources[1].pk]}, "json"
    )
    assert response.status_code == 403
    assert list(statement.further_sources.all()) == []


# Drafts never leak.


def test_a_source_only_a_draft_cites_further_stays_unseen(client, sources):
    _, hidden, _ = sources
    StatementFactory(status=Status.DRAFT, source=SourceFactory()).further_sources.add(hidden)
    LinkFactory(status=Status.DRAFT).further_sources.add(hidden)
    ClaimFactory(
        launch=LaunchFactory(status=Status.DRAFT), source=SourceFactory()
    ).further_sources.add(hidden)
    listed = [s["id"] for s in APIClient().get("/api/v1/sources/").json()["results"]]
    assert hidden.pk not in listed
    assert client.get(f"/sources/{hidden.pk}/").status_code == 404
    statement = StatementFactory(source=SourceFactory())
    statement.further_sources.add(hidden)
    listed = [s["id"] for s in APIClient().get("/api/v1/sources/").json()["results"]]
    assert hidden.pk in listed
    page = client.get(f"/sources/{hidden.pk}/").content.decode()
    assert "Statements it reports (1)" in page
    assert "as a further source" in page


# Pages.


def test_pages_list_every_source_with_its_publisher(client, sources):
    first, second, third = sources
    statement = StatementFactory(source=first)
    statement.further_sources.add(second)
    LinkFactory(launch=statement.launch, source=second).further_sources.add(third)
    ClaimFactory(launch=statement.launch, source=third, attribute="distance").further_sources.add(
        first
    )
    for url in (
        statement.launch.get_absolute_url(),
        f"/statements/{statement.pk}/",
        f"/actors/{statement.actor.code}/",
    ):
        html = client.get(url).content.decode()
        assert "sources: " in html, url
        for source in (first, second):
            assert f"<bdi>{source.title}</bdi>" in html, url
            assert f"(<bdi>{source.publisher}</bdi>)" in html, url
    launch_page = client.get(statement.launch.get_absolute_url()).content.decode()
    assert f"(<bdi>{third.publisher}</bdi>)" in launch_page
    # The event page's link: the source it cites, then its further one, each with publisher.
    event_page = client.get(Link.objects.get().event.get_absolute_url()).content.decode()
    listed = event_page[event_page.index("sources: ") :]
    listed = listed[: listed.index("</p>")]
    assert listed.index(f"<bdi>{second.title}</bdi>") < listed.index(f"<bdi>{third.title}</bdi>")
    assert listed.index("(<bdi>Kyodo</bdi>)") < listed.index("(<bdi>TASS</bdi>)")
    # Each of the three sources backs the statement, the link or the claim as a further one.
    for source in sources:
        assert "as a further source" in client.get(f"/sources/{source.pk}/").content.decode()


def test_a_citation_names_every_source(client, sources):
    first, second, _ = sources
    statement = StatementFactory(source=first)
    statement.further_sources.add(second)
    html = client.get(f"/statements/{statement.pk}/").content.decode()
    assert (
        f"Sources: {first.title}, Yonhap, {first.url}; {second.title}, Kyodo, {second.url}." in html
    )


# Downloads.


def test_the_downloads_carry_the_further_sources(sources):
    first, second, third = sources
    statement = StatementFactory(source=first)
    statement.further_sources.add(second, third)
    LinkFactory(launch=statement.launch, source=second).further_sources.add(first)
    ClaimFactory(launch=statement.launch, source=third)
    tables = {table.name: table for table in TABLES}
    (row,) = table_rows(tables["statements"])
    assert (row["source"], row["further_sources"]) == (first.pk, sorted([second.pk, third.pk]))
    (row,) = table_rows(tables["links"])
    assert (row["source"], row["further_sources"]) == (second.pk, [first.pk])
    (row,) = table_rows(tables["claims"])
    assert (row["source"], row["further_sources"]) == (third.pk, [])
    # Every source a visible record cites, further ones included, is in the sources table.
    assert {row["id"] for row in table_rows(tables["sources"])} >= {s.pk for s in sources}


# The statements importer.

HEADER = (
    "launch_date_kst,actor,speaker_name,speaker_role,issued_on,channel,quote,quote_kind,"
    "stance,themes,via,source_url,source_title,source_publisher,source_published_on,"
    "language,note"
)
ROW = (
    '2024-01-14,JP,,Chief Cabinet Secretary,2024-01-14,briefing,"We strongly protest.",'
    "verbatim,condemns,,,{url},{title},{publisher},2024-01-14,en,"
)


def statements_file(*rows):
    return io.BytesIO("\n".join([HEADER, *rows]).encode())


def test_a_statement_reported_from_another_page_gains_that_source():
    LaunchFactory(occurred_on=datetime.date(2024, 1, 14))
    mofa = ROW.format(url="https://www.mofa.go.jp/a", title="Press", publisher="MOFA")
    kyodo = ROW.format(url="https://kyodo.example/b", title="Japan protests", publisher="Kyodo")
    report = statements_import(file=statements_file(mofa, kyodo))
    assert report.written, report.as_text()
    assert (report.created, report.updated) == (1, 1)
    statement = Statement.objects.get()
    assert [s.url for s in statement.all_sources] == [
        "https://www.mofa.go.jp/a",
        "https://kyodo.example/b",
    ]
    assert statement.all_sources[1].publisher == "Kyodo"
    assert any("added as a further source" in note for note in report.notes)
    again = statements_import(file=statements_file(mofa, kyodo))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Statement.objects.count() == 1
    assert Source.objects.count() == 2


def test_a_row_adding_a_source_to_a_published_statement_needs_an_editor():
    launch = LaunchFactory(occurred_on=datetime.date(2024, 1, 14))
    statement = StatementFactory(
        launch=launch,
        actor=Actor.objects.get(code="JP"),
        quote="We strongly protest.",
        source=SourceFactory(url="https://www.mofa.go.jp/a"),
    )
    kyodo = ROW.format(url="https://kyodo.example/b", title="Japan protests", publisher="Kyodo")
    analyst = UserFactory(perms=["add_statement", "change_statement"])
    report = statements_import(file=statements_file(kyodo), user=analyst)
    assert not report.written
    assert [(p.row, p.column) for p in report.refused] == [(2, "row")]
    assert list(statement.further_sources.all()) == []


def test_a_deleted_further_source_of_a_published_record_is_in_the_deletions_feed(sources):
    first, second, third = sources
    StatementFactory(source=first).further_sources.add(second)
    ClaimFactory(source=first).further_sources.add(third)
    unseen = SourceFactory()
    StatementFactory(source=first, status=Status.DRAFT).further_sources.add(unseen)
    since = datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")
    gone = {source.pk for source in (second, third, unseen)}
    Source.objects.filter(pk__in=gone).delete()
    deleted = APIClient().get("/api/v1/deletions/", {"since": since}).json()
    assert sorted((r["type"], r["id"]) for r in deleted) == [
        ("source", second.pk),
        ("source", third.pk),
    ]


def test_a_merged_launchs_link_to_the_same_event_hands_its_sources_to_the_one_kept(sources):
    first, second, third = sources
    keep, merged = LaunchFactory(), LaunchFactory()
    kept = LinkFactory(launch=keep, source=first)
    LinkFactory(launch=merged, event=kept.event, source=second).further_sources.add(third, first)
    launch_merge(keep=keep, merged=merged)
    assert Link.objects.get().pk == kept.pk
    assert kept.all_sources == [first, second, third]


def test_reverting_a_statement_brings_its_further_sources_back(sources):
    first, second, third = sources
    statement = StatementFactory(source=first, status=Status.DRAFT)
    statement_update(statement=statement, further_sources=[second])
    version = statement.history.first()
    statement_update(statement=statement, further_sources=[third])
    record_revert(record=version)
    statement.refresh_from_db()
    assert statement.all_sources == [first, second]
