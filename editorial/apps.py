from django.apps import AppConfig


class EditorialConfig(AppConfig):
    """The workflow every record shares: status, record services, their signals, and the
    admin, API and form base classes."""

    name = "editorial"
    verbose_name = "Editorial"

    def ready(self):
        from core import caching

        caching.connect()
