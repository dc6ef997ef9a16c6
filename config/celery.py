"""The Celery application; configuration comes from Django settings (CELERY_*).

The queues, the routes and the periodic schedule live here rather than in settings: they
name tasks, not knobs.
"""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("salvo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Each kind of work on a queue of its own, so that workers can be added per queue and a long
# import never holds up a webhook delivery. A worker started without --queues consumes all.
QUEUES = ("default", "webhooks", "imports")
app.conf.task_queues = [Queue(name) for name in QUEUES]
app.conf.task_default_queue = "default"
app.conf.task_routes = {
    "webhooks.tasks.deliver": {"queue": "webhooks"},
    # The sweep hands deliveries back to the broker: a webhooks worker alone keeps them moving.
    "webhooks.tasks.sweep_outbox": {"queue": "webhooks"},
    "timeline.tasks.run_import_job": {"queue": "imports"},
    "explore.tasks.rebuild_data_package": {"queue": "imports"},
    "timeline.tasks.suggest_triggers": {"queue": "default"},
    # An outbound call readers wait on, as a delivery is: never behind an import.
    "core.tasks.cdn_purge": {"queue": "webhooks"},
}

app.conf.beat_schedule = {
    # Deliveries the broker never took (it was down) or lost: sent again every minute.
    "webhooks-sweep-outbox": {
        "task": "webhooks.tasks.sweep_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
