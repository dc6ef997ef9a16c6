"""The Celery application; configuration comes from Django settings (CELERY_*).

The periodic schedule lives here rather than in settings: it names tasks, not knobs.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("salvo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Deliveries the broker never took (it was down) or lost: sent again every minute.
    "webhooks-sweep-outbox": {
        "task": "webhooks.tasks.sweep_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
