"""The full dataset as one versioned bundle: every record and its history, and back.

A bundle is JSON: {"format": "salvo-dataset", "version": 1, "exported_at": …, "counts": {…},
"records": [Django-serialized objects]}, gzip-compressed when the file name ends in .gz.
Permissions and content types travel by natural key, so a bundle loads into any database
migrated to the same schema.
"""

import datetime
import gzip
import json

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.test.utils import override_settings

FORMAT, VERSION = "salvo-dataset", 1
APPS = ("timeline", "reactions")
AUTH_MODELS = ("auth.Group", "auth.User")
# A database holding any of these is not empty: a restore would mix two datasets.
HELD = [
    ("timeline.Launch", "launches"),
    ("timeline.Event", "events"),
    ("timeline.Source", "sources"),
    ("reactions.Statement", "statements"),
    ("reactions.Speaker", "speakers"),
]
# Rows every migrated database already holds, replaced by the bundle's own.
SEEDED = ("reactions.Actor", "auth.Group")


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but keeping microseconds: a restore must be exact."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class BundleRefused(Exception):
    """The bundle cannot be restored here: wrong format, or the database is not empty."""


def dataset_models():
    """The models whose rows make up the dataset, in an order that loads cleanly."""
    models = [apps.get_model(label) for label in AUTH_MODELS]
    for label in APPS:
        models += list(apps.get_app_config(label).get_models())
    return serializers.sort_dependencies([(None, models)], allow_cycles=True)


def dataset_export(*, path):
    """Write every record and its history to `path`; returns the count per model."""
    records, counts = [], {}
    for model in dataset_models():
        rows = model._default_manager.order_by("pk")
        data = serializers.serialize(
            "python", rows, use_natural_foreign_keys=True, use_natural_primary_keys=False
        )
        counts[model._meta.label] = len(data)
        records += data
    bundle = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "counts": counts,
        "records": records,
    }
    text = json.dumps(bundle, cls=ExactJSONEncoder, ensure_ascii=False)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as handle:
        handle.write(text)
    return counts


def _read(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        bundle = json.load(handle)
    if bundle.get("format") != FORMAT:
        raise BundleRefused(f"{path} is not a Salvo dataset bundle")
    if bundle.get("version") != VERSION:
        raise BundleRefused(
            f"{path} is bundle version {bundle.get('version')}; this Salvo reads version {VERSION}"
        )
    return bundle


@transaction.atomic
def dataset_import(*, path):
    """Restore a bundle into an empty database; returns the count per model.

    Refused when the database already holds launches, events, statements or sources.
    """
    bundle = _read(path)
    for label, plural in HELD:
        if apps.get_model(label)._default_manager.exists():
            raise BundleRefused(
                f"the database already holds {plural}; restore into an empty, migrated database"
            )
    for label in SEEDED:
        apps.get_model(label)._default_manager.all().delete()
    counts, deferred = {}, []
    records = serializers.deserialize("python", bundle["records"], handle_forward_references=True)
    # The bundle carries the history itself: restoring must not write history of its own
    # (setting many-to-many relations would).
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        for restored in records:
            restored.save()
            if restored.deferred_fields:
                deferred.append(restored)
            label = restored.object._meta.label
            counts[label] = counts.get(label, 0) + 1
        for restored in deferred:
            restored.save_deferred_fields()
    _reset_sequences()
    expected = {label: n for label, n in bundle["counts"].items() if n}
    if counts != expected:
        raise BundleRefused(f"restored {counts}, but the bundle lists {expected}")
    return counts


def _reset_sequences():
    """Let new rows follow the restored ids (PostgreSQL keeps a sequence per table)."""
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), dataset_models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
