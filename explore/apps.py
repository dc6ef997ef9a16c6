from django.apps import AppConfig


class ExploreConfig(AppConfig):
    name = "explore"
    verbose_name = "Explore"

    def ready(self):
        from . import receivers  # noqa: F401 - rebuilds the download files after publications
