"""A statement without a speaker: `speaker_name` is null in JSON and empty in CSV."""

import csv
import io

import pytest
from django.core.cache import cache
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from .factories import SpeakerFactory, StatementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


@pytest.fixture
def statements():
    unattributed = StatementFactory(speaker=None)
    attributed = StatementFactory(speaker=SpeakerFactory(name="Karine Jean-Pierre", role="Press"))
    return unattributed, attributed


def test_speaker_name_is_null_in_json_without_a_speaker(statements):
    unattributed, attributed = statements
    api = APIClient()
    listed = {
        row["id"]: (row["speaker"], row["speaker_name"])
        for row in api.get("/api/v1/statements/").json()["results"]
    }
    assert listed == {
        unattributed.pk: (None, None),
        attributed.pk: (attributed.speaker_id, "Karine Jean-Pierre, Press"),
    }
    detail = api.get(f"/api/v1/statements/{unattributed.pk}/").json()
    assert (detail["speaker"], detail["speaker_name"]) == (None, None)


def test_speaker_name_is_empty_in_csv_without_a_speaker(statements):
    unattributed, attributed = statements
    response = APIClient().get("/api/v1/statements/?format=csv")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows[str(unattributed.pk)]["speaker_name"] == ""
    assert rows[str(attributed.pk)]["speaker_name"] == "Karine Jean-Pierre, Press"


def test_the_schema_says_speaker_name_may_be_null():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    field = schema["components"]["schemas"]["Statement"]["properties"]["speaker_name"]
    assert field == {
        "type": "string",
        "nullable": True,
        "readOnly": True,
        "description": "How the speaker is named; null without a speaker.",
    }
