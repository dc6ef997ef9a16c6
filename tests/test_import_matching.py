"""Matching across sources: a launch seen by two sources is one launch, in either order."""

import datetime

import pytest

from editorial.models import Status
from imports.services import launches_import
from timeline.matching import matching_launches
from timeline.models import Launch

from .factories import LaunchFactory
from .paths import TEST_DATA

pytestmark = pytest.mark.django_db

CHRONOLOGY = TEST_DATA / "matching_chronology.csv"  # 8 launches, 7 of them in the CNS sample
CNS = TEST_DATA / "cns_sample.csv"  # 12 missile rows, 7 launches
UTC = datetime.UTC


def import_file(path, format):
    with open(path, "rb") as handle:
        report = launches_import(file=handle, format=format)
    assert report.written, report.as_text()
    return report


def launches():
    return sorted(Launch.objects.values_list("occurred_on", "missile_class"))


@pytest.mark.parametrize("order", [("chronology", "cns"), ("cns", "chronology")])
def test_the_chronology_and_the_cns_data_in_either_order_give_the_same_launches(order):
    paths = {"chronology": CHRONOLOGY, "cns": CNS}
    for format in order:
        import_file(paths[format], format)
    assert Launch.objects.count() == 8
    assert [day for day, _ in launches()].count(datetime.date(2022, 1, 17)) == 1
    both = Launch.objects.get(occurred_on=datetime.date(2022, 1, 17))
    # The second source's figures and sources are on the first one's launch.
    assert {s.reference or s.url for s in both.sources.all()} >= {"cns-db"}
    assert [m["format"] for m in both.import_record["matched"]] == [_format_name(order[1])]
    assert both.claims.filter(note__contains=f"from {_format_name(order[1])}").exists()
    assert not Launch.objects.filter(status=Status.DRAFT).exists()


def _format_name(format):
    return {"chronology": "salvo-chronology", "cns": "cns"}[format]


def test_importing_the_matched_file_again_changes_nothing():
    import_file(CHRONOLOGY, "chronology")
    import_file(CNS, "cns")
    claims = sorted(Launch.objects.values_list("claims__id", flat=True).exclude(claims=None))
    again = import_file(CNS, "cns")
    assert (again.created, again.updated) == (0, 0)
    assert Launch.objects.count() == 8
    assert sorted(Launch.objects.values_list("claims__id", flat=True).exclude(claims=None)) == (
        claims
    )


def test_an_ambiguous_match_is_reported_and_left_as_a_draft_for_an_analyst():
    day = datetime.date(2022, 1, 5)
    for hour in (23, 0):  # two launches of another source, either side of the row's 23:10 UTC
        LaunchFactory(
            occurred_on=day if hour else day + datetime.timedelta(days=1),
            occurred_at=datetime.datetime(2022, 1, 4 if hour else 5, hour, 0, tzinfo=UTC),
            missile_class="unknown",
        )
    report = import_file(CNS, "cns")
    assert any("ambiguous" in note and "cns:2022-01-05" in note for note in report.notes)
    draft = Launch.objects.get(external_id="cns:2022-01-05:2310:mupyong-ni")
    assert draft.status == Status.DRAFT
    assert Launch.objects.filter(occurred_at__date=datetime.date(2022, 1, 4)).count() == 2


def candidate(**fields):
    values = {
        "occurred_on": datetime.date(2024, 3, 18),
        "occurred_at": datetime.datetime(2024, 3, 17, 22, 44, tzinfo=UTC),
        "missile_class": "SRBM",
        "import_record": {"format": "cns"},
    }
    return Launch(**{**values, **fields})


@pytest.mark.parametrize(
    ("fields", "found"),
    [
        ({}, True),
        ({"occurred_at": datetime.datetime(2024, 3, 18, 0, 30, tzinfo=UTC)}, True),
        ({"occurred_at": datetime.datetime(2024, 3, 18, 3, 0, tzinfo=UTC)}, False),  # 4h16 later
        ({"occurred_at": None, "occurred_on": datetime.date(2024, 3, 19)}, True),  # a day off
        ({"occurred_at": None, "occurred_on": datetime.date(2024, 3, 20)}, False),
        ({"missile_class": "ICBM"}, False),
        ({"missile_class": "unknown"}, True),
        ({"import_record": {"format": "salvo-chronology"}}, False),  # the same file's launch
    ],
)
def test_the_matching_rule(fields, found):
    held = LaunchFactory(
        occurred_on=datetime.date(2024, 3, 18),
        occurred_at=datetime.datetime(2024, 3, 17, 23, 0, tzinfo=UTC),
        missile_class="SRBM",
        import_record={"format": "salvo-chronology"},
    )
    assert (matching_launches(candidate(**fields)) == [held]) is found


def test_a_match_by_a_user_who_may_not_change_the_published_launch_is_refused():
    from django.contrib.auth.models import User

    import_file(CHRONOLOGY, "chronology")
    with open(CNS, "rb") as handle:
        report = launches_import(file=handle, format="cns", user=User.objects.create_user("x"))
    assert not report.written
    assert Launch.objects.count() == 8
