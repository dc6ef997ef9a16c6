"""Subscriptions of external tools, and the outbox of deliveries to them."""

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.text import TEXT


class EventType(models.TextChoices):
    LAUNCH_PUBLISHED = "launch.published", "A launch was published"
    LAUNCH_UPDATED = "launch.updated", "A published launch changed"
    LAUNCH_UNPUBLISHED = "launch.unpublished", "A published launch was withdrawn"
    STATEMENT_PUBLISHED = "statement.published", "A statement was published"
    STATEMENT_UPDATED = "statement.updated", "A published statement changed"
    STATEMENT_UNPUBLISHED = "statement.unpublished", "A published statement was withdrawn"
    LINK_CREATED = "link.created", "A link between a launch and an event was published"
    LINK_UNPUBLISHED = "link.unpublished", "A published link was withdrawn"


def withdrawal_of(event_type):
    """The withdrawal event of the kind of record `event_type` announces: launch.unpublished."""
    return f"{event_type.split('.')[0]}.unpublished"


def new_secret():
    return secrets.token_urlsafe(32)


class SubscriptionQuerySet(models.QuerySet):
    def receiving(self):
        """Subscriptions that deliveries may be sent to now: active and not paused."""
        return self.filter(is_active=True, paused_at__isnull=True)

    def visible_to(self, user):
        """The subscriptions `user` may see and manage: their own, or every one for a superuser.

        A subscription without an owner (made before subscriptions had one) is a superuser's
        alone.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self if user.is_superuser else self.filter(owner=user)


class Subscription(models.Model):
    """An external tool's endpoint and the events it wants, signed with its own secret."""

    name = models.CharField(
        validators=TEXT, max_length=200, help_text="Who receives it, for the admin list."
    )
    target_url = models.URLField(
        validators=TEXT,
        max_length=1000,
        help_text="The HTTPS endpoint the events are POSTed to. Private, loopback and other "
        "non-public addresses are refused.",
    )
    secret = models.CharField(
        max_length=200,
        default=new_secret,
        editable=False,
        help_text="Shared with the receiver, which checks the Salvo-Signature header with it. "
        "Shown once, when it is made or rotated.",
    )
    event_types = models.JSONField(
        default=list, help_text="The events to send: launch.published, statement.updated, …"
    )
    is_active = models.BooleanField(
        default=True, help_text="Untick to stop sending without deleting the subscription."
    )
    paused_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set when repeated failures paused it; resume it from the admin or the API.",
    )
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="webhook_subscriptions",
        help_text="The account it belongs to: only it, and superusers, may see or change it. "
        "Empty: a superuser's alone.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("admin:webhooks_subscription_change", args=[self.pk])

    def clean(self):
        unknown = [t for t in self.event_types or [] if t not in EventType.values]
        if not isinstance(self.event_types, list) or unknown or not self.event_types:
            raise ValidationError(
                {"event_types": f"Choose one or more of: {', '.join(EventType.values)}."}
            )
        if self.target_url:
            from .delivery import TargetRefused, check_target

            try:
                check_target(self.target_url)
            except TargetRefused as exc:
                raise ValidationError({"target_url": str(exc)}) from exc

    def wants(self, event_type):
        """True for the events it subscribed to, and for the withdrawal of what they announce.

        Whoever was told a record was published is told when it is withdrawn.
        """
        return event_type in self.event_types or any(
            withdrawal_of(wanted) == event_type for wanted in self.event_types
        )


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Gave up"


class Delivery(models.Model):
    """One event for one subscription: written with the change, sent until it succeeds."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=40, choices=EventType)
    idempotency_key = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Sent with every attempt; receivers process each key once.",
    )
    record_type = models.CharField(max_length=60, help_text="The record's model, app.model.")
    record_id = models.PositiveBigIntegerField()
    payload = models.JSONField(help_text="The event as sent: its type, time and the record.")
    payload_frozen = models.BooleanField(
        default=False,
        editable=False,
        help_text="Set once the publishing transaction committed; the body never changes after.",
    )
    status = models.CharField(max_length=10, choices=DeliveryStatus, default=DeliveryStatus.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(help_text="When the next attempt is due.")
    give_up_at = models.DateTimeField(help_text="No attempt is made after this.")
    queued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it was last handed to the broker; empty means never, for the sweep.",
    )
    locked_until = models.DateTimeField(
        null=True, blank=True, help_text="An attempt is in progress until then."
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"]),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="delivery_pending_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(event_type__in=EventType.values), name="delivery_event_type_valid"
            ),
        ]

    def __str__(self):
        return f"{self.event_type} {self.record_type}#{self.record_id} → {self.subscription}"

    def get_absolute_url(self):
        return reverse("admin:webhooks_delivery_change", args=[self.pk])


class Attempt(models.Model):
    """One HTTP attempt at a delivery, with what the receiver answered."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True, help_text="The first kilobyte of the answer.")
    error = models.TextField(blank=True, help_text="Why it failed, when it did.")
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number", "id"]
        indexes = [models.Index(fields=["delivery", "number", "id"])]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="attempt_number_unique"),
        ]

    def __str__(self):
        outcome = self.status_code or self.error or "in progress"
        return f"attempt {self.number}: {outcome}"

    def get_absolute_url(self):
        return self.delivery.get_absolute_url()
