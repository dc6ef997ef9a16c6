import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_asgi_application()

from core.prepare import prepare_process  # noqa: E402 - needs the settings above

prepare_process()
