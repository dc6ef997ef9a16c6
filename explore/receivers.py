"""The download files follow the published record: any change readers see rebuilds them."""

from django.dispatch import receiver

from editorial import signals
from editorial.services import SHOWN_BY, is_publishable

from .downloads import package_rebuild_soon


@receiver(signals.record_published, dispatch_uid="explore.downloads.published")
@receiver(signals.record_updated, dispatch_uid="explore.downloads.updated")
@receiver(signals.record_unpublished, dispatch_uid="explore.downloads.unpublished")
def rebuild_on_publication(sender, instance, **kwargs):
    package_rebuild_soon()


@receiver(signals.record_saved, dispatch_uid="explore.downloads.shown")
def rebuild_on_shown_change(sender, instance, **kwargs):
    """A source or speaker has no status of its own: it changes what readers see when a
    published record shows it."""
    if is_publishable(sender):
        return  # announced as published, updated or unpublished when readers see it
    if any(finder(instance) for finder in SHOWN_BY.get(sender, ())):
        package_rebuild_soon()
