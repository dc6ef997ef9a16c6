"""Writes with rules for webhooks: subscriptions, the outbox, attempts, the sweep."""

import datetime
import json
import logging
import random
from functools import partial

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from editorial.models import Status

from . import delivery as wire
from .models import Attempt, Delivery, DeliveryStatus, EventType, Subscription, new_secret
from .payloads import payload_for, withdrawal_for

logger = logging.getLogger(__name__)

# What each announced change is called on the wire, by model.
EVENT_TYPES = {
    ("timeline.launch", "published"): EventType.LAUNCH_PUBLISHED,
    ("timeline.launch", "updated"): EventType.LAUNCH_UPDATED,
    ("reactions.statement", "published"): EventType.STATEMENT_PUBLISHED,
    ("reactions.statement", "updated"): EventType.STATEMENT_UPDATED,
    ("timeline.link", "published"): EventType.LINK_CREATED,
    ("timeline.launch", "unpublished"): EventType.LAUNCH_UNPUBLISHED,
    ("reactions.statement", "unpublished"): EventType.STATEMENT_UNPUBLISHED,
    ("timeline.link", "unpublished"): EventType.LINK_UNPUBLISHED,
}
# An attempt's lease outlives its deadline by this much, time to log the outcome: while it
# runs, no other attempt of the same delivery starts.
LEASE_MARGIN = datetime.timedelta(seconds=5)
# A message arriving a little before its due time is still on time.
EARLY_TOLERANCE = datetime.timedelta(seconds=1)
SWEEP_BATCH = 500


def _retry_window():
    return datetime.timedelta(seconds=settings.WEBHOOKS_RETRY_FOR_SECONDS)


class SubscriptionNotFound(Http404):
    """The subscription is not one the user may manage: to them, it does not exist."""


def _owned(subscription, user):
    """`subscription` read again and locked, when `user` may manage it.

    `user=None` is Salvo itself (a task, a command). Raises SubscriptionNotFound otherwise.
    """
    subscriptions = Subscription.objects.select_for_update()
    if user is not None:
        subscriptions = subscriptions.visible_to(user)
    found = subscriptions.filter(pk=subscription.pk).first()
    if found is None:
        raise SubscriptionNotFound(f"No webhook subscription {subscription.pk} of yours.")
    return found


@transaction.atomic
def subscription_create(*, owner, name, target_url, event_types, is_active=True):
    """A validated subscription belonging to `owner` (None: superusers only).

    Its secret is generated; the caller shows it to the owner once.
    """
    subscription = Subscription(
        name=name,
        target_url=target_url,
        event_types=sorted(set(event_types)),
        is_active=is_active,
        owner=owner,
        created_by=owner,
    )
    subscription.full_clean()
    subscription.save()
    return subscription


@transaction.atomic
def subscription_update(*, subscription, user, **fields):
    """Change fields of a subscription `user` may manage, validated; returns it."""
    subscription = _owned(subscription, user)
    if "event_types" in fields:
        fields["event_types"] = sorted(set(fields["event_types"]))
    for name, value in fields.items():
        setattr(subscription, name, value)
    subscription.full_clean()
    subscription.save(update_fields=[*fields, "updated_at"])
    return subscription


@transaction.atomic
def subscription_rotate_secret(*, subscription, user):
    """Give a subscription `user` may manage a new secret; returns it, to be shown once.

    Deliveries signed from now on use the new secret, retries of earlier ones included.
    """
    subscription = _owned(subscription, user)
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret", "updated_at"])
    return subscription


@transaction.atomic
def subscription_delete(*, subscription, user):
    """Delete a subscription `user` may manage, with its deliveries and their attempts."""
    _owned(subscription, user).delete()


@transaction.atomic
def subscription_resume(*, subscription, user):
    """Take a paused subscription back: its waiting deliveries get a fresh day of retries."""
    subscription = _owned(subscription, user)
    now = timezone.now()
    subscription.paused_at, subscription.consecutive_failures = None, 0
    subscription.save(update_fields=["paused_at", "consecutive_failures", "updated_at"])
    waiting = subscription.deliveries.filter(status=DeliveryStatus.PENDING)
    ids = list(waiting.values_list("pk", flat=True))
    waiting.update(next_attempt_at=now, give_up_at=now + _retry_window())
    transaction.on_commit(partial(outbox_send, delivery_ids=ids))
    return subscription


def outbox_write(*, instance, change):
    """Write a pending delivery of `instance` for each subscription that wants this change.

    Called inside the transaction that made the change, so the deliveries commit or roll
    back with it, and their payload is the record as that transaction left it: a later
    edit, even of a record taken back to draft, never reaches them. A withdrawal carries
    only what identified the record while it was public. Returns the deliveries.
    """
    label = instance._meta.label_lower
    event_type = EVENT_TYPES.get((label, change))
    if event_type is None or (change != "unpublished" and not _readers_see(instance)):
        return []
    subscriptions = [s for s in Subscription.objects.filter(is_active=True) if s.wants(event_type)]
    if not subscriptions:
        return []
    now = timezone.now()
    data = withdrawal_for(instance) if change == "unpublished" else payload_for(instance)
    deliveries = []
    for subscription in subscriptions:
        delivery = Delivery(
            subscription=subscription,
            event_type=event_type,
            record_type=label,
            record_id=instance.pk,
            next_attempt_at=now,
            give_up_at=now + _retry_window(),
            payload_frozen=change == "unpublished",
        )
        delivery.payload = {
            "id": str(delivery.idempotency_key),
            "type": event_type,
            "created_at": now.isoformat(),
            "data": data,
        }
        deliveries.append(delivery)
    Delivery.objects.bulk_create(deliveries)
    transaction.on_commit(partial(_outbox_committed, delivery_ids=[d.pk for d in deliveries]))
    return deliveries


def _readers_see(instance):
    """Whether readers see the record: a statement published on a draft launch, or a link
    to a draft event, is announced when readers can see it, not before."""
    return type(instance)._default_manager.for_api().filter(pk=instance.pk).exists()


def _outbox_committed(*, delivery_ids):
    outbox_seal(delivery_ids=delivery_ids)
    outbox_send(delivery_ids=delivery_ids)


def outbox_seal(*, delivery_ids):
    """Complete and freeze the payloads of deliveries whose transaction just committed.

    The services announce a record before they finish writing it (a statement's themes, a
    launch's sources and claims come after), so the payload is read again once the
    transaction committed, with the record locked, and only if it is still published;
    otherwise the payload stays as written. Either way it never changes after this.
    Never raises: the publish already succeeded. Returns how many were completed.
    """
    completed = 0
    try:
        with transaction.atomic():
            unsealed = Delivery.objects.select_for_update().filter(
                pk__in=delivery_ids, payload_frozen=False
            )
            by_record = {}
            for delivery in unsealed:
                by_record.setdefault((delivery.record_type, delivery.record_id), []).append(
                    delivery
                )
            for (record_type, record_id), deliveries in by_record.items():
                model = apps.get_model(record_type)
                # Locked, so it cannot be withdrawn between this check and the read.
                record = (
                    model._default_manager.select_for_update(skip_locked=True)
                    .filter(pk=record_id, status=Status.PUBLISHED)
                    .first()
                )
                data = payload_for(record) if record is not None else None
                for delivery in deliveries:
                    if data is not None:
                        delivery.payload = {**delivery.payload, "data": data}
                        completed += 1
                    delivery.payload_frozen = True
            Delivery.objects.bulk_update(
                [d for ds in by_record.values() for d in ds], ["payload", "payload_frozen"]
            )
    except Exception:
        logger.warning("Webhook payloads left as written in the transaction.", exc_info=True)
    return completed


def outbox_send(*, delivery_ids):
    """Hand deliveries to the broker; what it does not take stays for the sweep.

    Never raises: it runs after the publishing transaction committed, and a broker outage
    must not turn a successful publish into an error. Returns how many were handed over.
    """
    from .tasks import deliver

    sent = []
    for delivery_id in delivery_ids:
        try:
            deliver.delay(delivery_id)
        except Exception:
            logger.warning(
                "Broker unavailable: %d deliveries wait for the sweep.",
                len(delivery_ids) - len(sent),
                exc_info=True,
            )
            break
        sent.append(delivery_id)
    if sent:
        Delivery.objects.filter(pk__in=sent).update(queued_at=timezone.now())
    return len(sent)


def outbox_sweep():
    """Hand to the broker again the pending deliveries it never took or seems to have lost.

    Never queued: the broker was down when they were written. Lost: overdue by more than
    WEBHOOKS_SWEEP_GRACE_SECONDS with no attempt under way (a restarted broker, a killed
    worker). A duplicate message is harmless. Returns how many were handed over.
    """
    now = timezone.now()
    grace = now - datetime.timedelta(seconds=settings.WEBHOOKS_SWEEP_GRACE_SECONDS)
    overdue = Q(next_attempt_at__lte=grace, queued_at__lte=grace) & (
        Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    )
    ids = list(
        Delivery.objects.filter(
            Q(queued_at__isnull=True) | overdue,
            status=DeliveryStatus.PENDING,
            subscription__is_active=True,
            subscription__paused_at__isnull=True,
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return outbox_send(delivery_ids=ids) if ids else 0


@transaction.atomic
def delivery_redeliver(*, delivery, user):
    """Send a delivery again, whatever became of it: the same key, a fresh day of retries.

    Only to a subscription `user` may manage (None: Salvo itself).
    """
    _owned(delivery.subscription, user)
    now = timezone.now()
    delivery.status, delivery.delivered_at = DeliveryStatus.PENDING, None
    delivery.next_attempt_at, delivery.give_up_at = now, now + _retry_window()
    delivery.save(update_fields=["status", "delivered_at", "next_attempt_at", "give_up_at"])
    transaction.on_commit(partial(outbox_send, delivery_ids=[delivery.pk]))
    return delivery


def retry_delay(attempt_count):
    """Seconds before the next attempt: doubling from the base, capped, with jitter.

    Half the delay is fixed and half random, so receivers that come back are not hit by
    every sender at once.
    """
    base = settings.WEBHOOKS_RETRY_BASE_SECONDS
    ceiling = min(settings.WEBHOOKS_RETRY_MAX_SECONDS, base * 2 ** min(attempt_count - 1, 30))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def delivery_attempt(*, delivery_id):
    """Make the attempt that is due for a delivery, and log it as an Attempt.

    Returns the seconds until the next attempt when this one failed and another is due,
    else None. A delivery already delivered, not due yet, paused, or being attempted by
    another worker is left alone, so a duplicate message does nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        subscription = delivery.subscription
        busy = delivery.locked_until is not None and delivery.locked_until > now
        if (
            busy
            or delivery.next_attempt_at > now + EARLY_TOLERANCE
            or not subscription.is_active
            or subscription.paused_at is not None
        ):
            return None
        if now >= delivery.give_up_at:
            delivery.status = DeliveryStatus.FAILED
            delivery.save(update_fields=["status"])
            return None
        delivery.attempts.filter(finished_at__isnull=True).update(
            finished_at=now, error="Interrupted: the worker was lost during the attempt."
        )
        # Unsealed only when its transaction's follow-up never ran: it is sent as written.
        delivery.payload_frozen = True
        delivery.attempt_count += 1
        timeout = datetime.timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS)
        delivery.locked_until = now + timeout + LEASE_MARGIN
        delivery.save(update_fields=["payload_frozen", "attempt_count", "locked_until"])
        attempt = Attempt.objects.create(
            delivery=delivery, number=delivery.attempt_count, started_at=now
        )
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    # The wire's deadline comes from the lease, so the attempt ends before the lease does.
    seconds = (delivery.locked_until - LEASE_MARGIN - timezone.now()).total_seconds()
    response = wire.post(
        timeout=seconds,
        url=subscription.target_url,
        secret=subscription.secret,
        body=body,
        event_type=delivery.event_type,
        idempotency_key=str(delivery.idempotency_key),
    )
    return _record_attempt(delivery, attempt, response)


@transaction.atomic
def _record_attempt(delivery, attempt, response):
    finished = timezone.now()
    attempt.finished_at, attempt.duration_ms = finished, response.duration_ms
    attempt.status_code, attempt.succeeded = response.status_code, response.ok
    attempt.response_excerpt, attempt.error = response.excerpt, response.error
    attempt.save()
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.attempt_count != attempt.number:
        return None  # this attempt outlived its lease and a later one took over: it decides
    delivery.locked_until = None
    subscriptions = Subscription.objects.filter(pk=delivery.subscription_id)
    if response.ok:
        delivery.status, delivery.delivered_at = DeliveryStatus.SUCCEEDED, finished
        delivery.save(update_fields=["status", "delivered_at", "locked_until"])
        subscriptions.exclude(consecutive_failures=0).update(consecutive_failures=0)
        return None
    subscriptions.update(consecutive_failures=F("consecutive_failures") + 1)
    paused = subscriptions.filter(
        paused_at__isnull=True,
        consecutive_failures__gte=settings.WEBHOOKS_PAUSE_AFTER_FAILURES,
    ).update(paused_at=finished)
    if paused:
        logger.warning(
            "Webhook subscription %s paused after repeated failures.", delivery.subscription_id
        )
    delay = retry_delay(delivery.attempt_count)
    next_attempt_at = finished + datetime.timedelta(seconds=delay)
    if next_attempt_at > delivery.give_up_at:
        delivery.status = DeliveryStatus.FAILED
        delivery.save(update_fields=["status", "locked_until"])
        return None
    delivery.next_attempt_at = next_attempt_at
    delivery.save(update_fields=["next_attempt_at", "locked_until"])
    return None if paused else delay
