"""Matching across sources: a launch seen by two sources is one launch, in either order."""

import datetime
import io

import pytest

from editorial.models import Status
from imports.services import launches_import
from timeline.matching import matching_launches, same_site
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


def edited_copy(path, old, new, tmp_path):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    copy = tmp_path / path.name
    copy.write_text(text.replace(old, new), encoding="utf-8")
    return copy


def origins(launch):
    return sorted(
        (claim.note.rsplit("from ", 1)[-1], claim.attribute, claim.value_text)
        for claim in launch.claims.filter(note__contains="from ")
    )


CNS_SOURCE = "https://en.yna.co.kr/view/AEN20220117000353325"
CHRONOLOGY_SOURCE = "https://m-en.yna.co.kr/view/AEN20220125006500325"


def test_reimporting_the_chronology_keeps_what_the_cns_rows_added(tmp_path):
    import_file(CHRONOLOGY, "chronology")
    import_file(CNS, "cns")
    launch = Launch.objects.get(occurred_on=datetime.date(2022, 1, 17))
    from_cns = origins(launch)
    assert from_cns
    assert {origin.split()[0] for origin, _, _ in from_cns} == {"cns"}

    edited = edited_copy(CHRONOLOGY, ",380,42,", ",390,42,", tmp_path)
    report = import_file(edited, "chronology")
    assert (report.created, report.updated) == (0, 1)
    launch.refresh_from_db()
    assert launch.distance_km == 390
    assert origins(launch) == from_cns
    assert CNS_SOURCE in {source.url for source in launch.sources.all()}
    assert [m["format"] for m in launch.import_record["matched"]] == ["cns"]
    again = import_file(CNS, "cns")
    assert (again.created, again.updated) == (0, 0)


def test_reimporting_the_cns_file_keeps_what_the_chronology_added_and_each_replaces_its_own(
    tmp_path,
):
    import_file(CNS, "cns")
    import_file(CHRONOLOGY, "chronology")
    launch = Launch.objects.get(occurred_on=datetime.date(2022, 1, 17))
    from_chronology = origins(launch)
    assert ("salvo-chronology L2022-004", "distance", "380") in from_chronology

    edited_cns = edited_copy(CNS, "Sea of Japan,42,380,", "Sea of Japan,42,385,", tmp_path)
    assert import_file(edited_cns, "cns").updated == 1
    launch.refresh_from_db()
    assert origins(launch) == from_chronology
    assert CHRONOLOGY_SOURCE in {source.url for source in launch.sources.all()}

    # The chronology's new figure replaces its old one; the CNS claims are left alone.
    edited = edited_copy(CHRONOLOGY, ",380,42,", ",390,42,", tmp_path)
    import_file(edited, "chronology")
    launch.refresh_from_db()
    now = origins(launch)
    assert ("salvo-chronology L2022-004", "distance", "390") in now
    assert ("salvo-chronology L2022-004", "distance", "380") not in now
    assert launch.claims.exclude(note__contains="from ").filter(value_text="385").exists()
    again = import_file(edited, "chronology")
    assert (again.created, again.updated) == (0, 0)


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("Sunan", "Sunan, Pyongyang", True),
        ("Sunan", "Pyongyang Sunan International Airport", True),
        ("SUNAN.", "Sunan area", True),
        ("Sunan (Pyongyang airport)", "sunan vicinity", True),
        ("Mupyong-ni area, Jagang Province", "Mupyongni", True),
        ("Sunan", "Wonsan", False),
        ("Sunan", "", False),
        ("Unknown", "Unknown", False),
    ],
)
def test_sites_are_compared_loosely(one, other, same):
    assert same_site(one, other) is same
    assert same_site(other, one) is same


def test_of_two_launches_that_match_the_one_at_the_same_site_is_the_match():
    day = datetime.date(2024, 3, 18)
    held = [
        LaunchFactory(
            occurred_on=day,
            occurred_at=datetime.datetime(2024, 3, 17, hour, 0, tzinfo=UTC),
            missile_class="SRBM",
            launch_site=site,
            import_record={"format": "salvo-chronology"},
        )
        for hour, site in ((22, "Sunan (Pyongyang airport)"), (23, "Wonsan"))
    ]
    assert matching_launches(candidate(launch_site="Pyongyang Sunan International Airport")) == [
        held[0]
    ]
    assert matching_launches(candidate(launch_site="Sinpo")) == held  # ambiguous


def test_a_salvo_whose_facility_is_written_two_ways_is_one_launch():
    rows = CNS.read_text(encoding="utf-8").splitlines(keepends=True)
    # The second missile of 17 January 2022 names its facility another way.
    second = next(i for i, row in enumerate(rows) if "Sunan International Airport" in row) + 1
    rows[second] = rows[second].replace("Sunan International Airport", '"Sunan, Pyongyang"')
    with open(CNS, "rb") as handle:
        whole = launches_import(file=handle, format="cns")
    Launch.objects.all().delete()
    report = launches_import(file=io.BytesIO("".join(rows).encode()), format="cns")
    assert report.written, report.as_text()
    assert report.created == whole.created
    launch = Launch.objects.get(occurred_on=datetime.date(2022, 1, 17))
    assert launch.missile_count == 2
