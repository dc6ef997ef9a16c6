"""Admin for import jobs: upload a file, follow its progress, download the refused rows."""

import csv
import io

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from core.csv import csv_response

from .models import ImportJob, ImportStatus
from .readers.base import FileRefused, table_text
from .services import import_job_create


class ImportUploadForm(forms.ModelForm):
    upload = forms.FileField(
        help_text="A UTF-8 CSV file, or an .xlsx workbook (its Missile Tests sheet, else "
        "the first), in the format chosen above."
    )

    class Meta:
        model = ImportJob
        fields = ["kind", "skip_invalid"]

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        try:
            # A workbook is kept as the CSV text its first sheet reads as.
            self.cleaned_data["content"] = table_text(upload.read()).lstrip("\ufeff")
        except FileRefused as exc:
            raise forms.ValidationError(f"The file cannot be read: {exc}.") from exc
        if "\x00" in self.cleaned_data["content"]:
            raise forms.ValidationError(
                "The file contains null characters (NUL bytes): it is not a text file."
            )
        return upload


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "progress", "created_by", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["created_by"]
    readonly_fields = [
        "kind",
        "filename",
        "skip_invalid",
        "status",
        "progress",
        "outcome",
        "refused_rows",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        """The jobs the user created, or every job for those who may see all of them."""
        jobs = super().get_queryset(request)
        if request.user.has_perm("imports.view_all_importjobs"):
            return jobs
        return jobs.filter(created_by=request.user)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ImportUploadForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["kind", "upload", "skip_invalid"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # a job is a record of what happened; upload the file again instead

    def save_model(self, request, obj, form, change):
        job = import_job_create(
            kind=obj.kind,
            filename=form.cleaned_data["upload"].name,
            content=form.cleaned_data["content"],
            skip_invalid=obj.skip_invalid,
            user=request.user,
        )
        obj.pk, obj.filename = job.pk, job.filename

    @admin.display(description="Progress")
    def progress(self, job):
        if job.percent is None:
            return "waiting" if job.status == ImportStatus.QUEUED else "reading the file"
        return format_html(
            '<progress max="100" value="{}"></progress> {} % ({} of {} rows)',
            job.percent,
            job.percent,
            job.rows_done,
            job.rows_total,
        )

    @admin.display(description="Report")
    def outcome(self, job):
        report = job.report
        if not report:
            return "—"
        return (
            f"{report['created']} created, {report['updated']} updated, "
            f"{report['unchanged']} unchanged, {len(report['refused'])} refused; "
            f"{len(report['kept_as_text'])} cells kept as text"
            + (f"; {report['links_created']} links created" if report["links_created"] else "")
            + ("" if report["written"] else ". Nothing was written.")
        )

    @admin.display(description="Refused rows")
    def refused_rows(self, job):
        count = len(job.report.get("refused", []))
        if not count:
            return "none"
        url = reverse("admin:imports_importjob_refused", args=[job.pk])
        return format_html('<a href="{}">{} refused rows (CSV)</a>', url, count)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/refused.csv",
                self.admin_site.admin_view(self.refused_csv),
                name="imports_importjob_refused",
            ),
            *super().get_urls(),
        ]

    def refused_csv(self, request, object_id):
        """The refused rows of a job: row, column, reason, then the row's own cells."""
        job = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        reader = csv.DictReader(io.StringIO(job.content))
        cells = dict(enumerate(reader, start=2))  # numbered as the importers number rows
        columns = ["row", "column", "reason", *(reader.fieldnames or [])]
        rows = (
            [
                problem["row"],
                problem["column"],
                problem["reason"],
                *(cells.get(problem["row"], {}).get(name, "") for name in reader.fieldnames or []),
            ]
            for problem in job.report.get("refused", [])
        )
        return csv_response(f"refused-{job.pk}.csv", columns, rows)
