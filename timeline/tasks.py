"""Background work for the timeline: trigger suggestions."""

from celery import shared_task

from .services import trigger_suggestions_refresh


@shared_task(acks_late=True, ignore_result=True)
def suggest_triggers(launch_id):
    """Propose candidate trigger events for the launch `launch_id`; safe to run again."""
    trigger_suggestions_refresh(launch_id=launch_id)
