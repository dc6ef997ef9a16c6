"""Background work for the plumbing: purging a CDN in front of the site."""

import logging

from celery import shared_task

from .cdn import purge

logger = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=True, max_retries=3)
def cdn_purge(self, keys):
    """Purge the responses carrying `keys` from the CDN; tried again a few times, as until
    then it serves them for up to CDN_MAX_AGE."""
    try:
        purge(keys)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            logger.error("CDN purge of %s failed: %r", " ".join(keys), exc)
            return
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc
