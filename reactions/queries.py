"""The read paths of the reader's indexes of who spoke and what backs it: the actor index, a
speaker's page and a source's page. Each reads in a fixed number of queries, whatever the
number of statements."""

from django.db.models import Count, F, Func, IntegerField, Max, OuterRef, Q, Subquery

from editorial.models import Status
from timeline.models import Event, Launch, LaunchClaim, Link, Source

from .models import Actor, Speaker, Stance, Statement

# What a source's page lists of each kind of record it backs, at most.
BACKED_PER_KIND = 100


def stance_field(stance):
    """The name of the annotation counting an actor's statements of `stance`."""
    return f"stance_{stance + 2}"


def actor_index():
    """Actors with a statement readers may see, each annotated with `statement_count`, one
    count per stance (`stance_field`) and `latest_statement` (the id of its newest)."""
    spoken = Statement.objects.visible().filter(actor=OuterRef("pk"))
    newest = spoken.order_by("-issued_on", F("issued_at").desc(nulls_last=True), "-id")
    return (
        Actor.objects.annotate(
            statement_count=count_of(spoken),
            **{
                stance_field(stance): count_of(spoken.filter(stance=stance))
                for stance in Stance.values
            },
            latest_statement=Subquery(newest.values("pk")[:1]),
        )
        .filter(statement_count__gt=0)
        .order_by("name", "id")
    )


def actor_page():
    """Actors, each with `launches_changed`: when any launch last changed (a launch moved or
    unpublished moves or hides the dots of the statements on it)."""
    changed = Launch.objects.order_by("-updated_at").values("updated_at")[:1]
    return Actor.objects.annotate(launches_changed=Subquery(changed))


def actor_stamp(actor):
    """What stamps `actor`'s overview beside `launches_changed`: `statement_count`, how many
    statements of its readers may see, and `statements_changed`, when the latest of its
    published statements changed.

    Read from the (actor, status, updated_at, launch) index alone, leaving out the few
    launches readers may not see rather than joining every launch: at 10,000 launches, about
    1 ms for an actor with 5,000 statements, against 9 ms for the join."""
    unpublished = [status for status in Status.values if status != Status.PUBLISHED]
    hidden = Launch.objects.filter(status__in=unpublished)
    return (
        Statement.objects.published()
        .filter(actor=actor)
        .aggregate(
            statement_count=Count("launch", filter=~Q(launch__in=hidden)),
            statements_changed=Max("updated_at"),
        )
    )


def actor_statements(actor):
    """What `actor` said that readers may see, latest launch first: each with what stamps its
    entry and no more (its own and its launch's `updated_at`, and `further_count` and
    `further_latest`, the number and newest id of its further sources' rows: setting them
    changes no `updated_at`). `statement_details` reads the rest."""
    cited = Statement.further_sources.through.objects.filter(statement=OuterRef("pk"))
    return (
        Statement.objects.visible()
        .filter(actor=actor)
        .select_related("launch")
        .only("updated_at", "launch__updated_at")
        .annotate(
            further_count=count_of(cited),
            further_latest=Subquery(cited.order_by("-id").values("id")[:1]),
        )
        .order_by("-launch__sort_at", "issued_on", "id")
    )


def statement_details(ids):
    """{id: statement} of the statements `ids`, with everything an entry in a list shows."""
    return (
        Statement.objects.select_related("actor", "speaker", "source", "launch")
        .prefetch_related("further_sources")
        .in_bulk(ids)
    )


def latest_statements(actors):
    """The newest statement of each actor in `actors` (from `actor_index`), by actor id,
    with its launch."""
    statements = Statement.objects.filter(
        pk__in=[actor.latest_statement for actor in actors]
    ).select_related("launch")
    return {statement.actor_id: statement for statement in statements}


def speaker_page():
    """Speakers readers may see (one visible statement at least), with their actor."""
    return Speaker.objects.visible().select_related("actor")


def speaker_statements(speaker):
    """What `speaker` said that readers may see, newest first, with what a statement shows."""
    return Statement.objects.for_feed().prefetch_related("further_sources").filter(speaker=speaker)


def count_of(queryset):
    """A subquery counting the rows of `queryset`, whose filter refers to the outer row.

    COUNT as a plain function, not an aggregate: the subquery then has no GROUP BY, and
    answers 0 rather than nothing for a row with none."""
    return Subquery(
        queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def backed_records():
    """What each record readers may see cites its source, by kind: the querysets a source's
    page lists, each in its listing order with what its rows show."""
    published = Status.PUBLISHED
    return {
        "statements": Statement.objects.for_feed(),
        "launches": Launch.objects.published().order_by("-sort_at", "-id"),
        "events": Event.objects.published().order_by("-start_date", "-id"),
        "claims": LaunchClaim.objects.filter(launch__status=published)
        .select_related("launch")
        .order_by("-launch__sort_at", "position", "id"),
        "links": Link.objects.visible()
        .select_related("launch", "event")
        .order_by("-launch__sort_at", "id"),
    }


# The kinds of record that cite a source first and may cite further ones (CitesSources).
FURTHER = {"statements": Statement, "claims": LaunchClaim, "links": Link}


def cites(kind, source):
    """A filter on records of `kind` citing `source` (a Source, or an OuterRef to one from a
    query of sources): among their sources for launches and events, first or further for
    the others. The further ones are read from their table by id, so that a record is counted
    once; that subquery is a level deeper, and so is its reference to the source."""
    if kind not in FURTHER:
        return Q(sources=source)
    through = FURTHER[kind].further_sources.through
    owner = f"{FURTHER[kind]._meta.model_name}_id"
    deeper = OuterRef(source) if isinstance(source, OuterRef) else source
    return Q(source=source) | Q(pk__in=through.objects.filter(source=deeper).values(owner))


def source_page():
    """Sources annotated with `<kind>_count`: how many records readers may see of each kind
    in `backed_records()` cite it, first or further."""
    return Source.objects.annotate(
        **{
            f"{kind}_count": count_of(records.filter(cites(kind, OuterRef("pk"))))
            for kind, records in backed_records().items()
        }
    )


def backed_by(source):
    """{kind: (count, the first BACKED_PER_KIND records)} for each kind of record that
    `source` (from `source_page`) backs; no query for a kind it backs none of."""
    return {
        kind: (count, list(records.filter(cites(kind, source))[:BACKED_PER_KIND]))
        for kind, records in backed_records().items()
        if (count := getattr(source, f"{kind}_count"))
    }
