"""The API's launch list, built from rows instead of model instances.

`LaunchSerializer` defines what a launch looks like in the API: the schema, a single launch,
CSV and writes go through it. A page of the list, though, holds 50 launches and, expanded,
about 1,000 statements; building those as model instances and then field by field through
serializers costs a hundred times the queries that fetch them. Here the same page is built
from values() rows, in the same fixed number of queries, into the same dicts: the tests hold
this module and the serializers to identical output.
"""

from collections import defaultdict

from django.urls import reverse
from django.utils import timezone

from .models import Launch, LaunchClaim, Link, Source
from .models.launches import claims_disagree, days_between

# The launch's own columns, in the serializer's order; `sources` is added from its table.
LAUNCH_FIELDS = [
    "slug",
    "external_id",
    "launching_state",
    "occurred_on",
    "date_precision",
    "occurred_at",
    "local_timezone",
    "time_note",
    "sort_at",
    "missile_count",
    "count_note",
    "category",
    "missile_class",
    "missile_type_label",
    "missile_name",
    "launch_site",
    "site_latitude",
    "site_longitude",
    "direction",
    "distance_km",
    "apogee_km",
    "flight_time_min",
    "outcome",
    "outcome_note",
    "confidence",
    "disputed",
    "reporting_authority",
    "summary",
    "notes",
    "sources",
    "status",
    "published_at",
    "created_at",
    "updated_at",
]
# Not columns: the sources come from their table, `disputed` from the claims.
COMPUTED = {"sources", "disputed"}
MOMENTS = {"occurred_at", "sort_at", "published_at", "created_at", "updated_at"}
DERIVED = [
    "category_ordinal",
    "previous_slug",
    "previous_on",
    "previous_same_class_slug",
    "previous_same_class_on",
    "previous_precision",
    "previous_same_class_precision",
]
# (key in the representation, column it is read from)
CLAIM_COLUMNS = [
    ("id", "id"),
    ("attribute", "attribute"),
    ("value_text", "value_text"),
    ("value", "value"),
    ("value_max", "value_max"),
    ("claimant", "claimant"),
    ("note", "note"),
    ("position", "position"),
    ("source", "source_id"),
]
LINK_COLUMNS = [
    ("id", "id"),
    ("event", "event__slug"),
    ("event_title", "event__title"),
    ("relation", "relation"),
    ("rationale", "rationale"),
    ("confidence", "confidence"),
    ("source", "source_id"),
    ("status", "status"),
]


# A source as CitedSourceSerializer writes it, in its order; the columns a statement's,
# link's or claim's row reads it from; and the order further sources list in.
CITED_SOURCE_FIELDS = ["id", "title", "url", "publisher", "published_at"]
CITED_SOURCE_COLUMNS = [f"source__{name}" for name in CITED_SOURCE_FIELDS]
SOURCE_ORDER = [f"source__{name}" for name in Source._meta.ordering]


def cited_source(values, zone):
    """The source read from CITED_SOURCE_COLUMNS as the serializer writes it; None when the
    record cites none."""
    source = dict(zip(CITED_SOURCE_FIELDS, values, strict=True))
    if source["id"] is None:
        return None
    return {**source, "published_at": moment(source["published_at"], zone)}


def cited_sources(model, records, cited, zone):
    """{record id: its sources as the serializers list them, the cited one first, then the
    further ones} for `records`, a queryset of `model` (statements, links or claims) whose
    cited sources are `cited` ({record id: `cited_source`}); one query, however many."""
    through = model.further_sources.through
    owner = f"{model._meta.model_name}_id"
    further = (
        through.objects.filter(**{f"{owner}__in": records.prefetch_related(None).values("pk")})
        .order_by(*SOURCE_ORDER)
        .values_list(owner, *CITED_SOURCE_COLUMNS)
    )
    lists = {pk: [] if source is None else [source] for pk, source in cited.items()}
    for pk, *values in further:
        lists.setdefault(pk, []).append(cited_source(values, zone))
    return lists


def with_sources(record, sources):
    """`record` (a dict) with `sources` placed after its `source`, as the serializers order
    them."""
    placed = {}
    for name, value in record.items():
        placed[name] = value
        if name == "source":
            placed["sources"] = sources
    return placed


def moment(value, zone):
    """A date and time as the serializers write it: ISO 8601 in the current zone, UTC as Z."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def launch_rows(launches):
    """The launches as rows carrying the derived facts; the paginator reads them as it would
    the instances."""
    columns = [name for name in LAUNCH_FIELDS if name not in COMPUTED]
    return launches.prefetch_related(None).values("id", *columns, *DERIVED)


def launch_keys(launches, ordered_by):
    """The launches as the least a page of the list needs, to be cut and stamped: the id, the
    columns `ordered_by` (those the list may be ordered by), when the row last changed and
    the derived facts. launch_rows_of() reads the rest for the launches built again."""
    columns = dict.fromkeys(["id", "updated_at", *ordered_by, *DERIVED])
    return launches.prefetch_related(None).values(*columns)


def launch_rows_of(keys, launches):
    """launch_rows() of the launches `keys` (from launch_keys()) name that are still among
    `launches`, with the derived facts the keys carry; one query. A launch gone from
    `launches` since the keys were read (unpublished meanwhile) is left out."""
    columns = [name for name in LAUNCH_FIELDS if name not in COMPUTED]
    own = launches.filter(pk__in=[key["id"] for key in keys]).values("id", *columns)
    rows = {row["id"]: row for row in own}
    return [
        {**rows[key["id"]], **{name: key[name] for name in DERIVED}}
        for key in keys
        if key["id"] in rows
    ]


def launch_list(rows, *, drafts=False, expand=(), statements=None):
    """The serializer's representation of each launch row, in the rows' order; `statements`,
    each launch's expanded statements keyed by launch id, come from explore.representations."""
    ids = [row["id"] for row in rows]
    zone = timezone.get_current_timezone()
    sources = grouped(
        Launch.sources.through.objects.filter(launch_id__in=ids)
        .order_by("source__publisher", "source__url", "source__reference", "source__id")
        .values_list("launch_id", "source_id")
    )
    claims = keyed_rows(
        LaunchClaim.objects.filter(launch_id__in=ids).order_by("position", "id"),
        CLAIM_COLUMNS,
        zone,
    )
    links = None
    if "links" in expand:
        links = keyed_rows(
            Link.objects.for_api_under_launch(drafts=drafts).filter(launch_id__in=ids),
            LINK_COLUMNS,
            zone,
        )
    return [
        launch_dict(
            row,
            zone=zone,
            sources=sources.get(row["id"], []),
            claims=claims.get(row["id"], []),
            statements=None if statements is None else statements.get(row["id"], []),
            links=None if links is None else links.get(row["id"], []),
        )
        for row in rows
    ]


def grouped(pairs):
    groups = defaultdict(list)
    for key, value in pairs:
        groups[key].append(value)
    return groups


def keyed_rows(records, columns, zone):
    """Each launch's records (claims or links) as dicts of the named columns and their
    `sources`, keyed by launch id."""
    names = [name for name, _ in columns]
    rows = records.prefetch_related(None).values_list(
        "launch_id", *(column for _, column in columns), *CITED_SOURCE_COLUMNS
    )
    width = len(names)
    rows = [
        (launch_id, dict(zip(names, row[:width], strict=True)), cited_source(row[width:], zone))
        for launch_id, *row in rows
    ]
    sources = cited_sources(
        records.model, records, {record["id"]: cited for _, record, cited in rows}, zone
    )
    return grouped(
        (launch_id, with_sources(record, sources[record["id"]])) for launch_id, record, _ in rows
    )


def launch_dict(row, *, zone, sources, claims, statements, links):
    record = {}
    for name in LAUNCH_FIELDS:
        if name == "sources":
            record[name] = sources
        elif name == "disputed":
            record[name] = claims_disagree(
                (claim["attribute"], claim["value"], claim["value_max"]) for claim in claims
            )
        elif name in MOMENTS:
            record[name] = moment(row[name], zone)
        elif name == "occurred_on":
            record[name] = row[name].isoformat()
        else:
            record[name] = row[name]
    precision = row["date_precision"]
    record.update(
        page_url=reverse("explore:launch", kwargs={"slug": row["slug"]}),
        category_ordinal=row["category_ordinal"],
        previous_launch=row["previous_slug"],
        days_since_previous=days_between(
            row["previous_on"], row["previous_precision"], row["occurred_on"], precision
        ),
        previous_same_class_launch=row["previous_same_class_slug"],
        days_since_previous_same_class=days_between(
            row["previous_same_class_on"],
            row["previous_same_class_precision"],
            row["occurred_on"],
            precision,
        ),
        claims=claims,
        statements=statements,
        links=links,
    )
    return record
