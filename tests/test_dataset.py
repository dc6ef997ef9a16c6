"""A full export restores exactly: every record, every history row, the same ids."""

import datetime
import io
import json

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from explore.dataset import dataset_models
from reactions.models import Actor, Statement
from timeline.models import Launch
from timeline.services import launch_update

pytestmark = pytest.mark.django_db(transaction=True)


def everything():
    """Every row of every dataset model, as plain values, keyed by model."""
    return {
        model._meta.label: sorted(
            json.dumps(row, sort_keys=True, default=str) for row in model._default_manager.values()
        )
        for model in dataset_models()
    }


def test_export_then_import_into_an_empty_database_changes_nothing(tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    editor = User.objects.create_user("editor", password="a long passphrase here")
    launch = Launch.objects.get(slug="2025-11-07-srbm")
    launch_update(launch=launch, summary="Edited once, so the history has a change in it.")
    launch.history.filter(history_type="~").update(history_user=editor)
    # A deletion, kept only in the history.
    Statement.objects.get(actor__code="KR", launch=launch).delete()
    before = everything()
    assert before["timeline.HistoricalLaunch"]
    bundle = tmp_path / "salvo.json.gz"
    call_command("export_dataset", str(bundle), stdout=io.StringIO())

    call_command("flush", "--noinput")  # an empty database, as after migrate
    assert Actor.objects.count() > 0  # seeded again after the flush; the bundle replaces them
    out = io.StringIO()
    call_command("import_dataset", str(bundle), stdout=out)
    assert "records restored" in out.getvalue()
    assert everything() == before

    launch = Launch.objects.get(slug="2025-11-07-srbm")
    assert launch.history.first().history_user.username == "editor"
    new = Launch.objects.create(slug="after-restore", occurred_on=datetime.date(2026, 1, 1))
    assert new.pk > max(pk for pk in Launch.objects.exclude(pk=new.pk).values_list("pk", flat=True))


def test_import_refuses_a_database_that_holds_data(tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    bundle = tmp_path / "salvo.json"
    call_command("export_dataset", str(bundle), stdout=io.StringIO())
    groups = Group.objects.count()
    with pytest.raises(CommandError, match="already holds launches; restore into an empty"):
        call_command("import_dataset", str(bundle))
    assert Group.objects.count() == groups


def test_import_refuses_what_is_not_a_bundle(tmp_path):
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(CommandError, match="is not a Salvo dataset bundle; nothing was restored"):
        call_command("import_dataset", str(other))
