"""Webhook delivery on Celery: one task per delivery, and the sweep beat runs."""

from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver(self, delivery_id):
    """Attempt the delivery `delivery_id`; after a failure, retry with backoff until it is due.

    The delivery row holds the schedule and the deadline, so the retries are unbounded here.
    """
    retry_in = services.delivery_attempt(delivery_id=delivery_id)
    if retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=retry_in)


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox():
    """Hand to the broker the deliveries it never took or lost; returns how many."""
    return services.outbox_sweep()
