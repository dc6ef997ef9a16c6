"""Facts derived in the database: ordinals, the previous launch of a class, days between."""

import datetime
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from editorial.models import Status
from editorial.services import record_delete, record_transition
from timeline.models import Launch, LaunchFacts
from timeline.models.facts import FACTS, computed
from timeline.services import launch_create, launch_update

from .factories import LaunchFactory

pytestmark = pytest.mark.django_db


def derived(external_id):
    return Launch.objects.with_derived_facts().get(external_id=external_id)


def test_the_seed_articles_own_claims_come_out_of_the_data(chronology):
    launch = derived("L2025-011")
    # "the sixth ballistic missile launch this year"
    assert (launch.category, launch.category_ordinal) == ("ballistic", 6)
    # "the second short-range ballistic missile test since October 22"
    assert launch.missile_class == "SRBM"
    assert launch.previous_same_class_on == datetime.date(2025, 10, 22)
    assert launch.days_since_previous_same_class == 16
    # The cruise missiles of 28 October came in between.
    assert launch.previous_on == datetime.date(2025, 10, 28)
    assert launch.days_since_previous == 10
    assert launch.previous_slug == derived("L2025-010").slug


def test_ordinals_restart_each_year_and_count_each_category_apart(chronology):
    firsts = Launch.objects.with_derived_facts().filter(
        category="ballistic", occurred_on__year=2025
    )
    assert [launch.category_ordinal for launch in firsts] == [1, 2, 3, 4, 5, 6]
    cruise = Launch.objects.with_derived_facts().filter(category="cruise", occurred_on__year=2025)
    assert [launch.category_ordinal for launch in cruise] == [1, 2, 3, 4, 5, 6]
    assert derived("L2022-001").category_ordinal == 1
    assert derived("L2022-001").previous_on is None


def test_a_filtered_list_still_counts_against_the_whole_record(chronology):
    only_seed = Launch.objects.with_derived_facts().filter(occurred_on="2025-11-07")
    assert [(launch.category_ordinal, launch.previous_same_class_on) for launch in only_seed] == [
        (6, datetime.date(2025, 10, 22))
    ]


def test_launches_of_one_day_are_ordered_by_time_with_day_only_ones_last(chronology):
    day = Launch.objects.with_derived_facts().filter(occurred_on="2022-11-02").chronological()
    assert [(launch.external_id, launch.category_ordinal) for launch in day] == [
        ("L2022-032", 27),
        ("L2022-033", 28),
        ("L2022-031", 1),  # the day-only "mixed" salvo, the year's first mixed launch
    ]


def test_drafts_do_not_count():
    first = LaunchFactory(occurred_on=datetime.date(2025, 1, 1))
    LaunchFactory(occurred_on=datetime.date(2025, 1, 2), status=Status.DRAFT)
    third = LaunchFactory(occurred_on=datetime.date(2025, 1, 3))
    third = Launch.objects.with_derived_facts().get(pk=third.pk)
    assert third.category_ordinal == 2
    assert third.previous_on == first.occurred_on


def launches_in_2020(first, count):
    start = datetime.date(2020, 1, 1)
    for day in range(first, first + count):
        LaunchFactory(occurred_on=start + datetime.timedelta(days=day))


def test_derived_facts_cost_one_query_whatever_the_number_of_launches():
    launches_in_2020(0, 5)
    with CaptureQueriesContext(connection) as few:
        facts_few = [
            (x.category_ordinal, x.previous_on) for x in Launch.objects.with_derived_facts()
        ]
    launches_in_2020(5, 120)
    with CaptureQueriesContext(connection) as many:
        facts_many = [
            (x.category_ordinal, x.previous_on) for x in Launch.objects.with_derived_facts()
        ]
    assert len(few) == len(many) == 1
    assert len(facts_few) == 5
    assert [ordinal for ordinal, _ in facts_many] == list(range(1, 126))


def stored_and_counted():
    """Each launch's facts as stored, and as counted afresh from the launches."""
    stored = Launch.objects.with_derived_facts().values_list("pk", *FACTS)
    counted = computed(Launch.objects.all()).values_list("pk", *FACTS)
    return (
        {pk: facts for pk, *facts in stored},
        {pk: facts for pk, *facts in counted},
    )


def assert_stored_facts_are_current():
    stored, counted = stored_and_counted()
    assert stored == counted


def test_the_stored_facts_follow_each_change_made_through_the_services(chronology):
    seed = Launch.objects.get(external_id="L2025-011")
    ballistic_2025 = Launch.objects.published().filter(category="ballistic", occurred_on__year=2025)
    first = ballistic_2025.chronological().first()
    assert_stored_facts_are_current()

    record_transition(instance=first, status=Status.DRAFT)
    assert derived("L2025-011").category_ordinal == 5
    assert_stored_facts_are_current()

    record_transition(instance=first, status=Status.PUBLISHED)
    assert derived("L2025-011").category_ordinal == 6

    # Moved into the year before: it leaves 2025's count and joins 2024's.
    launch_update(launch=first, occurred_on=datetime.date(2024, 12, 31), occurred_at=None)
    assert derived("L2025-011").category_ordinal == 5
    assert_stored_facts_are_current()

    # The launch before the seed's takes another class and another address.
    before = Launch.objects.get(slug=derived("L2025-011").previous_slug)
    launch_update(launch=before, missile_class="SRBM", slug="renamed-launch")
    seed = derived("L2025-011")
    assert seed.previous_slug == "renamed-launch"
    assert seed.previous_same_class_on == before.occurred_on
    assert_stored_facts_are_current()

    record_delete(instance=Launch.objects.get(slug="renamed-launch"))
    assert derived("L2025-011").previous_on == datetime.date(2025, 10, 22)
    assert_stored_facts_are_current()

    between = launch_create(
        status=Status.PUBLISHED,
        occurred_on=datetime.date(2025, 11, 1),
        category="ballistic",
        missile_class="SRBM",
        launching_state="KP",
    )
    seed = derived("L2025-011")
    assert (seed.category_ordinal, seed.previous_slug) == (6, between.slug)
    assert Launch.objects.with_derived_facts().get(pk=between.pk).category_ordinal == 5
    assert_stored_facts_are_current()


def test_a_draft_is_given_the_place_it_would_take(chronology):
    draft = launch_create(
        occurred_on=datetime.date(2025, 11, 8), category="ballistic", missile_class="SRBM"
    )
    facts = Launch.objects.with_derived_facts().get(pk=draft.pk)
    assert (facts.category_ordinal, facts.previous_same_class_on) == (
        7,
        datetime.date(2025, 11, 7),
    )
    assert_stored_facts_are_current()


def test_a_change_that_places_nothing_differently_leaves_the_facts_alone(chronology):
    launch = Launch.objects.get(external_id="L2025-011")
    with CaptureQueriesContext(connection) as queries:
        launch_update(launch=launch, missile_name="Hwasong-11 (as reported)")
    facts = ('FROM "timeline_launchfacts"', 'INTO "timeline_launchfacts"', "pg_advisory")
    assert not [q["sql"] for q in queries if any(part in q["sql"] for part in facts)]


def test_bulk_writes_are_brought_up_to_date_by_a_refresh(chronology):
    start = datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC)
    Launch.objects.bulk_create(
        Launch(
            slug=f"bulk-{n}",
            occurred_on=(start + datetime.timedelta(days=n)).date(),
            sort_at=start + datetime.timedelta(days=n),
            status=Status.PUBLISHED,
        )
        for n in range(3)
    )
    stored, counted = stored_and_counted()
    assert stored != counted  # bulk_create() does not go through Launch.save()
    assert LaunchFacts.objects.refresh() > 3  # the chronology's first launches follow them
    assert_stored_facts_are_current()
    assert LaunchFacts.objects.refresh() == 0


def test_the_command_reports_and_stores_facts_left_out_of_date(chronology):
    seed = Launch.objects.get(external_id="L2025-011")
    LaunchFacts.objects.filter(launch=seed).update(category_ordinal=99)
    with pytest.raises(
        CommandError, match=f"1 launches' stored facts are out of date: {seed.slug}"
    ):
        call_command("refresh_launch_facts", "--check")
    out = io.StringIO()
    call_command("refresh_launch_facts", stdout=out)
    assert out.getvalue().strip() == "1 launches' facts stored"
    call_command("refresh_launch_facts", "--check", stdout=out)
    assert derived("L2025-011").category_ordinal == 6


@pytest.mark.django_db(transaction=True)
def test_two_launches_placed_at_once_each_count_the_other():
    """The second writer waits for the first to commit before it counts: without that, each
    would count the record without the other's launch."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    LaunchFactory(occurred_on=datetime.date(2025, 1, 1), category="ballistic")
    first_saved, first_may_commit = threading.Event(), threading.Event()
    errors = []

    def place(day, *, hold=False):
        try:
            with transaction.atomic():
                LaunchFactory(occurred_on=day, category="ballistic")
                if hold:
                    first_saved.set()
                    first_may_commit.wait(10)
        except Exception as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=place, args=(datetime.date(2025, 1, 2),), kwargs={"hold": True})
    first.start()
    assert first_saved.wait(10)
    second = threading.Thread(target=place, args=(datetime.date(2025, 1, 3),))
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the first to commit
    first_may_commit.set()
    first.join(10)
    second.join(10)
    assert not errors
    ordinals = Launch.objects.with_derived_facts().chronological()
    assert [launch.category_ordinal for launch in ordinals] == [1, 2, 3]
    assert_stored_facts_are_current()
