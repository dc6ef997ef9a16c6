"""Who may read and write what: anonymous, analyst and editor tokens, on drafts and published."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from editorial.models import Status
from timeline.models import Launch

from .factories import (
    EventFactory,
    LaunchFactory,
    LinkFactory,
    SourceFactory,
    StatementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MODELS = ["launch", "launchclaim", "event", "link", "source", "speaker", "statement"]
ANALYST = [f"{verb}_{model}" for model in MODELS for verb in ("add", "change", "view")]
EDITOR = [
    *ANALYST,
    *(f"delete_{model}" for model in MODELS),
    "publish_launch",
    "publish_event",
    "publish_link",
    "publish_statement",
]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


def client_for(role):
    client = APIClient()
    if role != "anonymous":
        user = UserFactory(username=role, perms=ANALYST if role == "analyst" else EDITOR)
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# resource: (factory, detail url, field changed by a write)
RESOURCES = {
    "launches": (LaunchFactory, lambda r: f"/api/v1/launches/{r.slug}/", "summary"),
    "events": (EventFactory, lambda r: f"/api/v1/events/{r.slug}/", "description"),
    "links": (LinkFactory, lambda r: f"/api/v1/links/{r.pk}/", "rationale"),
    "statements": (StatementFactory, lambda r: f"/api/v1/statements/{r.pk}/", "summary"),
}

# (role, status of the record) -> expected (read, write a field, publish or withdraw)
MATRIX = {
    ("anonymous", Status.PUBLISHED): (200, 401, 401),
    ("anonymous", Status.DRAFT): (404, 401, 401),
    ("analyst", Status.PUBLISHED): (200, 403, 403),
    ("analyst", Status.DRAFT): (200, 200, 403),
    ("editor", Status.PUBLISHED): (200, 200, 200),
    ("editor", Status.DRAFT): (200, 200, 200),
}


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize(("role", "status"), MATRIX)
def test_permission_matrix(resource, role, status):
    factory, url, field = RESOURCES[resource]
    record = factory(status=status)
    client = client_for(role)
    expected_read, expected_write, expected_transition = MATRIX[role, status]
    history_before = record.history.count()

    read = client.get(url(record))
    assert read.status_code == expected_read
    if expected_read == 200:
        assert read.json()["status"] == status

    write = client.patch(url(record), {field: "Revised by the API."}, format="json")
    assert write.status_code == expected_write, write.json()
    record.refresh_from_db()
    if expected_write == 200:
        assert write.json()[field] == getattr(record, field) == "Revised by the API."
        assert record.history.count() == history_before + 1
    else:
        assert getattr(record, field) != "Revised by the API."
        assert record.history.count() == history_before

    other = Status.DRAFT if status == Status.PUBLISHED else Status.PUBLISHED
    transition = client.patch(url(record), {"status": other}, format="json")
    assert transition.status_code == expected_transition, transition.json()
    record.refresh_from_db()
    assert record.status == (other if expected_transition == 200 else status)
    if expected_transition == 403:
        assert "an editor must" in transition.json()["detail"]


@pytest.mark.parametrize("role", ["anonymous", "analyst", "editor"])
def test_lists_show_drafts_only_to_those_who_may_change_them(role):
    LaunchFactory(slug="published", status=Status.PUBLISHED)
    LaunchFactory(slug="draft", status=Status.DRAFT)
    LaunchFactory(slug="in-review", status=Status.REVIEW)
    slugs = [r["slug"] for r in client_for(role).get("/api/v1/launches/").json()["results"]]
    assert slugs == (["published"] if role == "anonymous" else ["published", "draft", "in-review"])


def test_a_token_without_permissions_reads_published_records_and_writes_nothing():
    launch = LaunchFactory(status=Status.PUBLISHED)
    LaunchFactory(status=Status.DRAFT)
    client = APIClient()
    user = UserFactory()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert [r["slug"] for r in client.get("/api/v1/launches/").json()["results"]] == [launch.slug]
    response = client.patch(f"/api/v1/launches/{launch.slug}/", {"summary": "x"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to perform this action."}


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        ("anonymous", Status.DRAFT, 401),
        ("analyst", Status.DRAFT, 201),
        ("analyst", Status.PUBLISHED, 403),
        ("editor", Status.PUBLISHED, 201),
    ],
)
def test_creating_a_launch(role, status, expected):
    source = SourceFactory()
    payload = {
        "occurred_on": "2025-11-07",
        "occurred_at": "2025-11-07T03:35:00Z",
        "missile_class": "SRBM",
        "missile_count": 1,
        "sources": [source.pk],
        "status": status,
    }
    response = client_for(role).post("/api/v1/launches/", payload, format="json")
    assert response.status_code == expected, response.json()
    if expected != 201:
        assert not Launch.objects.exists()
        return
    launch = Launch.objects.get()
    assert response.json()["slug"] == launch.slug == "2025-11-07-srbm"
    assert (launch.status, list(launch.sources.all())) == (status, [source])
    expected_history = ["+"] if status == Status.DRAFT else ["~", "+"]
    assert [h.history_type for h in launch.history.all()][-len(expected_history) :] == (
        expected_history
    )


def test_a_month_only_launch_is_written_through_the_api_and_a_faked_day_refused():
    source = SourceFactory()
    payload = {
        "occurred_on": "1984-09-14",
        "date_precision": "month",
        "missile_class": "SRBM",
        "sources": [source.pk],
    }
    analyst = client_for("analyst")
    refused = analyst.post("/api/v1/launches/", payload, format="json")
    assert refused.status_code == 400
    assert "stored on its 1st" in str(refused.json())
    assert not Launch.objects.exists()
    payload["occurred_on"] = "1984-09-01"
    created = analyst.post("/api/v1/launches/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["slug"], created.json()["date_precision"]) == ("1984-09-srbm", "month")
