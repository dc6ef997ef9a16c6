"""Background work for readers: the download files of the published dataset."""

from celery import shared_task

from . import downloads


@shared_task(acks_late=True, ignore_result=True)
def rebuild_data_package():
    """Rebuild the download files from the published record; safe to run again."""
    downloads.package_rebuild()
