from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    """Domain-free plumbing: API base classes, HTTP glue, the response cache, text rules."""

    name = "core"
    verbose_name = "Core"


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the site of core.admin (autocompletes labelled by their admin)."""

    default = False  # CoreConfig stays the one for "core"
    default_site = "core.admin.AdminSite"
