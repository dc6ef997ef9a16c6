"""The test suite: SQLite unless DATABASE_URL is set; eager tasks unless CELERY_BROKER_URL is."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "data_export": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
ALLOWED_HOSTS = ["*"]
CELERY_TASK_ALWAYS_EAGER = not env("CELERY_BROKER_URL", default="")
# The lockout has its own tests, which turn it back on; the test client's login() passes
# no request, which django-axes needs.
AXES_ENABLED = False
# Responses are cached only in the tests about caching, which turn it on.
PUBLIC_CACHE_SECONDS = 0
# Pages are throttled only in the tests about throttling, which turn it on.
PAGE_ANON_RATE = None
