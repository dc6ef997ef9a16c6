"""The project's chronology and a CNS export of the same 2025 launches, imported in either
order, give the same launches: one per launch event, with the derived facts the seed article
states."""

import csv
import datetime
import re
from html import unescape

import pytest

from editorial.models import Status
from imports.services import launches_import
from timeline.models import Launch

from .paths import LAUNCHES_CSV, TEST_DATA

pytestmark = pytest.mark.django_db

# 11 missile rows, 6 launch events: the ballistic launches of 2025 in the chronology.
CNS_2025 = TEST_DATA / "cns_2025.csv"
FILES = {"chronology": LAUNCHES_CSV, "cns": CNS_2025}


def import_file(format):
    with open(FILES[format], "rb") as handle:
        report = launches_import(file=handle, format=format)
    assert report.written, report.as_text()
    return report


def chronology_days():
    with open(LAUNCHES_CSV, encoding="utf-8", newline="") as handle:
        return sorted(
            datetime.date.fromisoformat(row["date_kst"]) for row in csv.DictReader(handle)
        )


def facts_of(html):
    facts = re.search(r'<p class="facts"\s*>(.*?)</p>', html, re.S).group(1)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", facts)).split())


@pytest.mark.parametrize("order", [("chronology", "cns"), ("cns", "chronology")])
def test_the_chronology_and_a_cns_export_in_either_order_give_the_same_launches(client, order):
    for format in order:
        import_file(format)
    assert sorted(Launch.objects.values_list("occurred_on", flat=True)) == chronology_days()
    assert not Launch.objects.filter(status=Status.DRAFT).exists()
    may_8 = Launch.objects.get(occurred_on=datetime.date(2025, 5, 8))
    assert {m["format"] for m in may_8.import_record["matched"]} == (
        {"cns"} if order[0] == "chronology" else {"salvo-chronology"}
    )

    seed = Launch.objects.with_derived_facts().get(occurred_on=datetime.date(2025, 11, 7))
    assert (seed.category, seed.category_ordinal) == ("ballistic", 6)
    assert seed.previous_same_class_on == datetime.date(2025, 10, 22)
    assert seed.days_since_previous_same_class == 16
    assert facts_of(client.get(seed.get_absolute_url()).content.decode()).startswith(
        "6th ballistic missile launch event of 2025, counted as the JCS counts · 16 days after "
        "the SRBM launch of 22 Oct 2025"
    )


def test_importing_either_file_again_changes_nothing():
    import_file("cns")
    import_file("chronology")
    before = list(Launch.objects.values_list("id", "import_record").order_by("id"))
    claims = Launch.objects.values_list("claims__id", flat=True).count()
    for format in ("cns", "chronology"):
        again = import_file(format)
        assert (again.created, again.updated) == (0, 0)
    assert list(Launch.objects.values_list("id", "import_record").order_by("id")) == before
    assert Launch.objects.values_list("claims__id", flat=True).count() == claims
