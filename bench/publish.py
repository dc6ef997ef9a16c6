"""An editor publishing on launch day: a new statement on a recent launch every N seconds.

Run by `make bench` beside the readers, with the same settings, database and cache: each
statement goes through `statement_create`, as the admin, the desk and the API do, so it
has the same history, outbox, cache invalidation and webhooks. On SIGTERM it prints what
it did as JSON: the publishes made and the median time one took.
"""

import argparse
import datetime
import json
import os
import random
import signal
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.utils import timezone  # noqa: E402

from editorial.models import Status  # noqa: E402
from reactions.models import Actor, Stance  # noqa: E402
from reactions.services import statement_create  # noqa: E402
from timeline.models import Launch, Source  # noqa: E402

RECENT = 20


def editor():
    """The benchmark's editor: a member of the Editor group, who may publish statements."""
    user, _ = User.objects.get_or_create(username="bench-editor")
    user.groups.add(Group.objects.get(name="Editor"))
    return User.objects.get(pk=user.pk)  # fresh, with no permission cache


def publish(*, every, stop, rng):
    """Publish a statement now and every `every` s until `stop` is set: their durations."""
    user = editor()
    launches = list(Launch.objects.published().order_by("-sort_at")[:RECENT])
    actors = list(Actor.objects.order_by("code"))
    source = Source.objects.order_by("-pk").first()
    durations, started = [], time.monotonic()
    while not stop.wait(max(0.0, started + every * len(durations) - time.monotonic())):
        launch = rng.choice(launches)
        # Generated launches run past today: a statement is issued after its launch.
        after = launch.occurred_at or datetime.datetime.combine(
            launch.occurred_on + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC
        )
        now = max(timezone.now(), after + datetime.timedelta(minutes=30))
        begun = time.monotonic()
        statement_create(
            launch=launch,
            actor=rng.choice(actors),
            status=Status.PUBLISHED,
            user=user,
            issued_on=now.date(),
            issued_at=now,
            # Unique across runs on one database, whose launches may be the same.
            quote=f"Launch-day statement {len(durations) + 1}, written {time.time_ns()}.",
            stance=rng.choice(Stance.values),
            source=source,
        )
        durations.append((time.monotonic() - begun) * 1000)
    return durations


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--every", type=float, required=True, help="seconds between publishes")
    every = parser.parse_args().every
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    durations = publish(every=every, stop=stop, rng=random.Random(16))
    print(
        json.dumps({"publishes": len(durations), "median_ms": statistics.median(durations or [0])})
    )


if __name__ == "__main__":
    main()
