"""Trigger suggestions: events an analyst may link to a launch."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .events import Event, Link
from .launches import Launch


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Awaiting review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class TriggerSuggestion(models.Model):
    """An event proposed as a possible trigger of a launch; nothing until an analyst accepts."""

    launch = models.ForeignKey(Launch, on_delete=models.CASCADE, related_name="suggestions")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="suggestions")
    rank = models.PositiveSmallIntegerField(help_text="1 is the strongest candidate.")
    score = models.FloatField(help_text="Kind weight times proximity, between 0 and 1.")
    days_before = models.IntegerField(
        help_text="Days from the event's start to the launch; 0 for an event under way."
    )
    under_way = models.BooleanField(
        default=False, help_text="The event had started and not ended on the launch day."
    )
    reason = models.CharField(max_length=300, help_text="Why it was proposed, in one line.")
    status = models.CharField(
        max_length=10, choices=SuggestionStatus, default=SuggestionStatus.PENDING
    )
    link = models.ForeignKey(
        Link,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The draft link created when the suggestion was accepted.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Kept so that restoring a deleted launch brings back the decisions taken on it.
    history = HistoricalRecords()

    class Meta:
        ordering = ["launch", "rank", "id"]
        indexes = [
            models.Index(fields=["launch", "rank", "id"]),
            models.Index(fields=["status", "launch"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["launch", "event"], name="suggestion_one_per_pair"),
            models.CheckConstraint(
                condition=Q(status__in=SuggestionStatus.values), name="suggestion_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=1), name="suggestion_score_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.event.title} → {self.launch}?"

    def get_absolute_url(self):
        return reverse("admin:timeline_triggersuggestion_change", args=[self.pk])
