"""What follows the published record: the download files (any change readers see rebuilds
them) and the cached pages that tell who usually reacts."""

from django.dispatch import receiver

from core import caching
from editorial import signals
from editorial.services import SHOWN_BY, is_publishable
from reactions.models import Statement
from timeline.models import Launch

from . import queries
from .downloads import package_rebuild_soon

# Who has not spoken yet, on a launch's page and card, is told against who spoke on the
# launches before it: a reaction changes those of the launches after its own too.
caching.also_bumps(
    Statement,
    lambda statement: [
        caching.record_key(Launch, pk)
        for pk in queries.launches_counting_reactions_to(statement.launch_id)
    ],
)


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
