"""Background work for readers: the download files of the published dataset."""

from celery import shared_task

from . import downloads


@shared_task(bind=True, acks_late=True, ignore_result=True)
def rebuild_data_package(self):
    """Rebuild the download files from the published record; safe to run again. A queued
    rebuild first lets publications from now on queue one of their own."""
    if not self.request.is_eager:
        downloads.package_queue_release()
    downloads.package_write()
