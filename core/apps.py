from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Domain-free plumbing: API base classes, HTTP glue, the response cache, text rules."""

    name = "core"
    verbose_name = "Core"
