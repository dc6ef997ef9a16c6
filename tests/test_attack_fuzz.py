"""The attack suite's fuzzer: schemathesis with every check over every operation of the
OpenAPI schema, anonymously and with an analyst's token (and every write with an editor's),
in process, on PostgreSQL.

Each operation is exercised through schemathesis's three phases (the schema's examples,
its coverage cases — boundaries, wrong types, missing and unexpected values — and random
fuzzing), with valid and with invalid data, from a fixed seed. `ATTACK_EXAMPLES` bounds the
fuzzing phase per operation (small in `make test`, larger with `make attack`). Every failure
is collected rather than shrunk, so a run reports all it found: the figures (operations,
cases, failures by check, each distinct failure) are printed at the end and written to
`attack-report.txt` (`ATTACK_REPORT` names another file). Each operation's test asserts it
had no failure at all: 0 server errors, 0 schema violations, 0 undocumented status codes.
"""

import json
import os
import re
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import hypothesis
import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from editorial.models import Status
from webhooks.models import Subscription

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

schemathesis = pytest.importorskip("schemathesis")
# The test builders behind `schema.parametrize()`, called directly so that each operation's
# test runs every case, collects every failure, then asserts (schemathesis 4.32; see pyproject).
from schemathesis.core import NOT_SET  # noqa: E402
from schemathesis.core.failures import Failure, FailureGroup  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.generation.feedback import FeedbackSources  # noqa: E402
from schemathesis.generation.hypothesis.builder import (  # noqa: E402
    HypothesisTestConfig,
    HypothesisTestMode,
    create_test,
)
from schemathesis.generation.overrides import Override  # noqa: E402
from schemathesis.pytest._test_builder import build_operation_test  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
EXAMPLES = int(os.environ.get("ATTACK_EXAMPLES", "10"))
# The coverage phase (boundaries, wrong types, missing and unexpected values, a hundred or
# so cases per operation) takes minutes: `make attack` turns it on, `make test` does not.
PHASES = os.environ.get("ATTACK_PHASES", "examples,fuzzing").split(",")
SEED = int(os.environ.get("ATTACK_SEED", "20251107"))
REPORT = Path(
    os.environ.get("ATTACK_REPORT", Path(__file__).resolve().parent.parent / "attack-report.txt")
)
# An editor's writes too (publishing included): an editor reads what an analyst reads.
ROLES = ("anonymous", "analyst", "editor")
# Random path parameters mostly name nothing (a 404): a second pass aims at records that
# exist — a launch and an event of this slug, one record of each other kind of this id.
KNOWN = {"slug": "2025-11-07-srbm", "id": 900001, "code": "RU"}

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="fuzzed on PostgreSQL only: set DATABASE_URL to a PostgreSQL database (CI does)",
    ),
    pytest.mark.django_db,
]


class Tally:
    """What the run exercised and what failed, for the report."""

    def __init__(self):
        self.operations = set()
        self.cases = Counter()  # by role
        self.statuses = Counter()  # responses by status code
        self.failures = Counter()  # (check, role, operation, title) -> cases that failed so
        self.examples = {}  # the same key -> the first message
        self.started = time.monotonic()

    def failed(self, role, operation, check, title, message):
        key = (check, role, operation, title)
        self.failures[key] += 1
        self.examples.setdefault(key, message)

    def report(self):
        by_check = Counter()
        for (check, *_), count in self.failures.items():
            by_check[check] += count
        lines = [
            "Salvo attack suite: schemathesis, every check, every operation",
            f"seed {SEED}; phases: {', '.join(PHASES)}; "
            f"fuzzing examples per operation and role: {EXAMPLES}; "
            f"roles: {', '.join(ROLES)}; {time.monotonic() - self.started:.0f} s",
            f"operations: {len(self.operations)}",
            "cases: "
            + f"{sum(self.cases.values())} ("
            + ", ".join(f"{role} {self.cases[role]}" for role in ROLES)
            + ")",
            "responses by status: "
            + ", ".join(f"{code} {n}" for code, n in sorted(self.statuses.items())),
            f"failing cases: {sum(self.failures.values())}; distinct failures: "
            f"{len(self.failures)}",
            "failing cases by check:",
            *(f"  {check}: {count}" for check, count in sorted(by_check.items())),
        ]
        if not by_check:
            lines.append("  none")
        lines.append("distinct failures (check | role | operation | what, cases):")
        for key in sorted(self.failures):
            check, role, operation, title = key
            lines.append(f"  {check} | {role} | {operation} | {title} ({self.failures[key]})")
            lines.append(f"      {self.examples[key]}")
        return "\n".join(lines) + "\n"


TALLY = Tally()


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    """Print the figures when the module is done, and write them to the report file."""
    yield
    if not TALLY.operations:
        return
    text = TALLY.report()
    REPORT.write_text(text)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("")
        for line in text.splitlines():
            reporter.write_line(line)
        reporter.write_line(f"(written to {REPORT.name})")


@pytest.fixture
def world(db):
    """Published and draft records of every kind, an analyst and an editor with their tokens
    (the Analyst and Editor groups), and requests kept
    on the test's one connection (on PostgreSQL, Django would close it between requests)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    known = KNOWN["id"]
    source = SourceFactory(id=known)
    launch = LaunchFactory(slug=KNOWN["slug"], summary="One SRBM toward the East Sea.")
    LaunchFactory(slug="2025-11-08-draft", status=Status.DRAFT)
    ClaimFactory(id=known, launch=launch)
    StatementFactory(id=known, launch=launch, speaker=SpeakerFactory(id=known), source=source)
    StatementFactory(launch=launch, status=Status.DRAFT)
    event = EventFactory(slug=KNOWN["slug"])
    LinkFactory(id=known, launch=launch, event=event, source=source)
    LinkFactory(launch=launch, event=EventFactory(slug="draft-talks", status=Status.DRAFT))
    headers = {"anonymous": {}}
    for role in ("analyst", "editor"):
        user = UserFactory(username=role)
        user.groups.add(Group.objects.get(name=role.title()))
        headers[role] = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    Subscription.objects.create(
        id=known,
        name="Newsroom",
        target_url="https://hooks.example/salvo",
        event_types=["launch.published"],
    )
    yield headers
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _operations():
    if not ON_POSTGRESQL:
        return []
    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    schema.config.seed = SEED
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=EXAMPLES,
        deterministic=True,
        no_shrink=True,
        database="none",
        allow_x00=True,
    )
    for phase in ("examples", "coverage", "fuzzing"):
        getattr(schema.config.phases, phase).enabled = phase in PHASES
    return [result.ok() for result in schema.get_all_operations()]


OPERATIONS = _operations()


def check_name(failure):
    return failure.checks[0] if failure.checks else type(failure).__name__


def carries_nul(case):
    parts = [case.path_parameters, case.query, case.headers, case.cookies]
    parts.append(None if case.body is NOT_SET else case.body)
    return "\\u0000" in json.dumps(parts, default=str)  # how JSON writes a NUL


def component(failure):
    """The part of the request, or of the response body, a failure blames."""
    if getattr(failure, "instance_path", None) is not None:
        return ": /" + "/".join(map(str, failure.instance_path))
    match = re.search(r"Invalid component: (.+?) - ", str(failure.message))
    return f": {match.group(1)}" if match else ""


def summary(failure, limit=200):
    """The failure's message on one line, cut short."""
    return " ".join(str(failure.message).split())[:limit]


def request_line(case, limit=200):
    """What was sent, on one line: method, path, query and the body's start."""
    path = case.formatted_path
    if case.query:
        path += "?" + urlencode(case.query, doseq=True)
    body = "" if case.body is NOT_SET else f" {json.dumps(case.body, default=str)[:80]}"
    return f"{case.method.upper()} {path}{body}"[:limit]


RUNS = [
    pytest.param(operation, role, id=f"{operation.label}-{role}")
    for operation in OPERATIONS
    for role in ROLES
    if role != "editor" or operation.method.upper() != "GET"
] or [pytest.param(None, None, id="schema")]


@pytest.mark.parametrize(("operation", "role"), RUNS)
def test_every_operation_holds_under_attack(world, operation, role):
    headers = world[role]
    # A write well formed by the schema may name a launch or an actor that does not exist,
    # or a time zone that is unknown: refusing it with a 400 is right, not a finding.
    excluded = [] if operation.method.upper() == "GET" else [positive_data_acceptance]
    found = []

    def attack(case):
        cache.clear()  # the fuzzer is not a client to throttle
        TALLY.cases[role] += 1
        response = case.call(headers=headers)
        TALLY.statuses[response.status_code] += 1
        try:
            case.validate_response(response, headers=headers, excluded_checks=excluded)
        except FailureGroup as group:
            failures = group.exceptions
        except Failure as failure:
            failures = [failure]
        else:
            return
        sent = f"{request_line(case)} -> {response.status_code}"
        for failure in failures:
            if check_name(failure) == "positive_data_acceptance" and carries_nul(case):
                # Text with NUL is refused with a 400 (PostgreSQL cannot store it), which the
                # schema's plain strings cannot say: right, not a finding.
                continue
            what = failure.title + component(failure)
            found.append((check_name(failure), what, f"{sent}: {summary(failure)}"))

    run = build_operation_test(
        config=operation.schema.config,
        operation=operation,
        test_func=attack,
        given_kwargs={},
        feedback=FeedbackSources(),
        explicit_settings=hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck),
        ),
    )
    TALLY.operations.add(operation.label)
    run()
    if operation.path_parameters:
        known = {p.name: KNOWN[p.name] for p in operation.path_parameters if p.name in KNOWN}
        aimed = create_test(
            operation=operation,
            test_func=attack,
            config=HypothesisTestConfig(
                project=operation.schema.config,
                modes=[HypothesisTestMode.FUZZING],
                settings=hypothesis.settings(
                    max_examples=EXAMPLES,
                    deadline=None,
                    derandomize=True,
                    database=None,
                    phases=[hypothesis.Phase.generate],
                    suppress_health_check=list(hypothesis.HealthCheck),
                ),
                override=Override(path_parameters=known),
            ),
        )
        aimed()
    for check, title, message in found:
        TALLY.failed(role, operation.label, check, title, message)
    distinct = sorted(set(found))
    assert not distinct, f"{len(found)} failing cases:\n" + "\n".join(
        f"{check}: {title}: {message}" for check, title, message in distinct
    )
