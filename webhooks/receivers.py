"""The outbox listens to the timeline's announcements, inside the writing transaction."""

from django.dispatch import receiver

from editorial import signals

from . import services


@receiver(signals.record_published, dispatch_uid="webhooks.outbox.published")
def write_published(sender, instance, **kwargs):
    services.outbox_write(instance=instance, change="published")


@receiver(signals.record_updated, dispatch_uid="webhooks.outbox.updated")
def write_updated(sender, instance, **kwargs):
    services.outbox_write(instance=instance, change="updated")


@receiver(signals.record_unpublished, dispatch_uid="webhooks.outbox.unpublished")
def write_unpublished(sender, instance, **kwargs):
    services.outbox_write(instance=instance, change="unpublished")
