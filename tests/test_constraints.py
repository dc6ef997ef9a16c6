"""The database itself refuses bad rows, whatever path they come by (no form involved)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reactions.models import Actor, ActorKind, Speaker, Statement
from timeline.models import Event, Launch, LaunchClaim, Link, Source

from .factories import (
    EventFactory,
    LaunchFactory,
    LinkFactory,
    SourceFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


def refused(create):
    """Run `create` in a savepoint; return True when the database raised IntegrityError."""
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("missile_count", 0),
        ("distance_km", -1),
        ("apogee_km", -0.5),
        ("flight_time_min", -3),
        ("site_latitude", 91),
        ("site_latitude", -90.5),
        ("site_longitude", 180.5),
        ("category", "laser"),
        ("missile_class", "XRBM"),
        ("outcome", "maybe"),
        ("confidence", "rumoured"),
        ("status", "secret"),
        ("launching_state", "kp"),
    ],
)
def test_database_refuses_a_bad_launch(field, value):
    assert refused(lambda: LaunchFactory(**{field: value}))
    assert Launch.objects.count() == 0


def test_database_accepts_the_edges_of_each_range():
    launch = LaunchFactory(
        missile_count=1, distance_km=0, site_latitude=-90, site_longitude=180, apogee_km=0
    )
    assert Launch.objects.get(pk=launch.pk).site_longitude == 180


def test_database_refuses_duplicate_launch_slugs():
    LaunchFactory(slug="2025-11-07-srbm")
    assert refused(lambda: LaunchFactory(slug="2025-11-07-srbm"))


def test_database_refuses_an_event_ending_before_it_starts():
    assert refused(
        lambda: EventFactory(
            start_date=datetime.date(2025, 3, 10), end_date=datetime.date(2025, 3, 9)
        )
    )
    assert Event.objects.count() == 0
    EventFactory(start_date=datetime.date(2025, 3, 10), end_date=datetime.date(2025, 3, 10))


def test_database_refuses_a_second_link_for_the_same_pair():
    link = LinkFactory()
    assert refused(lambda: LinkFactory(launch=link.launch, event=link.event, relation="timed_with"))
    assert Link.objects.count() == 1


def test_database_refuses_a_link_without_rationale():
    assert refused(lambda: LinkFactory(rationale=""))


@pytest.mark.parametrize(("field", "value"), [("value", -1), ("attribute", "colour")])
def test_database_refuses_a_bad_claim(field, value):
    launch = LaunchFactory()
    values = {"launch": launch, "attribute": "distance", "value_text": "~700", "value": 700}
    values[field] = value
    assert refused(lambda: LaunchClaim.objects.create(**values))


def test_database_refuses_a_range_that_runs_backwards():
    launch = LaunchFactory()
    assert refused(
        lambda: LaunchClaim.objects.create(
            launch=launch, attribute="distance", value_text="670-110", value=670, value_max=110
        )
    )


def test_database_refuses_duplicate_source_urls_but_allows_many_without_url():
    SourceFactory(url="https://news.example/a")
    assert refused(lambda: SourceFactory(url="https://news.example/a"))
    Source.objects.create(reference="cns-db", title="CNS")
    Source.objects.create(reference="nagix", title="nagix")
    assert refused(lambda: Source.objects.create(url="", reference=""))


@pytest.mark.parametrize(("field", "value"), [("stance", 3), ("channel", "pigeon"), ("quote", "")])
def test_database_refuses_a_bad_statement(field, value):
    assert refused(lambda: StatementFactory(**{field: value}))
    assert Statement.objects.count() == 0


def test_database_refuses_the_same_quote_twice_from_one_actor_on_one_launch():
    statement = StatementFactory(quote="We condemn this launch.")
    assert refused(
        lambda: StatementFactory(launch=statement.launch, quote="We condemn this launch.")
    )
    russia = Actor.objects.get(code="RU")
    StatementFactory(launch=statement.launch, actor=russia, quote="We condemn this launch.")


def test_database_accepts_a_very_long_quote_and_still_refuses_its_duplicate():
    quote = "A long statement. " * 2000
    statement = StatementFactory(quote=quote)
    assert refused(lambda: StatementFactory(launch=statement.launch, quote=quote))


def test_database_refuses_a_state_actor_without_an_iso_code():
    assert refused(lambda: Actor.objects.create(code="Korea", kind=ActorKind.STATE, name="K"))


def test_database_refuses_two_speakers_of_one_name_for_one_actor():
    us = Actor.objects.get(code="US")
    Speaker.objects.create(actor=us, name="John Kirby")
    assert refused(lambda: Speaker.objects.create(actor=us, name="John Kirby"))


def test_every_iso_state_and_the_reacting_organisations_exist_after_migrate():
    states = Actor.objects.filter(kind=ActorKind.STATE)
    assert states.count() == 249
    assert {"KP", "KR", "US", "RU", "CN", "JP"} <= set(states.values_list("code", flat=True))
    organisations = set(
        Actor.objects.filter(kind=ActorKind.ORGANISATION).values_list("code", flat=True)
    )
    assert {"UN", "UNSC", "EU", "NATO", "G7", "ASEAN", "IAEA", "AFRICANUNION"} <= organisations
    assert str(Actor.objects.get(code="RU")) == "Russia"


def test_a_statement_issued_before_its_launch_is_refused_in_utc():
    # 08:10 KST on 22 Oct is 23:10 UTC on 21 Oct.
    launch = LaunchFactory(
        occurred_on=datetime.date(2025, 10, 22),
        occurred_at=datetime.datetime(2025, 10, 21, 23, 10, tzinfo=datetime.UTC),
    )
    early = StatementFactory.build(
        launch=launch,
        issued_on=datetime.date(2025, 10, 21),
        issued_at=datetime.datetime(2025, 10, 21, 23, 0, tzinfo=datetime.UTC),
        source=SourceFactory(),
    )
    with pytest.raises(ValidationError) as excinfo:
        early.full_clean()
    assert "before the launch" in str(excinfo.value.message_dict["issued_at"])
    on_time = StatementFactory.build(
        launch=launch,
        issued_on=datetime.date(2025, 10, 21),
        issued_at=datetime.datetime(2025, 10, 21, 23, 40, tzinfo=datetime.UTC),
        source=SourceFactory(),
    )
    on_time.full_clean()


def test_a_day_only_statement_on_the_previous_utc_day_is_allowed_for_a_morning_launch():
    launch = LaunchFactory(occurred_on=datetime.date(2025, 10, 28), occurred_at=None)
    statement = StatementFactory.build(
        launch=launch, issued_on=datetime.date(2025, 10, 27), source=SourceFactory()
    )
    statement.full_clean()
    statement.issued_on = datetime.date(2025, 10, 26)
    with pytest.raises(ValidationError, match="before the launch"):
        statement.full_clean()


def test_a_launch_time_on_another_local_day_is_refused():
    launch = LaunchFactory.build(
        occurred_on=datetime.date(2025, 11, 7),
        occurred_at=datetime.datetime(2025, 11, 7, 20, 0, tzinfo=datetime.UTC),  # 8 Nov in KST
    )
    with pytest.raises(ValidationError, match="falls on 2025-11-08 locally"):
        launch.full_clean()


def test_times_are_stored_in_utc_and_day_only_launches_have_no_time():
    exact = LaunchFactory(
        occurred_on=datetime.date(2025, 11, 7),
        occurred_at=datetime.datetime(2025, 11, 7, 3, 35, tzinfo=datetime.UTC),
    )
    day_only = LaunchFactory(occurred_on=datetime.date(2025, 11, 7), occurred_at=None)
    exact.refresh_from_db()
    day_only.refresh_from_db()
    assert exact.occurred_at.utcoffset() == datetime.timedelta(0)
    assert exact.local_time.strftime("%Y-%m-%d %H:%M %Z") == "2025-11-07 12:35 KST"
    assert day_only.occurred_at is None
    assert day_only.local_time is None
    # A day-only launch sorts after the timed launches of its day.
    assert list(Launch.objects.chronological()) == [exact, day_only]
