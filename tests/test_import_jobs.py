"""Import jobs: an uploaded file imported by a Celery task, dispatched after commit."""

import contextlib
import csv
import io
import time

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from imports.models import ImportJob, ImportKind, ImportStatus
from imports.services import ImportReport, import_job_create, import_job_run, launches_import
from timeline.models import Launch

from .paths import EVENTS_CSV, LAUNCHES_CSV


def wait_for(job, *, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status not in {ImportStatus.QUEUED, ImportStatus.RUNNING}:
            return job
        time.sleep(0.2)
    raise AssertionError(f"import job still {job.status} after {timeout} s")


@pytest.mark.django_db
def test_a_job_is_queued_on_commit_and_stores_its_report(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = import_job_create(
            kind=ImportKind.LAUNCHES, filename="launches.csv", content=LAUNCHES_CSV.read_text()
        )
    assert job.status == ImportStatus.QUEUED
    assert Launch.objects.count() == 0  # nothing runs before the transaction commits
    for callback in callbacks:  # the job's task among them
        callback()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert {k: job.report[k] for k in ("created", "updated", "unchanged", "written")} == {
        "created": 102,
        "updated": 0,
        "unchanged": 0,
        "written": True,
    }
    assert job.report["refused"] == []
    assert {"row": 66, "column": "apogee_km", "text": "150 m airburst (KCNA)"} in job.report[
        "kept_as_text"
    ]
    assert Launch.objects.count() == 102


@pytest.mark.django_db
def test_a_job_queued_under_the_task_name_of_before_still_runs():
    from config import celery_app
    from imports.tasks import run_import_job

    job = ImportJob.objects.create(
        kind=ImportKind.LAUNCHES, filename="launches.csv", content=LAUNCHES_CSV.read_text()
    )
    assert run_import_job.name == "timeline.tasks.run_import_job"
    celery_app.tasks["timeline.tasks.run_import_job"].delay(job.pk)
    job.refresh_from_db()
    assert (job.status, job.report["created"]) == (ImportStatus.DONE, 102)


@pytest.mark.django_db
def test_a_finished_job_is_not_run_twice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            kind=ImportKind.LAUNCHES, filename="launches.csv", content=LAUNCHES_CSV.read_text()
        )
    finished_at = ImportJob.objects.get(pk=job.pk).finished_at
    import_job_run(job_id=job.pk)  # a redelivered message
    job.refresh_from_db()
    assert job.finished_at == finished_at
    assert job.report["created"] == 102


@pytest.mark.django_db
def test_a_refused_file_is_reported_and_writes_nothing(django_capture_on_commit_callbacks):
    content = LAUNCHES_CSV.read_text().replace("L2022-003,2022-01-14", "L2022-003,2022-13-14")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(kind=ImportKind.LAUNCHES, filename="bad.csv", content=content)
    job.refresh_from_db()
    assert job.status == ImportStatus.REFUSED
    assert job.report["refused"] == [
        {
            "row": 4,
            "column": "date_kst",
            "reason": "'2022-13-14' is not a date (expected YYYY-MM-DD)",
        }
    ]
    assert Launch.objects.count() == 0


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_import_jobs_run_on_a_real_worker_with_the_same_counts_as_the_command(celery_worker):
    # An editor's jobs publish what they import, as the command does.
    editor = User.objects.create_user("editor")
    editor.groups.add(Group.objects.get(name="Editor"))
    launches = import_job_create(
        kind=ImportKind.LAUNCHES,
        filename="launches.csv",
        content=LAUNCHES_CSV.read_text(),
        user=editor,
    )
    launches = wait_for(launches)
    events = import_job_create(
        kind=ImportKind.EVENTS,
        filename="context_events.csv",
        content=EVENTS_CSV.read_text(),
        user=editor,
    )
    events = wait_for(events)
    assert (launches.status, events.status) == (ImportStatus.DONE, ImportStatus.DONE)
    assert (launches.report["created"], events.report["created"]) == (102, 60)
    assert Launch.objects.published().count() == 102
    again = wait_for(
        import_job_create(
            kind=ImportKind.LAUNCHES,
            filename="launches.csv",
            content=LAUNCHES_CSV.read_text(),
            user=editor,
        )
    )
    assert (again.report["created"], again.report["unchanged"]) == (0, 102)


def test_the_import_services_report_progress_row_by_row(db):
    calls = []
    with open(LAUNCHES_CSV, "rb") as handle:
        launches_import(file=handle, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(done, 102) for done in range(103)]


@pytest.mark.django_db
def test_an_upload_in_the_admin_queues_a_job_and_shows_its_report(
    admin_client, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("launches.csv", LAUNCHES_CSV.read_bytes(), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:imports_importjob_add"), {"kind": ImportKind.LAUNCHES, "upload": upload}
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.filename, job.status, job.created_by.username) == ("launches.csv", "done", "admin")
    assert (job.rows_done, job.rows_total, job.percent) == (102, 102, 100)
    page = admin_client.get(job.get_absolute_url()).content.decode()
    assert "102 created, 0 updated, 0 unchanged, 0 refused" in page
    assert '<progress max="100" value="100"></progress> 100 % (102 of 102 rows)' in page


@pytest.mark.django_db
def test_the_refused_rows_download_as_csv_with_their_cells(
    admin_client, django_capture_on_commit_callbacks
):
    content = LAUNCHES_CSV.read_text().replace("L2022-003,2022-01-14", "L2022-003,2022-13-14")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            kind=ImportKind.LAUNCHES, filename="bad.csv", content=content, skip_invalid=True
        )
    job.refresh_from_db()
    assert (job.status, job.report["created"]) == (ImportStatus.DONE, 101)
    page = admin_client.get(job.get_absolute_url()).content.decode()
    assert "1 refused rows (CSV)" in page

    response = admin_client.get(reverse("admin:imports_importjob_refused", args=[job.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["row", "column", "reason", "event_id", "date_kst"]
    assert rows[1][:5] == [
        "4",
        "date_kst",
        "'2022-13-14' is not a date (expected YYYY-MM-DD)",
        "L2022-003",
        "2022-13-14",
    ]
    assert len(rows) == 2


@pytest.mark.django_db
def test_the_command_draws_a_progress_bar_when_asked():
    out, err = io.StringIO(), io.StringIO()
    call_command("import_launches", str(LAUNCHES_CSV), "--progress", stdout=out, stderr=err)
    assert err.getvalue().startswith("\r[........................................] 0/102 rows")
    assert err.getvalue().endswith("\r[########################################] 102/102 rows\n")
    assert out.getvalue().startswith("launches: 102 created, 0 updated, 0 unchanged, 0 refused")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_an_admin_upload_runs_on_a_worker_shows_progress_and_matches_the_command(
    celery_worker, admin_client
):
    from django.db import transaction

    class RolledBack(Exception):
        pass

    out = io.StringIO()
    with contextlib.suppress(RolledBack), transaction.atomic():
        call_command("import_launches", str(LAUNCHES_CSV), "--no-progress", stdout=out)
        raise RolledBack  # the command's counts, on the same empty database
    assert Launch.objects.count() == 0

    started = time.monotonic()
    upload = SimpleUploadedFile("launches.csv", LAUNCHES_CSV.read_bytes(), "text/csv")
    admin_client.post(
        reverse("admin:imports_importjob_add"), {"kind": ImportKind.LAUNCHES, "upload": upload}
    )
    job = ImportJob.objects.get()
    seen = []
    while job.status in {ImportStatus.QUEUED, ImportStatus.RUNNING}:
        seen.append(job.rows_done)
        time.sleep(0.02)
        job.refresh_from_db()
    print(f"admin upload → job done: {time.monotonic() - started:.2f} s; rows seen {seen}")

    assert job.status == ImportStatus.DONE
    assert seen == sorted(seen)
    if connection.vendor == "postgresql":  # SQLite shows the count only at the end
        assert any(0 < done < 102 for done in seen), seen
    summary = out.getvalue().splitlines()[0]
    assert summary.startswith("launches: 102 created, 0 updated, 0 unchanged, 0 refused")
    report = ImportReport(
        "launches",
        **{k: job.report[k] for k in ("created", "updated", "unchanged", "links_created")},
        refused=job.report["refused"],
        kept_as_text=job.report["kept_as_text"],
    )
    assert report.as_text().splitlines()[0] == summary
    page = admin_client.get(job.get_absolute_url()).content.decode()
    assert "100 % (102 of 102 rows)" in page
