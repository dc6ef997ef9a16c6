"""Background work for imports."""

from celery import shared_task

from .services import import_job_run


# Named as it was when import jobs belonged to the timeline app, so that a job queued
# under that name before an upgrade still runs.
@shared_task(name="timeline.tasks.run_import_job", acks_late=True, ignore_result=True)
def run_import_job(job_id):
    """Run the import job `job_id`; a job already finished is left alone."""
    import_job_run(job_id=job_id)
