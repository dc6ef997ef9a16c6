"""Every error under /api/ answers JSON with a message, whatever raised it."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token

from timeline.models import Launch

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(raise_request_exception=False)  # as a server answers: the 500 handler runs


@pytest.fixture
def token():
    user = User.objects.create_superuser("editor", password="a long passphrase here")
    return Token.objects.create(user=user).key


def test_an_oversized_body_gets_a_json_413_and_writes_nothing(client, token):
    body = '{"summary": "' + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + '"}'
    response = client.post(
        "/api/v1/launches/",
        body,
        content_type="application/json",
        headers={"Authorization": f"Token {token}"},
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    }
    assert not Launch.objects.exists()


def test_a_server_error_in_the_api_answers_json(client, monkeypatch):
    from explore.api import LaunchViewSet

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(LaunchViewSet, "list", broken)
    response = client.get("/api/v1/launches/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Something went wrong on our side; it has been logged."}
    assert "a bug" not in response.content.decode()


def test_unknown_methods_and_bad_requests_under_the_api_answer_json(client):
    not_allowed = client.delete("/api/v1/stats/")
    assert not_allowed.status_code == 405
    assert not_allowed.json() == {"detail": 'Method "DELETE" not allowed.'}
    bad_host = client.get("/api/v1/launches/", headers={"Host": "bad host"})
    assert bad_host.status_code == 400
    assert bad_host["Content-Type"] == "application/json"
    assert bad_host.json() == {"detail": "This site does not answer to that host name."}
    nowhere = client.get("/api/v1/nothing-here/")
    assert (nowhere.status_code, nowhere.json()) == (
        404,
        {"detail": "No API endpoint at this address."},
    )
    page = client.get("/no-such-page/", headers={"Host": "bad host"})
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")  # pages keep their HTML errors


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("/api/v1/launches/?updated_since=&year=2024", "updated_since"),
        ("/api/v1/launches/?year=2024&missile_class=", "missile_class"),
        ("/api/v1/statements/?actor=%20", "actor"),
        ("/api/v1/events/?ordering=", "ordering"),
    ],
)
def test_an_empty_filter_parameter_is_refused_naming_it(client, query, named):
    response = client.get(query)
    assert response.status_code == 400
    assert response.json() == {named: ["Give a value, or leave the parameter out."]}


def test_filters_given_values_still_work(client):
    response = client.get("/api/v1/launches/?year=2024&ordering=-occurred_on")
    assert response.status_code == 200
    assert response.json()["results"] == []
