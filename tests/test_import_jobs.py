"""Import jobs: an uploaded file imported by a Celery task, dispatched after commit."""

import time

import pytest

from timeline.models import ImportJob, ImportKind, ImportStatus, Launch
from timeline.services import import_job_create, import_job_run

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
    assert len(callbacks) == 1
    callbacks[0]()
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
    launches = import_job_create(
        kind=ImportKind.LAUNCHES, filename="launches.csv", content=LAUNCHES_CSV.read_text()
    )
    launches = wait_for(launches)
    events = import_job_create(
        kind=ImportKind.EVENTS, filename="context_events.csv", content=EVENTS_CSV.read_text()
    )
    events = wait_for(events)
    assert (launches.status, events.status) == (ImportStatus.DONE, ImportStatus.DONE)
    assert (launches.report["created"], events.report["created"]) == (102, 60)
    assert Launch.objects.published().count() == 102
    again = wait_for(
        import_job_create(
            kind=ImportKind.LAUNCHES, filename="launches.csv", content=LAUNCHES_CSV.read_text()
        )
    )
    assert (again.report["created"], again.report["unchanged"]) == (0, 102)
