"""The published dataset as files to take away, described by a Frictionless Data Package.

One CSV per table (a data package is a set of tables, and a spreadsheet opens one table at a
time), the same tables in one JSON file, and a zip holding the CSVs with their
`datapackage.json`. Only what readers may see goes in: published launches and events, the
claims of published launches, visible links and statements, the speakers and sources they
show, and every actor. Drafts never do.

This is not the backup bundle (explore/dataset.py), which holds every record, drafts and
history included, in Django's own format, to be restored rather than read.

The files live in the `data_export` storage, one generation to a folder; `current.json`
names the generation readers are served and is written last, so a reader never sees half
a build. They are rebuilt in the background after publications (tasks.py, receivers.py).
"""

import contextlib
import datetime
import decimal
import hashlib
import io
import json
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import models, transaction
from django.utils.text import capfirst

from core.csv import csv_text
from reactions.models import Actor, Speaker, Statement
from timeline.models import Event, Launch, LaunchClaim, Link
from timeline.representations import LAUNCH_FIELDS

from .queries import visible_sources

POINTER = "current.json"
PACKAGE = "datapackage.json"
JSON_FILE = "salvo-data.json"
ZIP_FILE = "salvo-data.zip"
# A list in a CSV cell (a launch's sources, a statement's themes) is joined with this.
LIST_DELIMITER = ";"
MEDIA_TYPES = {".csv": "text/csv", ".json": "application/json", ".zip": "application/zip"}


@dataclass(frozen=True)
class Column:
    """A column of a table: `lookup` follows the table's model (as in `values()`); `many`
    makes it the list of what a many-to-many relation reaches, joined in one cell; `field`
    describes a column computed by the table's query, which no model field describes."""

    name: str
    lookup: str
    description: str = ""
    many: bool = False
    field: models.Field | None = None


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    rows: Callable[[], models.QuerySet]
    columns: tuple[Column, ...]
    key: str
    # (column, table it points to, that table's key)
    references: tuple[tuple[str, str, str], ...] = ()


# The API's launch fields that a download leaves out: workflow and storage details (drafts
# are never in it).
NOT_DOWNLOADED = {"status", "sort_at", "created_at"}
# The launch columns not read from a launch field of the same name.
LAUNCH_COLUMNS = {
    "disputed": Column(
        "disputed",
        "claims_disagree",
        field=models.BooleanField(
            help_text="True when two claims about one figure cannot both hold (claims table)."
        ),
    ),
    "sources": Column(
        "sources",
        "sources__id",
        "The ids of the sources cited (sources table), separated by semicolons.",
        many=True,
    ),
}


def further_sources(what):
    """The column of the further sources of a claim, link or statement."""
    return Column(
        "further_sources",
        "further_sources__id",
        f"The ids of further sources that report {what} too, besides `source` (sources table), "
        "separated by semicolons.",
        many=True,
    )


def _columns(*names, **described):
    """Columns named as their model fields, then those whose lookup or description differ."""
    return (*(Column(name, name) for name in names), *described.values())


TABLES = (
    Table(
        name="launches",
        title="Launches",
        description="Published launches: one row per launch event, however many missiles. "
        "Figures are the best current values; the claims table says who claimed what.",
        rows=lambda: Launch.objects.published().with_claims_disagree().order_by("sort_at", "id"),
        columns=tuple(
            LAUNCH_COLUMNS.get(name, Column(name, name))
            for name in LAUNCH_FIELDS
            if name not in NOT_DOWNLOADED
        ),
        key="slug",
        references=(("launching_state", "actors", "code"),),
    ),
    Table(
        name="claims",
        title="Claims",
        description="Figures as claimed by someone (distance, apogee, count, type…), for each "
        "published launch: who said what, and where.",
        rows=lambda: LaunchClaim.objects.filter(launch__in=Launch.objects.published()).order_by(
            "launch__sort_at", "launch_id", "position", "id"
        ),
        columns=_columns(
            "id",
            "attribute",
            "value_text",
            "value",
            "value_max",
            "claimant",
            "note",
            "position",
            launch=Column("launch", "launch__slug", "The launch claimed about (launches.slug)."),
            source=Column("source", "source_id", "The source of the claim (sources.id)."),
            further_sources=further_sources("the same figure"),
        ),
        key="id",
        references=(("launch", "launches", "slug"), ("source", "sources", "id")),
    ),
    Table(
        name="events",
        title="Events",
        description="Published context events: sanctions, summits, exercises, warnings.",
        rows=lambda: Event.objects.published().order_by("start_date", "id"),
        columns=_columns(
            "slug",
            "kind",
            "kind_label",
            "title",
            "start_date",
            "date_precision",
            "end_date",
            "date_note",
            "location",
            "participants",
            "description",
            "published_at",
            "updated_at",
            participant_codes=Column(
                "participant_codes",
                "participant_codes",
                "Actor codes of the participants that could be identified, separated by "
                "semicolons.",
            ),
            sources=Column(
                "sources",
                "sources__id",
                "The ids of the sources cited (sources table), separated by semicolons.",
                many=True,
            ),
        ),
        key="slug",
    ),
    Table(
        name="links",
        title="Links",
        description="Published links between a launch and an event, with the analyst's rationale.",
        rows=lambda: Link.objects.visible().order_by("launch__sort_at", "event__start_date", "id"),
        columns=_columns(
            "id",
            "relation",
            "rationale",
            "confidence",
            "updated_at",
            launch=Column("launch", "launch__slug", "The launch (launches.slug)."),
            event=Column("event", "event__slug", "The event (events.slug)."),
            source=Column("source", "source_id", "The source of the link (sources.id)."),
            further_sources=further_sources("the tie"),
        ),
        key="id",
        references=(
            ("launch", "launches", "slug"),
            ("event", "events", "slug"),
            ("source", "sources", "id"),
        ),
    ),
    Table(
        name="statements",
        title="Statements",
        description="Published reactions to published launches: who said what, when, with "
        "which stance (-2 condemns, -1 concerned, 0 neutral, +1 supportive, +2 defends).",
        rows=lambda: Statement.objects.visible().order_by("launch__sort_at", "issued_on", "id"),
        columns=_columns(
            "id",
            "issued_on",
            "issued_at",
            "channel",
            "quote",
            "quote_kind",
            "original_text",
            "original_language",
            "summary",
            "stance",
            "via",
            "published_at",
            "updated_at",
            launch=Column("launch", "launch__slug", "The launch reacted to (launches.slug)."),
            actor=Column("actor", "actor__code", "Who reacted (actors.code)."),
            co_signers=Column(
                "co_signers",
                "co_signers__code",
                "Co-signing actors of a joint statement (actors.code), separated by semicolons.",
                many=True,
            ),
            speaker=Column("speaker", "speaker_id", "Who spoke (speakers.id), when known."),
            themes=Column(
                "themes", "themes__name", "The arguments made, separated by semicolons.", many=True
            ),
            source=Column("source", "source_id", "The source of the statement (sources.id)."),
            further_sources=further_sources("the same words"),
        ),
        key="id",
        references=(
            ("launch", "launches", "slug"),
            ("actor", "actors", "code"),
            ("speaker", "speakers", "id"),
            ("source", "sources", "id"),
        ),
    ),
    Table(
        name="actors",
        title="Actors",
        description="Every state (by its ISO 3166-1 code) and organisation that may react.",
        rows=lambda: Actor.objects.order_by("code"),
        columns=_columns("code", "kind", "name", "short_name"),
        key="code",
    ),
    Table(
        name="speakers",
        title="Speakers",
        description="People and offices who spoke for an actor in a published statement.",
        rows=lambda: Speaker.objects.visible().order_by("id"),
        columns=_columns(
            "id", "name", "role", actor=Column("actor", "actor__code", "For whom (actors.code).")
        ),
        key="id",
        references=(("actor", "actors", "code"),),
    ),
    Table(
        name="sources",
        title="Sources",
        description="The documents the published records cite.",
        rows=lambda: visible_sources().order_by("id"),
        columns=_columns(
            "id", "url", "reference", "title", "publisher", "published_at", "language"
        ),
        key="id",
    ),
)


def _model_field(model, lookup):
    """The model field a `values()` lookup ends on."""
    *hops, last = lookup.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model
    field = model._meta.get_field(last)
    return field.target_field if field.is_relation else field


def _field_type(field):
    """The Table Schema type of a Django field (the first class it is an instance of)."""
    for kind, name in (
        (models.BooleanField, "boolean"),
        (models.DateTimeField, "datetime"),
        (models.DateField, "date"),
        (models.DecimalField, "number"),
        (models.FloatField, "number"),
        (models.IntegerField, "integer"),
        (models.AutoField, "integer"),
    ):
        if isinstance(field, kind):
            return name
    return "string"


def field_schema(table, column):
    """The Table Schema description of one column: type, description, constraints."""
    field = column.field or _model_field(table.rows().model, column.lookup)
    is_list = column.many or isinstance(field, models.JSONField)
    schema = {
        "name": column.name,
        "type": "string" if is_list else _field_type(field),
        "description": column.description or str(field.help_text or capfirst(field.verbose_name)),
    }
    constraints = {}
    if column.name == table.key or not (field.null or field.blank or is_list):
        constraints["required"] = True
    if column.name == table.key:
        constraints["unique"] = True
    if field.choices and not is_list:
        constraints["enum"] = [value for value, _ in field.flatchoices]
    if constraints:
        schema["constraints"] = constraints
    if schema["type"] == "datetime":
        schema["format"] = "%Y-%m-%dT%H:%M:%SZ"
    return schema


def table_schema(table):
    schema = {
        "fields": [field_schema(table, column) for column in table.columns],
        "primaryKey": [table.key],
        "missingValues": [""],
    }
    if table.references:
        schema["foreignKeys"] = [
            {"fields": [column], "reference": {"resource": other, "fields": [key]}}
            for column, other, key in table.references
        ]
    return schema


def table_rows(table):
    """The table's rows as dicts of Python values, in its order, in one query per table and
    one per many-to-many column."""
    rows = table.rows()
    pk = rows.model._meta.pk.name
    single = [column for column in table.columns if not column.many]
    values = list(rows.values_list(pk, *(column.lookup for column in single)))
    lists = {}
    for column in table.columns:
        if column.many:
            reached = {}
            for row_pk, value in rows.order_by().values_list(pk, column.lookup):
                if value is not None:
                    reached.setdefault(row_pk, []).append(value)
            lists[column.name] = {key: sorted(found) for key, found in reached.items()}
    result = []
    for row_pk, *cells in values:
        record = dict(zip((column.name for column in single), cells, strict=True))
        for name, found in lists.items():
            record[name] = found.get(row_pk, [])
        result.append({column.name: record[column.name] for column in table.columns})
    return result


def _text(value):
    """A value as the text a CSV cell or a JSON string holds for its Table Schema type."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_DELIMITER.join(str(item) for item in value)
    return value


def _json_value(value):
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bool | list):
        return value
    return _text(value)


def licence():
    """The data licence as a data package names it."""
    return {key: settings.DATA_LICENCE[key] for key in ("name", "title", "path")}


def package_descriptor(created, counts):
    """The datapackage.json of a build made at `created`, with `counts` rows per table."""
    return {
        "profile": "tabular-data-package",
        "name": "salvo",
        "title": "Salvo: missile launches and the world's reactions",
        "description": "The published record: launches and the figures claimed for them, the "
        "events around them and how they are linked, and the statements that followed, with "
        "their speakers and sources. Text cells that would start with =, +, -, @, a tab or "
        "a carriage return begin with an apostrophe, so that no spreadsheet runs them.",
        "created": created,
        "licenses": [licence()],
        "resources": [
            {
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "path": f"{table.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "count": counts[table.name],
                "schema": table_schema(table),
            }
            for table in TABLES
        ],
    }


def _json_bytes(data):
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def package_files(*, now=None):
    """{file name: bytes} of a build of the published record, and its datapackage.json."""
    now = now or datetime.datetime.now(datetime.UTC)
    created = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    tables = {table.name: table_rows(table) for table in TABLES}
    counts = {name: len(rows) for name, rows in tables.items()}
    descriptor = package_descriptor(created, counts)
    files = {}
    for table in TABLES:
        header = [column.name for column in table.columns]
        rows = ([_text(row[name]) for name in header] for row in tables[table.name])
        files[f"{table.name}.csv"] = csv_text(header, rows).encode()
    files[PACKAGE] = _json_bytes(descriptor)
    files[JSON_FILE] = _json_bytes(
        {
            "name": descriptor["name"],
            "title": descriptor["title"],
            "created": created,
            "licenses": descriptor["licenses"],
            "description": "Every table of the data package, as lists of records; the "
            f"schema of each is in {PACKAGE}.",
            "tables": {
                name: [{key: _json_value(value) for key, value in row.items()} for row in rows]
                for name, rows in tables.items()
            },
        }
    )
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in (PACKAGE, *(f"{table.name}.csv" for table in TABLES)):
            archive.writestr(name, files[name])
    files[ZIP_FILE] = bundle.getvalue()
    return files, descriptor


def storage():
    return storages["data_export"]


def package_write(*, now=None):
    """Build the files, store them as a new generation and serve it; returns its manifest.

    The generation before it is kept, for readers who are still downloading from it."""
    now = now or datetime.datetime.now(datetime.UTC)
    files, descriptor = package_files(now=now)
    generation = now.strftime("%Y%m%dT%H%M%S%fZ")
    store = storage()
    for name, content in files.items():
        store.save(f"{generation}/{name}", ContentFile(content))
    manifest = {
        "generation": generation,
        "created": descriptor["created"],
        "counts": {resource["name"]: resource["count"] for resource in descriptor["resources"]},
        "files": {
            name: {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
            for name, content in files.items()
        },
    }
    previous = package_current()
    if store.exists(POINTER):
        store.delete(POINTER)
    store.save(POINTER, ContentFile(_json_bytes(manifest)))
    keep = {generation, previous and previous["generation"]}
    for folder in store.listdir("")[0]:
        if folder not in keep:
            _delete_folder(store, folder)
    return manifest


def _delete_folder(store, folder):
    for name in store.listdir(folder)[1]:
        store.delete(f"{folder}/{name}")
    store.delete(folder)


def package_current():
    """The manifest of the generation readers are served, or None before the first build."""
    try:
        with storage().open(POINTER) as handle:
            return json.loads(handle.read())
    except (FileNotFoundError, ValueError):
        return None


def package_open(manifest, name):
    """The stored file `name` of the generation `manifest` describes."""
    return storage().open(f"{manifest['generation']}/{name}")


def media_type(name):
    return MEDIA_TYPES[name[name.rindex(".") :]]


QUEUED_KEY = "salvo:data-export:queued"
# How long past its countdown a queued rebuild keeps others from being queued: a rebuild
# lost with its worker holds the files back no longer than this.
QUEUED_GRACE_SECONDS = 300


def package_queue_release():
    """Let the next publication queue a rebuild: called as a queued rebuild starts."""
    with contextlib.suppress(redis.RedisError):
        cache.delete(QUEUED_KEY)


class _QueueOnCommit:
    """The callback that queues a rebuild when a transaction commits; it knows it ran."""

    def __init__(self):
        self.ran = False

    def __call__(self):
        self.ran = True
        package_rebuild_queue()


_waiting = threading.local()


def package_rebuild_soon():
    """Queue one rebuild after the current transaction commits, however many published
    records it changes (an import of thousands: one), and none while one is queued."""
    connection = transaction.get_connection()
    waiting = getattr(_waiting, "callback", None)
    if (
        connection.in_atomic_block
        and waiting is not None
        and not waiting.ran
        and any(callback is waiting for _, callback, _ in connection.run_on_commit)
    ):
        return
    _waiting.callback = _QueueOnCommit()
    # Robust: the publication has committed; a broker that does not answer must not undo
    # the reader's response, and the next publication queues the rebuild again.
    transaction.on_commit(_waiting.callback, robust=True)


def package_rebuild_queue():
    """Queue a rebuild DATA_EXPORT_DELAY_SECONDS from now, unless one is queued already;
    with inline tasks, rebuild at once."""
    from .tasks import rebuild_data_package

    if rebuild_data_package.app.conf.task_always_eager:
        rebuild_data_package.delay()
        return
    delay = settings.DATA_EXPORT_DELAY_SECONDS
    try:
        first = cache.add(QUEUED_KEY, "queued", timeout=delay + QUEUED_GRACE_SECONDS)
    except redis.RedisError:
        first = True  # without the cache, a rebuild too many rather than one too few
    if first:
        rebuild_data_package.apply_async(countdown=delay)
