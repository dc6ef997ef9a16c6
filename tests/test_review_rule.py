"""A published record changes only by someone who may publish it, through every door.

An analyst's change to what readers see would be public at once, unreviewed: the API, the
admin (claims included) and the importers refuse it in the services, and write nothing.
"""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group, Permission, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from editorial.models import Status
from editorial.services import ChangeRefused
from imports.services import import_job_create, import_job_run
from reactions.models import Statement
from timeline.models import Event, Launch, LaunchClaim, Link, Source
from timeline.services import launch_update
from webhooks.models import Delivery

from .factories import (
    ClaimFactory,
    EventFactory,
    LaunchFactory,
    LinkFactory,
    SourceFactory,
    StatementFactory,
)
from .test_admin import change_url, member

pytestmark = pytest.mark.django_db


def api_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# resource: (factory, detail url, field changed)
RESOURCES = {
    "launches": (LaunchFactory, lambda r: f"/api/v1/launches/{r.slug}/", "summary"),
    "events": (EventFactory, lambda r: f"/api/v1/events/{r.slug}/", "description"),
    "links": (LinkFactory, lambda r: f"/api/v1/links/{r.pk}/", "rationale"),
    "statements": (StatementFactory, lambda r: f"/api/v1/statements/{r.pk}/", "summary"),
}


@pytest.fixture
def subscribed():
    """A webhook subscriber to every kind of change, so a leaked change would be queued."""
    from webhooks.models import EventType, Subscription

    Subscription.objects.create(
        name="wire", target_url="https://hooks.example/salvo", event_types=EventType.values
    )


@pytest.mark.usefixtures("subscribed")
@pytest.mark.parametrize("resource", RESOURCES)
def test_an_analyst_cannot_change_a_published_record_through_the_api(resource):
    factory, url, field = RESOURCES[resource]
    record = factory(status=Status.PUBLISHED)
    before = (getattr(record, field), record.history.count(), Delivery.objects.count())

    response = api_client(member("Analyst")).patch(
        url(record), {field: "Changed without review."}, format="json"
    )

    assert response.status_code == 403, response.json()
    assert "published: only an editor can change it" in response.json()["detail"]
    record.refresh_from_db()
    assert (getattr(record, field), record.history.count(), Delivery.objects.count()) == before


@pytest.mark.parametrize("resource", RESOURCES)
def test_an_editor_changes_a_published_record_and_an_analyst_a_draft(resource):
    factory, url, field = RESOURCES[resource]
    published, draft = factory(status=Status.PUBLISHED), factory(status=Status.DRAFT)
    editor, analyst = api_client(member("Editor")), api_client(member("Analyst"))
    assert editor.patch(url(published), {field: "By an editor."}, format="json").status_code == 200
    assert analyst.patch(url(draft), {field: "By an analyst."}, format="json").status_code == 200
    published.refresh_from_db()
    draft.refresh_from_db()
    assert (getattr(published, field), getattr(draft, field)) == ("By an editor.", "By an analyst.")


def test_an_analyst_cannot_add_or_change_claims_of_a_published_launch_through_the_api():
    launch = LaunchFactory(status=Status.PUBLISHED)
    claim = ClaimFactory(launch=launch, value_text="~700")
    analyst = api_client(member("Analyst"))

    changed = analyst.patch(f"/api/v1/claims/{claim.pk}/", {"value_text": "1,500"}, format="json")
    added = analyst.post(
        "/api/v1/claims/",
        {"launch": launch.slug, "attribute": "apogee", "value_text": "50", "claimant": "JCS"},
        format="json",
    )

    assert (changed.status_code, added.status_code) == (403, 403)
    claim.refresh_from_db()
    assert claim.value_text == "~700"
    assert list(launch.claims.all()) == [claim]


def test_an_analyst_cannot_move_a_claim_onto_a_published_launch():
    claim = ClaimFactory(launch=LaunchFactory(status=Status.DRAFT))
    published = LaunchFactory(status=Status.PUBLISHED)
    response = api_client(member("Analyst")).patch(
        f"/api/v1/claims/{claim.pk}/", {"launch": published.slug}, format="json"
    )
    assert response.status_code == 403
    assert not published.claims.exists()


def test_a_status_change_with_other_fields_does_not_slip_a_change_past_review():
    launch = LaunchFactory(status=Status.PUBLISHED, summary="As published.")
    response = api_client(member("Analyst")).patch(
        f"/api/v1/launches/{launch.slug}/",
        {"summary": "Changed.", "status": Status.DRAFT},
        format="json",
    )
    assert response.status_code == 403
    launch.refresh_from_db()
    assert (launch.summary, launch.status) == ("As published.", Status.PUBLISHED)


def test_a_list_of_sources_must_be_a_list():
    launch = LaunchFactory(status=Status.DRAFT)
    launch.sources.set([SourceFactory()])
    response = api_client(member("Editor")).patch(
        f"/api/v1/launches/{launch.slug}/", {"sources": {}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["sources"] == ["Expected a list of ids, e.g. [1, 2]."]
    assert launch.sources.count() == 1


def test_the_service_refuses_whoever_calls_it():
    launch = LaunchFactory(status=Status.PUBLISHED, summary="As published.")
    with pytest.raises(ChangeRefused, match="only an editor can change it"):
        launch_update(launch=launch, user=member("Analyst"), summary="Changed.")
    assert launch_update(launch=launch, user=member("Editor"), summary="Changed.")


# The admin.


def test_an_analyst_cannot_change_a_claim_of_a_published_launch_in_the_admin(client):
    claim = ClaimFactory(launch=LaunchFactory(status=Status.PUBLISHED), value_text="~700")
    client.force_login(member("Analyst"))
    response = client.post(
        change_url(claim),
        {
            "launch": claim.launch_id,
            "attribute": claim.attribute,
            "value_text": "1,500",
            "value": "1500",
            "value_max": "",
            "claimant": "KCNA",
            "note": "",
            "position": 0,
            "source": "",
        },
    )
    assert response.status_code == 200
    assert "Its launch is published: only an editor can change it." in response.content.decode()
    claim.refresh_from_db()
    assert (claim.value_text, claim.claimant) == ("~700", "JCS")


def test_an_analyst_cannot_add_a_claim_inline_to_a_published_launch(client):
    from .test_admin import errors_of, launch_form_data

    launch = LaunchFactory(status=Status.PUBLISHED)
    client.force_login(member("Analyst"))
    claim = {"attribute": "distance", "value_text": "~700", "position": 0, "claimant": "JCS"}
    response = client.post(change_url(launch), launch_form_data(launch, claims=[claim]))
    assert "Its launch is published: only an editor can change it." in errors_of(response)
    assert not LaunchClaim.objects.exists()


def test_an_analyst_still_adds_draft_statements_on_a_published_launch(client):
    from .test_admin import inline_statement, launch_form_data

    launch = LaunchFactory(status=Status.PUBLISHED, occurred_on=datetime.date(2024, 1, 1))
    client.force_login(member("Analyst"))
    response = client.post(
        change_url(launch), launch_form_data(launch, statements=[inline_statement()])
    )
    assert response.status_code == 302
    assert Statement.objects.get(launch=launch).status == Status.DRAFT


def test_an_editor_changes_a_claim_of_a_published_launch_in_the_admin(client):
    claim = ClaimFactory(launch=LaunchFactory(status=Status.PUBLISHED))
    client.force_login(member("Editor"))
    data = {
        "launch": claim.launch_id,
        "attribute": claim.attribute,
        "value_text": "1,500",
        "value": "1500",
        "value_max": "",
        "claimant": "KCNA",
        "note": "",
        "position": 0,
        "source": "",
    }
    assert client.post(change_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert claim.value_text == "1,500"


# The importers.


@pytest.fixture
def importer():
    """A user who may import files but not publish."""
    user = User.objects.create_user("importer", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["add_importjob", "view_importjob"])
    )
    return user


def run_job(kind, content, user):
    job = import_job_create(kind=kind, filename="file.csv", content=content, user=user)
    return import_job_run(job_id=job.pk)


def test_an_import_by_a_user_who_may_not_publish_makes_drafts(importer):
    from .paths import EVENTS_CSV, LAUNCHES_CSV

    with open(LAUNCHES_CSV, encoding="utf-8") as launches, open(EVENTS_CSV) as events:
        assert run_job("launches", launches.read(), importer).status == "done"
        assert run_job("events", events.read(), importer).status == "done"

    assert Launch.objects.exists()
    for model in (Launch, Event, Link):
        assert not model.objects.published().exists(), model
    assert Launch.objects.filter(published_at__isnull=False).count() == 0
    assert APIClient().get("/api/v1/launches/").json()["results"] == []


def test_an_import_by_an_editor_publishes(client):
    from .paths import LAUNCHES_CSV

    with open(LAUNCHES_CSV, encoding="utf-8") as launches:
        run_job("launches", launches.read(), member("Editor"))
    assert Launch.objects.exists()
    assert not Launch.objects.exclude(status=Status.PUBLISHED).exists()


def test_an_import_that_would_change_a_published_launch_is_refused_whole(importer):
    from .paths import LAUNCHES_CSV

    with open(LAUNCHES_CSV, encoding="utf-8") as handle:
        content = handle.read()
    run_job("launches", content, member("Editor"))
    published = {launch.pk: launch.missile_count for launch in Launch.objects.all()}
    # The same file with the count of its first launch changed.
    rows = list(csv.reader(io.StringIO(content)))
    rows[1][rows[0].index("count")] = "9"
    edited = io.StringIO()
    csv.writer(edited).writerows(rows)
    edited = edited.getvalue()

    job = run_job("launches", edited, importer)

    assert job.status == "refused"
    assert any("only an editor can change it" in p["reason"] for p in job.report["refused"])
    assert {launch.pk: launch.missile_count for launch in Launch.objects.all()} == published


def test_editors_manage_webhooks_and_imports_and_analysts_import_drafts():
    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    editor, analyst = codenames("Editor"), codenames("Analyst")
    assert {
        "add_subscription",
        "change_subscription",
        "delete_subscription",
        "view_subscription",
        "view_delivery",
        "add_importjob",
        "view_importjob",
        "delete_triggersuggestion",
    } <= editor
    assert {"add_importjob", "view_importjob", "change_triggersuggestion"} <= analyst
    assert not {c for c in analyst if c.startswith(("publish_", "delete_"))}


def test_an_analyst_cannot_change_a_source_or_speaker_that_readers_see():
    from .factories import SpeakerFactory

    cited = SourceFactory(title="As published.")
    LaunchFactory(status=Status.PUBLISHED).sources.set([cited])
    speaker = SpeakerFactory(name="Spokesperson")
    StatementFactory(status=Status.PUBLISHED, speaker=speaker)
    draft_only = SourceFactory(title="A draft's source.")
    StatementFactory(status=Status.DRAFT, source=draft_only)
    analyst, editor = api_client(member("Analyst")), api_client(member("Editor"))

    refused = [
        analyst.patch(f"/api/v1/sources/{cited.pk}/", {"title": "Changed."}, format="json"),
        analyst.patch(f"/api/v1/speakers/{speaker.pk}/", {"role": "Changed."}, format="json"),
    ]
    allowed = [
        analyst.patch(f"/api/v1/sources/{draft_only.pk}/", {"title": "Fixed."}, format="json"),
        editor.patch(f"/api/v1/sources/{cited.pk}/", {"title": "Corrected."}, format="json"),
    ]

    assert [r.status_code for r in refused] == [403, 403]
    assert "A published launch shows it" in refused[0].json()["detail"]
    assert "A published statement shows it" in refused[1].json()["detail"]
    assert [r.status_code for r in allowed] == [200, 200]
    cited.refresh_from_db()
    speaker.refresh_from_db()
    assert (cited.title, speaker.role) == ("Corrected.", "")


def test_what_an_editor_reviews_is_what_gets_published():
    launch = LaunchFactory(status=Status.REVIEW, summary="As submitted.")
    analyst = api_client(member("Analyst"))
    url = f"/api/v1/launches/{launch.slug}/"

    frozen = analyst.patch(url, {"summary": "Swapped after review."}, format="json")
    assert frozen.status_code == 403
    assert "in review: take it back to draft to change it" in frozen.json()["detail"]

    # Taken back to draft, it is the analyst's to change again, and to submit again.
    assert analyst.patch(url, {"status": Status.DRAFT}, format="json").status_code == 200
    assert analyst.patch(url, {"summary": "Revised."}, format="json").status_code == 200
    launch.refresh_from_db()
    assert (launch.summary, launch.status) == ("Revised.", Status.DRAFT)


def test_a_revert_by_a_user_who_may_not_publish_leaves_a_published_record_alone():
    from editorial.services import record_revert

    launch = LaunchFactory(status=Status.PUBLISHED, summary="First.")
    launch_update(launch=launch, summary="Second.")
    first = launch.history.order_by("history_date", "history_id").first()
    user = User.objects.create_user("reverter")
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["change_launch", "delete_launch"])
    )
    with pytest.raises(ChangeRefused):
        record_revert(record=first, user=user)
    launch.refresh_from_db()
    assert launch.summary == "Second."


def test_a_known_dataset_is_cited_as_it_is_whoever_made_its_row():
    from timeline.models import SOURCE_REFERENCES
    from timeline.services import source_get_or_create

    token = next(iter(SOURCE_REFERENCES))
    Source.objects.create(reference=token.lower(), title="Planted", url="https://planted.example/")
    source = source_get_or_create(token=token)
    assert (source.title, source.url) == (
        SOURCE_REFERENCES[token]["title"],
        SOURCE_REFERENCES[token]["url"],
    )
