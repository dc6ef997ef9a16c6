"""Files imported in the background, and the report of what each import did."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.text import NO_NUL


class ImportKind(models.TextChoices):
    LAUNCHES = "launches", "Launches (Salvo chronology CSV)"
    LAUNCHES_CNS = "launches_cns", "Launches (CNS missile test database CSV)"
    EVENTS = "events", "Context events (Salvo events CSV)"
    STATEMENTS = "statements", "Statements (Salvo statements CSV)"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """An uploaded file imported in the background, with the report of what it did."""

    kind = models.CharField(max_length=20, choices=ImportKind)
    filename = models.CharField(max_length=255)
    content = models.TextField(
        validators=NO_NUL, help_text="The uploaded file, kept so the job can be rerun."
    )
    skip_invalid = models.BooleanField(
        default=False, help_text="Write the valid rows and report the refused ones."
    )
    status = models.CharField(max_length=10, choices=ImportStatus, default=ImportStatus.QUEUED)
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="Rows of the file to write, once it has been read."
    )
    rows_done = models.PositiveIntegerField(default=0, help_text="Rows written so far.")

    class Meta:
        # The table keeps the name it had when import jobs belonged to the timeline app.
        db_table = "timeline_importjob"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"])]
        permissions = [("view_all_importjobs", "Can view import jobs of every user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ImportKind.values), name="import_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="import_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.filename}"

    def get_absolute_url(self):
        return reverse("admin:imports_importjob_change", args=[self.pk])

    @property
    def percent(self):
        """How far the job is, 0-100; None before the file has been read."""
        if self.status == ImportStatus.DONE:
            return 100
        if not self.rows_total:
            return None
        return min(100, 100 * self.rows_done // self.rows_total)
