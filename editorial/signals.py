"""What the services announce, for the webhook outbox and the caches to act on.

Sent inside the writing transaction, so a receiver that writes rows (the outbox) commits
or rolls back with the change itself.
"""

from django.dispatch import Signal

# Any record created or changed through the services: kwargs: instance, created, fields.
record_saved = Signal()
# A record became visible to readers: sender is the model class; kwargs: instance.
record_published = Signal()
# A published record changed: sender is the model class; kwargs: instance, fields.
record_updated = Signal()
# A published record was taken back to draft or review: kwargs: instance.
record_unpublished = Signal()
