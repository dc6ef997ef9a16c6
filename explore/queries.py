"""The read paths that combine launches with the reactions to them: the timeline page, the
launch page, the stance matrix, the launch API's statements and the sources readers may see.

Under launches already narrowed to those a reader may see, statements are only checked for
being published, and links for being published with their event: checking their launch again
would join every launch for a page of fifty.
"""

import functools
from typing import NamedTuple

from django.db import connection, connections, router
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    F,
    Max,
    OuterRef,
    Prefetch,
    StringAgg,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, NullIf

from editorial.models import Status
from reactions.models import Actor, Statement
from timeline.models import Event, Launch, LaunchClaim, Link, Source
from timeline.models.launches import detail_details
from timeline.models.sources import cited_by


def timeline_launches():
    """The timeline page's launches with their derived facts and the stamps of their cards
    (card_stamps()): what else their cards show is read by card_details(), for the cards not
    in the cache."""
    return _timeline_launches().all()


@functools.cache
def _timeline_launches():
    # Built once: the derived facts' seven subqueries took about 3 ms to build for each
    # request, as long as the database takes to compute them; a clone of it costs nothing.
    return Launch.objects.for_timeline_page().annotate(**card_stamps())


def card_details():
    """Prefetches of what a timeline card shows beyond its launch's row: the visible links,
    and the story's details (story_details())."""
    return [Prefetch("links", queryset=Link.objects.for_cards()), *story_details()]


def story_details():
    """Prefetches of what the front page's latest launch shows beyond its row: the claims
    behind its figures, and each reaction with its actor's name, as its chips show it."""
    chips = (
        # What a reaction chip shows, and no more: a year's page has thousands.
        Statement.objects.published()
        .only("launch_id", "actor_id", "stance", "issued_on", "issued_at")
        .annotate(
            actor_label=Coalesce(NullIf("actor__short_name", Value("")), "actor__name"),
            actor_code=F("actor__code"),
        )
        .order_by("issued_on", "id")
    )
    return [
        Prefetch("claims", queryset=LaunchClaim.objects.order_by("position", "id")),
        Prefetch("statements", queryset=chips),
    ]


# The parts of a card's stamp, each an annotation of the launch: "how many:latest change".
CARD_STAMPS = ("card_statements", "card_claims", "card_claim_versions", "card_links")


def card_stamps():
    """Annotations of a launch with what its timeline card shows beyond the launch's row: how
    many published reactions, claims (and versions of claims: any change to one adds one)
    and visible links it has, and when the latest of each (or a linked event) changed, as
    "count:latest" (NULL without any). A publish, an edit or a removal under a launch
    changes them. Read with the launches: a query of their own, naming each launch of the
    page, took about 7 ms at a year of 108 launches, as much to build as to answer."""
    no_time = Cast(None, DateTimeField())
    parts = {
        "card_statements": Statement.objects.published().annotate(changed=F("updated_at")),
        "card_claims": LaunchClaim.objects.annotate(changed=no_time),
        "card_claim_versions": LaunchClaim.history.annotate(changed=F("history_date")),
        "card_links": Link.objects.published()
        .filter(event__status=Status.PUBLISHED)
        .annotate(changed=Greatest("updated_at", "event__updated_at")),
    }
    return {name: count_and_latest(part, "launch", F("changed")) for name, part in parts.items()}


def count_and_latest(rows, launch, changed):
    """A subquery of a launch: how many of `rows` hang from it (by their field `launch`) and
    the latest of their `changed`, as "count:latest" (NULL without any)."""
    grouped = rows.filter(**{launch: OuterRef("pk")}).order_by().values(launch)
    stamp = Concat(
        Cast(Count("*"), CharField()),
        Value(":"),
        Cast(Max(changed), CharField()),
        output_field=CharField(),
    )
    return Subquery(grouped.annotate(stamp=stamp).values("stamp"))


def api_launch_stamps(launch_ids, *, expand=()):
    """{launch id: stamp} of what the API's launch list shows of each launch beyond its own
    row, in one query: how many versions of the launch there are (a change to its sources
    adds one), how many claims and versions of claims, and, as `expand` names them, how many
    published statements, visible links and versions of each, with when the latest changed.

    Every change to a record, its many-to-many relations included, adds a version
    (simple_history), whatever the order in which concurrent writes commit; a removal, an
    unpublishing or a move to another launch also changes how many records are left.

    Written as SQL: built by the ORM, the same query cost 3 ms (6 ms with the statements),
    against 0.5 ms (1.2 ms) as SQL, in a list whose target is 15 ms.
    """
    if not launch_ids:
        return {}
    table = stamp_tables()
    published = Status.PUBLISHED
    # (kind; launch id, how many, latest change; of which rows; the conditions' parameters)
    parts = [
        ("versions", "id, COUNT(*), MAX(history_date)", table["launch versions"], "id", []),
        ("claims", "launch_id, COUNT(*), NULL", table["claims"], "launch_id", []),
        (
            "claim versions",
            "launch_id, COUNT(*), MAX(history_date)",
            table["claim versions"],
            "launch_id",
            [],
        ),
    ]
    if "statements" in expand:
        parts += [
            (
                "statements",
                "launch_id, COUNT(*), MAX(updated_at)",
                table["statements"],
                "status = %s AND launch_id",
                [published],
            ),
            (
                "statement versions",
                "launch_id, COUNT(*), MAX(history_date)",
                table["statement versions"],
                "launch_id",
                [],
            ),
        ]
    if "links" in expand:
        parts += [
            (
                # A link shows its event's title: the event's changes count too.
                "links",
                "link.launch_id, COUNT(*), MAX(CASE WHEN event.updated_at > link.updated_at "
                "THEN event.updated_at ELSE link.updated_at END)",
                f"{table['links']} link JOIN {table['events']} event ON event.id = link.event_id",
                "link.status = %s AND event.status = %s AND link.launch_id",
                [published, published],
            ),
            (
                "link versions",
                "launch_id, COUNT(*), MAX(history_date)",
                table["link versions"],
                "launch_id",
                [],
            ),
        ]
    # The page's ids given once; each part's rows tagged by its place in the list. The text
    # depends only on how many ids and parts there are, so the driver parses it once.
    page = ", ".join(["(%s)"] * len(launch_ids))
    sql = f"WITH page (id) AS (VALUES {page}) " + " UNION ALL ".join(
        f"SELECT {n}, {columns} FROM {rows} WHERE {condition} IN (SELECT id FROM page) GROUP BY 2"
        for n, (_, columns, rows, condition, _) in enumerate(parts)
    )
    params = [*launch_ids, *(value for *_, values in parts for value in values)]
    with connections[router.db_for_read(Launch)].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    stamps = {}
    for part, launch_id, n, latest in sorted(rows, key=lambda row: row[:2]):
        stamps.setdefault(launch_id, []).append((parts[part][0], n, latest))
    return stamps


@functools.cache
def stamp_tables():
    """The tables api_launch_stamps() reads, by the names its parts give them."""
    models = {
        "launch versions": Launch.history.model,
        "claims": LaunchClaim,
        "claim versions": LaunchClaim.history.model,
        "statements": Statement,
        "statement versions": Statement.history.model,
        "links": Link,
        "link versions": Link.history.model,
        "events": Event,
    }
    return {name: connection.ops.quote_name(model._meta.db_table) for name, model in models.items()}


def timeline_events():
    """The timeline page's events with the stamps of their markers
    (Event.objects.for_timeline_page())."""
    return _timeline_events().all()


@functools.cache
def _timeline_events():
    # Built once, and only ever cloned, as _timeline_launches(): building the markers'
    # subqueries took longer than cloning the queryset built.
    return Event.objects.for_timeline_page()


def marker_details():
    """Prefetches of what an event's marker on the timeline shows: its links and launches."""
    return [Prefetch("links", queryset=Link.objects.for_markers())]


def actors_with_reactions():
    """(code, name) of every actor with a reaction readers may see."""
    reacted = Statement.objects.visible().filter(actor=OuterRef("pk"))
    # The earliest reaction looked up per actor (a few hundred of them) through the
    # (actor, issued_on) index, rather than every statement read, as EXISTS or DISTINCT
    # would be planned: statements grow with time, actors hardly do. The ordering keeps
    # the planner on the index; without it, it scans statements hoping for an early hit.
    return (
        Actor.objects.annotate(reaction=Subquery(reacted.order_by("issued_on").values("pk")[:1]))
        .filter(reaction__isnull=False)
        .annotate(label=Coalesce(NullIf("short_name", Value("")), "name"))
        .order_by("label")
        .values_list("code", "label")
    )


def latest_versions():
    """(id, time) of the latest version the history holds of a launch and of a statement, in
    that order (None for one with none): what moves with any change to the records that the
    timeline's menus (its years, sites and the actors that reacted) and the actors that
    usually react are read from, besides the actors' names, which are reference data (the
    data version). Any save or removal of a launch or statement adds a version, bulk loads
    included (simple_history's bulk_create_with_history).

    Each read from the end of its history's primary key: constant time, where counting the
    records or reading their latest change would take longer as they grow."""
    with connections[router.db_for_read(Launch)].cursor() as cursor:
        cursor.execute(latest_versions_sql())
        found = {n: (pk, changed) for n, pk, changed in cursor.fetchall()}
    return (found.get(0), found.get(1))


@functools.cache
def latest_versions_sql():
    # Built once: reaching a model's history manager builds a manager class each time.
    tables = [
        connection.ops.quote_name(model.history.model._meta.db_table)
        for model in (Launch, Statement)
    ]
    return " UNION ALL ".join(
        f"SELECT {n}, history_id, history_date FROM {table} "
        f"WHERE history_id = (SELECT MAX(history_id) FROM {table})"
        for n, table in enumerate(tables)
    )


# How many launches back an actor's reactions make it one that usually reacts.
USUAL_REACTORS_WINDOW = 5


def usual_reactors(launch):
    """The actors that usually react: those with a published statement on one of the
    USUAL_REACTORS_WINDOW published launches before `launch`, as (id, code, short name),
    by name. Against them, the front page and the launch page tell who has not spoken."""
    spoke = reactions_before(launch.sort_at).values("actor")
    return list(
        Actor.objects.filter(pk__in=spoke)
        .annotate(label=Coalesce(NullIf("short_name", Value("")), "name"))
        .order_by("label", "id")
        .values_list("pk", "code", "label")
    )


def reactions_before(sort_at):
    """The published statements on the USUAL_REACTORS_WINDOW published launches before
    `sort_at` (a moment, or a reference to one in an outer query)."""
    previous = (
        Launch.objects.published()
        .filter(sort_at__lt=sort_at)
        .order_by("-sort_at", "-id")
        .values("pk")[:USUAL_REACTORS_WINDOW]
    )
    return Statement.objects.published().filter(launch__in=previous)


def launches_counting_reactions_to(launch_id):
    """The ids of the published launches whose usual reactors count the reactions to launch
    `launch_id`: those with fewer than USUAL_REACTORS_WINDOW published launches between."""
    start = Launch.objects.filter(pk=launch_id).values_list("sort_at", flat=True).first()
    after = Launch.objects.published().filter(sort_at__gt=start)
    window = after.order_by("sort_at").values_list("sort_at", flat=True)[:USUAL_REACTORS_WINDOW]
    if start is None or not (cut := list(window)):
        return []
    return list(after.filter(sort_at__lte=cut[-1]).values_list("pk", flat=True))


def launch_page_details():
    """Prefetches of what a launch page's body shows beyond its row: its sources, claims and
    visible links (timeline.models.launches.detail_details()), and each published reaction
    with its sources."""
    return [
        *detail_details(),
        Prefetch(
            "statements",
            queryset=Statement.objects.published()
            .select_related("actor", "speaker", "source")
            .prefetch_related("co_signers", "themes", "further_sources")
            .order_by("issued_on", "issued_at", "id"),
        ),
    ]


# What a launch page shows beyond the launch's row, each as (rows under the launch, when one
# changed): its published reactions and visible links, and the versions the history holds of
# the launch and of its statements, claims and links. Any change to one of these, its sources,
# themes and co-signers included, adds a version; a removal changes a count.
PAGE_STAMP_PARTS = {
    "statements": (Statement.objects.published(), "launch", F("updated_at")),
    "links": (
        Link.objects.published().filter(event__status=Status.PUBLISHED),
        "launch",
        Greatest("updated_at", "event__updated_at"),
    ),
    "launch_versions": (Launch.history.all(), "id", F("history_date")),
    "statement_versions": (Statement.history.all(), "launch_id", F("history_date")),
    "claim_versions": (LaunchClaim.history.all(), "launch_id", F("history_date")),
    "link_versions": (Link.history.all(), "launch_id", F("history_date")),
}


def launch_head():
    """Published launches with their derived facts and, as `stamp_<part>` ("how many, latest
    change") for each of PAGE_STAMP_PARTS, a stamp of what their page shows besides: what a
    launch page reads on every request; the rest, by launch_page_details(), only when its
    body is rendered again."""
    return _launch_head().all()


@functools.cache
def _launch_head():
    # Built once per process, and only ever cloned: building its dozen subqueries took 4 ms
    # a request, as long as compiling and running them together.
    stamps = {
        f"stamp_{name}": count_and_latest(rows, launch, changed)
        for name, (rows, launch, changed) in PAGE_STAMP_PARTS.items()
    }
    # The actors that usually react, as ids (their names are reference data): what
    # usual_reactors() reads for the page only when its body is rendered again.
    spoke = (
        reactions_before(OuterRef(OuterRef("sort_at")))
        .order_by()
        .annotate(everyone=Value(1))
        .values("everyone")
        .annotate(ids=StringAgg(Cast("actor_id", CharField()), delimiter=Value(",")))
        .values("ids")
    )
    stamps["stamp_reactors"] = Subquery(spoke)
    return Launch.objects.published().with_derived_facts().annotate(**stamps)


def matrix_launches():
    """Published launches in time order: the stance matrix's rows (matrix_cells() fills them)."""
    return Launch.objects.published().chronological()


class MatrixCell(NamedTuple):
    """One statement in a cell of the stance matrix: what the cell shows of it."""

    pk: int
    stance: int


def matrix_cells(launch_ids):
    """{launch id: {actor id: [MatrixCell, in the order they were issued]}} of the published
    statements on `launch_ids`, in one query of plain rows: a year has thousands."""
    rows = (
        Statement.objects.published()
        .filter(launch_id__in=launch_ids)
        .order_by("issued_on", "issued_at", "id")
        .values_list("launch_id", "actor_id", "pk", "stance")
    )
    cells = {}
    for launch_id, actor_id, pk, stance in rows:
        cells.setdefault(launch_id, {}).setdefault(actor_id, []).append(MatrixCell(pk, stance))
    return cells


def api_statements(*, drafts=False):
    """The statements an API client sees under the launches it may see, in listing order."""
    statements = Statement.objects.all() if drafts else Statement.objects.published()
    return statements.order_by("issued_on", "issued_at", "id")


def api_launches(*, drafts=False, expand=()):
    """Launch.objects.for_api(), with the statements prefetched when `expand` names them."""
    launches = Launch.objects.for_api(drafts=drafts, expand=expand)
    if "statements" in expand:
        launches = launches.prefetch_related(
            Prefetch(
                "statements",
                queryset=api_statements(drafts=drafts)
                .select_related("actor", "speaker", "source")
                .prefetch_related("co_signers", "themes", "further_sources"),
            )
        )
    return launches


def visible_sources():
    """Sources cited by a record readers may see: a published launch or event, a claim on a
    published launch, a visible link, a visible statement, first or further."""
    return Source.objects.cited_on_timeline() | Source.objects.filter(
        cited_by(Statement.objects.visible())
    )


def api_sources(*, drafts=False):
    """Every source for a client allowed to see drafts; otherwise the visible ones."""
    return Source.objects.all() if drafts else visible_sources()
