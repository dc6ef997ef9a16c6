"""What a webhook says: what was published, as it was published, and nothing readers cannot see."""

import json

import pytest
from django.utils import timezone

from editorial.models import Status
from editorial.services import record_transition
from reactions.services import statement_upsert
from timeline.services import launch_update, link_create
from webhooks import services
from webhooks.models import Delivery, EventType, Subscription

from . import test_webhooks
from .factories import EventFactory, LaunchFactory, SourceFactory, SpeakerFactory, StatementFactory
from .test_webhooks import subscribe

# The fixtures of the webhook tests, shared.
receiver, loopback_allowed, us = (
    test_webhooks.receiver,
    test_webhooks.loopback_allowed,
    test_webhooks.us,
)


def bodies(endpoint):
    return [json.loads(body) for _, _, body in endpoint.requests]


@pytest.mark.django_db(transaction=True)
def test_a_statement_published_on_a_draft_launch_is_not_announced(
    receiver,
    loopback_allowed,
    us,
):
    endpoint = receiver()
    subscribe(endpoint.url, EventType.STATEMENT_PUBLISHED)
    launch = LaunchFactory(status=Status.DRAFT, slug="2026-12-01-secret-icbm-test")
    statement = StatementFactory(launch=launch, status=Status.DRAFT)

    record_transition(instance=statement, status=Status.PUBLISHED)

    # Readers cannot see a statement on a draft launch: nothing of it goes outside.
    assert endpoint.requests == []
    assert not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_link_published_to_a_draft_event_is_not_announced(
    receiver,
    loopback_allowed,
    us,
):
    endpoint = receiver()
    subscribe(endpoint.url, EventType.LINK_CREATED)
    launch = LaunchFactory(slug="2026-12-01-srbm")
    event = EventFactory(
        status=Status.DRAFT, slug="2026-11-30-secret-summit", title="Secret summit"
    )

    link = link_create(
        launch=launch,
        event=event,
        relation="response_to",
        rationale="Reported as a response.",
        source=SourceFactory(),
        status=Status.PUBLISHED,
    )

    assert link.status == Status.PUBLISHED
    assert endpoint.requests == []
    assert not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_delivery_sends_what_was_published_even_after_the_record_went_back_to_draft(
    receiver,
    loopback_allowed,
    us,
):
    endpoint = receiver()
    subscription = subscribe(endpoint.url, EventType.LAUNCH_PUBLISHED)
    launch = LaunchFactory(status=Status.DRAFT, summary="Two SRBMs towards the East Sea.")
    # Paused: the delivery is written when the launch is published, and waits.
    Subscription.objects.update(paused_at=timezone.now())
    record_transition(instance=launch, status=Status.PUBLISHED)
    record_transition(instance=launch, status=Status.DRAFT)
    launch_update(launch=launch, summary="DRAFT: unconfirmed ICBM, do not publish")
    Subscription.objects.update(paused_at=None)

    delivery = Delivery.objects.get(subscription=subscription, event_type="launch.published")
    services.delivery_attempt(delivery_id=delivery.pk)

    [payload] = bodies(endpoint)
    assert payload["type"] == "launch.published"
    assert payload["data"]["summary"] == "Two SRBMs towards the East Sea."
    assert payload["data"]["status"] == "published"
    assert b"DRAFT" not in endpoint.requests[0][2]


@pytest.mark.django_db
def test_a_delivery_the_broker_never_took_sends_the_record_as_it_was_published(
    receiver,
    loopback_allowed,
    us,
    django_capture_on_commit_callbacks,
):
    endpoint = receiver()
    subscribe(endpoint.url, EventType.LAUNCH_PUBLISHED)
    launch = LaunchFactory(status=Status.DRAFT, summary="Two SRBMs towards the East Sea.")
    with django_capture_on_commit_callbacks(execute=False):  # as if the broker was down
        record_transition(instance=launch, status=Status.PUBLISHED)
        record_transition(instance=launch, status=Status.DRAFT)
        launch_update(launch=launch, summary="DRAFT: unconfirmed ICBM, do not publish")

    assert services.outbox_sweep() == 2

    published, withdrawn = sorted(bodies(endpoint), key=lambda payload: payload["type"])
    assert published["type"] == "launch.published"
    assert published["data"]["summary"] == "Two SRBMs towards the East Sea."
    assert withdrawn["data"] == {"id": launch.pk, "slug": launch.slug}


@pytest.mark.django_db(transaction=True)
def test_returning_a_launch_to_draft_sends_a_withdrawal_with_its_id_and_slug_only(
    receiver,
    loopback_allowed,
    us,
):
    endpoint = receiver()
    subscribe(endpoint.url, EventType.LAUNCH_PUBLISHED)
    launch = LaunchFactory(status=Status.DRAFT, slug="2026-12-01-srbm")
    record_transition(instance=launch, status=Status.PUBLISHED)

    record_transition(instance=launch, status=Status.DRAFT)

    published, withdrawn = bodies(endpoint)
    assert published["type"] == "launch.published"
    delivery = Delivery.objects.get(event_type="launch.unpublished")
    assert withdrawn == {
        "id": str(delivery.idempotency_key),
        "type": "launch.unpublished",
        "created_at": withdrawn["created_at"],
        "data": {"id": launch.pk, "slug": "2026-12-01-srbm"},
    }


@pytest.mark.django_db(transaction=True)
def test_withdrawing_a_statement_or_a_link_sends_only_its_id(
    receiver,
    loopback_allowed,
    us,
):
    endpoint = receiver()
    subscribe(endpoint.url, EventType.STATEMENT_PUBLISHED, EventType.LINK_CREATED)
    statement = StatementFactory(status=Status.PUBLISHED)
    record_transition(instance=statement, status=Status.REVIEW)

    [withdrawn] = bodies(endpoint)
    assert (withdrawn["type"], withdrawn["data"]) == (
        "statement.unpublished",
        {"id": statement.pk},
    )


@pytest.mark.django_db(transaction=True)
def test_the_speaker_name_is_null_without_a_speaker(receiver, loopback_allowed, us):
    endpoint = receiver()
    subscribe(endpoint.url, EventType.STATEMENT_PUBLISHED)
    speaker = SpeakerFactory(name="Karine Jean-Pierre", role="Press secretary")
    for speaker_or_none in (None, speaker):
        statement = StatementFactory(status=Status.DRAFT, speaker=speaker_or_none)
        record_transition(instance=statement, status=Status.PUBLISHED)

    without, with_speaker = (payload["data"] for payload in bodies(endpoint))
    assert (without["speaker"], without["speaker_name"]) == (None, None)
    assert (with_speaker["speaker"], with_speaker["speaker_name"]) == (
        speaker.pk,
        str(speaker),
    )


@pytest.mark.django_db(transaction=True)
def test_what_the_publishing_transaction_adds_after_the_announcement_is_sent(
    receiver,
    loopback_allowed,
    us,
):
    endpoint = receiver()
    subscribe(endpoint.url, EventType.STATEMENT_PUBLISHED)
    launch = LaunchFactory()

    statement, _ = statement_upsert(  # saved published first, its themes set after
        launch=launch,
        actor=us,
        quote="We call for dialogue.",
        themes=["Calls for dialogue"],
        issued_on=launch.occurred_on,
        stance=0,
        source=SourceFactory(),
        status=Status.PUBLISHED,
    )

    [payload] = bodies(endpoint)
    assert payload["data"]["id"] == statement.pk
    assert payload["data"]["themes"] == ["calls-for-dialogue"]
