"""The generated benchmark dataset: deterministic, realistic in shape, replaceable."""

import io

import pytest
from django.core.management import call_command

from core.caching import data_version
from reactions.models import Actor, Statement, Theme
from timeline.models import Launch, LaunchClaim, Link

from .factories import LaunchFactory, StatementFactory

pytestmark = pytest.mark.django_db


def generate(*args):
    out = io.StringIO()
    call_command("generate_dataset", *args, stdout=out)
    return out.getvalue().strip()


def test_generated_data_has_the_shape_of_the_real_thing():
    assert generate("--launches", "30") == (
        "30 launches, 15 events, 60 claims, 30 links, 600 statements"
    )
    launch = Launch.objects.for_timeline().get(slug="gen-29")
    assert launch.statements.count() == 20
    assert launch.category_ordinal >= 1
    assert launch.local_time.date() == launch.occurred_on
    assert Statement.objects.values("actor").distinct().count() == 40
    assert LaunchClaim.objects.filter(launch=launch).count() == 2
    assert Link.objects.filter(launch=launch).count() == 1


def test_the_same_seed_gives_the_same_data_and_replace_starts_over(
    django_capture_on_commit_callbacks,
):
    real = LaunchFactory(slug="2025-11-07-srbm")
    StatementFactory(launch=real)
    generate("--launches", "10", "--seed", "3")
    first = list(
        Statement.objects.filter(launch__slug__startswith="gen-")
        .order_by("launch__slug", "actor__code")
        .values_list("stance")
    )
    statement = Statement.objects.filter(launch__slug="gen-3").first()
    statement.themes.add(Theme.objects.create(slug="dialogue", name="Calls for dialogue"))
    statement.co_signers.add(Actor.objects.get(code="JP"))
    history = Statement.history.count()
    version = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        generate("--launches", "10", "--seed", "3", "--replace")
    again = list(
        Statement.objects.filter(launch__slug__startswith="gen-")
        .order_by("launch__slug", "actor__code")
        .values_list("stance")
    )
    assert first == again
    assert Launch.objects.count() == 11
    assert Launch.objects.filter(pk=real.pk).exists()  # only generated records are replaced
    assert Statement.objects.filter(launch=real).count() == 1
    assert Statement.history.count() == history  # no history for generated rows
    assert data_version() > version  # cached pages never outlive the replaced data
