"""The reader's pages about who reacted: the actor index, an actor, a speaker, a theme and a
source (the stance matrix and search are explore's)."""

import statistics

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import get_template, render_to_string

from core.caching import reads, surrogate_keys
from core.fragments import cached_fragments

from . import queries
from .charts import stance_over_time
from .filters import ActorIndexFilter
from .models import Stance, Statement, Theme
from .regions import REGION_CHOICES, REGION_LABELS, region_of

STATEMENTS_PER_PAGE = 50


def median_latency(rows):
    """The median time from launch to statement, over the rows where both are exact."""
    latencies = [
        row["issued_at"] - row["launch__occurred_at"]
        for row in rows
        if row["issued_at"] and row["launch__occurred_at"]
    ]
    return statistics.median(latencies) if latencies else None


OVERVIEW_TEMPLATE = "reactions/includes/_actor_overview.html"
ENTRY_TEMPLATE = "reactions/includes/_statement.html"


@reads("page")
def actor_detail(request, code):
    """Everything one actor said, its stance over time and how fast it usually responds.

    Its overview (a dot for each of its statements) and each statement's entry are kept
    in the fragment cache: at 10,000 launches the United States' page rendered them in
    about 100 ms, and reads them back in a few."""
    actor = get_object_or_404(queries.actor_page(), code=code.upper())
    surrogate_keys(request, actor, "launches")
    stamp = queries.actor_stamp(actor)
    paginator = Paginator(queries.actor_statements(actor), STATEMENTS_PER_PAGE)
    paginator.count = stamp["statement_count"]  # counted with the stamp, not again
    statements = paginator.get_page(request.GET.get("page"))
    statements.object_list = list(statements.object_list)
    entries = statement_entries(statements.object_list)
    for statement in statements.object_list:
        statement.entry = entries[statement.pk]
    overview = cached_fragments(
        [actor],
        template=OVERVIEW_TEMPLATE,
        stamp=lambda record: (record.launches_changed, sorted(stamp.items())),
        render=lambda records: [render_to_string(OVERVIEW_TEMPLATE, actor_overview(actor))],
    )
    return render(
        request,
        "reactions/actor_detail.html",
        {"actor": actor, "statements": statements, "overview": overview[actor.pk]},
    )


def actor_overview(actor):
    """What an actor's overview shows: how many statements, the chart of their stances and
    the median time to respond."""
    rows = list(Statement.objects.for_actor_chart().filter(actor=actor))
    timed = [row for row in rows if row["issued_at"] and row["launch__occurred_at"]]
    return {
        "actor": actor,
        "statement_count": len(rows),
        "chart": stance_over_time(rows),
        "median_latency": median_latency(rows),
        "latency_count": len(timed),
    }


def statement_entries(statements):
    """{id: html} of each statement's entry in an actor's list, read from the fragment cache
    while neither it, its launch nor its further sources changed (as queries.actor_statements
    stamps them)."""

    def render(missing):
        details = queries.statement_details([statement.pk for statement in missing])
        entry = get_template(ENTRY_TEMPLATE)
        return [
            entry.render({"statement": details[statement.pk], "show_launch": True, "heading": "h3"})
            for statement in missing
        ]

    return cached_fragments(
        statements,
        template=ENTRY_TEMPLATE,
        stamp=lambda statement: (
            "actor page",
            statement.updated_at,
            statement.launch.updated_at,
            statement.further_count,
            statement.further_latest,
        ),
        render=render,
    )


@reads("page")
def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    statements = Paginator(
        Statement.objects.for_actor_page().filter(themes=theme), STATEMENTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request, "reactions/theme_detail.html", {"theme": theme, "statements": statements}
    )


def stance_mix(actor):
    """(stance, label, count, share, offset) for each stance `actor` (from
    `queries.actor_index`) took, most critical first: share and offset in percent of its
    statements, for the bar that shows the mix."""
    mix, offset = [], 0.0
    for stance, label in Stance.choices:
        if count := getattr(actor, queries.stance_field(stance)):
            share = 100 * count / actor.statement_count
            mix.append((stance, label, count, share, offset))
            offset += share
    return mix


def by_region(actors):
    """(region slug, label, actors) for each region with actors, in the regions' order; the
    states in no region last."""
    groups = {}
    for actor in actors:
        groups.setdefault(region_of(actor), []).append(actor)
    named = [(slug, label, groups[slug]) for slug, label in REGION_CHOICES if slug in groups]
    if None in groups:
        named.append(("elsewhere", "Elsewhere", groups[None]))
    return named


@reads(*ActorIndexFilter.base_filters)
def actor_list(request):
    """States and organisations that have spoken, by region: how often, in what stance, and
    what they said last."""
    filterset = ActorIndexFilter(request.GET, queryset=queries.actor_index())
    context = {
        "filterset": filterset,
        "regions": REGION_CHOICES,
        "stances": [(str(value), label) for value, label in Stance.choices],
        "filtered": any(request.GET.get(name) for name in ActorIndexFilter.base_filters),
    }
    if not filterset.is_valid():
        context["errors"] = [
            (filterset.form[name].label, filterset.form[name].value(), message)
            for name, messages in filterset.errors.items()
            for message in messages
        ]
        return render(request, "reactions/actor_list.html", context, status=400)
    actors = list(filterset.qs)
    latest = queries.latest_statements(actors)
    for actor in actors:
        actor.mix = stance_mix(actor)
        actor.latest = latest[actor.pk]
    region, stance = (filterset.form.cleaned_data.get(name) for name in ("region", "stance"))
    context.update(
        groups=by_region(actors),
        actor_count=len(actors),
        statement_count=sum(actor.statement_count for actor in actors),
        region_label=REGION_LABELS.get(region),
        stance_label=dict(Stance.choices).get(stance),
    )
    return render(request, "reactions/actor_list.html", context)


@reads("page")
def speaker_detail(request, pk):
    """Who a speaker is and what they said, newest first."""
    speaker = get_object_or_404(queries.speaker_page(), pk=pk)
    statements = Paginator(queries.speaker_statements(speaker), STATEMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reactions/speaker_detail.html",
        {"speaker": speaker, "statements": statements},
    )


@reads()
def source_detail(request, pk):
    """A source and what it backs: statements, launches, events, claims and links. A source
    that backs nothing readers may see is not found."""
    source = get_object_or_404(queries.source_page(), pk=pk)
    backed = queries.backed_by(source)
    if not backed:
        raise Http404("No record readers may see cites this source.")
    return render(
        request,
        "reactions/source_detail.html",
        {"source": source, "backed": backed, "most": queries.BACKED_PER_KIND},
    )
