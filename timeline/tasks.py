"""Background work for the timeline: import jobs and trigger suggestions."""

from celery import shared_task

from .services import import_job_run, trigger_suggestions_refresh


@shared_task(acks_late=True, ignore_result=True)
def run_import_job(job_id):
    """Run the import job `job_id`; a job already finished is left alone."""
    import_job_run(job_id=job_id)


@shared_task(acks_late=True, ignore_result=True)
def suggest_triggers(launch_id):
    """Propose candidate trigger events for the launch `launch_id`; safe to run again."""
    trigger_suggestions_refresh(launch_id=launch_id)
