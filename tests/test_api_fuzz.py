"""Schemathesis over every operation of the OpenAPI schema, in process, on PostgreSQL."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token

from timeline.models import Status

from .factories import ClaimFactory, LinkFactory, SpeakerFactory, StatementFactory, UserFactory
from .test_api_permissions import EDITOR

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.specs.openapi.checks import (  # noqa: E402
    negative_data_rejection,
    positive_data_acceptance,
)

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="fuzzed on PostgreSQL only: set DATABASE_URL to a PostgreSQL database (CI does)",
    ),
    pytest.mark.django_db,
]


@pytest.fixture(autouse=True)
def _records(db):
    """Some records of each kind, and requests kept on the test's one connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    statement = StatementFactory(launch__slug="2025-11-07-srbm", speaker=SpeakerFactory())
    ClaimFactory(launch=statement.launch)
    LinkFactory(launch=statement.launch, event__slug="sanctions", status=Status.DRAFT)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


if ON_POSTGRESQL:
    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    # Text with NUL is refused with a 400 (PostgreSQL cannot store it), which the schema's
    # plain strings do not say: keep it out of the well-formed requests.
    schema.config.generation.update(allow_x00=False)
    parametrize = schema.parametrize()
else:  # the marks above skip the test with their reason

    def parametrize(test):
        return pytest.mark.parametrize("case", [None])(test)


@parametrize
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation(case):
    cache.clear()  # the fuzzer is not a client to throttle
    if case.method == "GET":
        # An empty query value means "no filter", as on the site's forms: not a 400.
        case.call_and_validate(excluded_checks=[negative_data_rejection])
        return
    user = UserFactory(perms=EDITOR)
    token = Token.objects.get_or_create(user=user)[0].key
    # The schema cannot say which slugs, codes and ids exist, nor which time zones are known:
    # a write naming a missing launch is well formed and still refused with a 400.
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )
