"""The reader's pages about who reacted: an actor, a theme, the stance matrix and search."""

import statistics

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from core.caching import reads
from core.text import text_only
from timeline.charts import stance_over_time
from timeline.filters import LaunchFilter
from timeline.models import Event, Launch
from timeline.views import filter_choices, filter_errors, neighbours, period

from .filters import ActorFilter
from .forms import SearchForm
from .models import Actor, Statement, Theme

STATEMENTS_PER_PAGE = 50
RESULTS_PER_KIND = 25


def median_latency(rows):
    """The median time from launch to statement, over the rows where both are exact."""
    latencies = [
        row["issued_at"] - row["launch__occurred_at"]
        for row in rows
        if row["issued_at"] and row["launch__occurred_at"]
    ]
    return statistics.median(latencies) if latencies else None


@reads("page")
def actor_detail(request, code):
    """Everything one actor said, its stance over time and how fast it usually responds."""
    actor = get_object_or_404(Actor, code=code.upper())
    rows = list(Statement.objects.for_actor_chart().filter(actor=actor))
    statements = Paginator(
        Statement.objects.for_actor_page().filter(actor=actor), STATEMENTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "reactions/actor_detail.html",
        {
            "actor": actor,
            "statements": statements,
            "statement_count": len(rows),
            "chart": stance_over_time(rows),
            "median_latency": median_latency(rows),
            "latency_count": sum(
                1 for row in rows if row["issued_at"] and row["launch__occurred_at"]
            ),
        },
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


@reads(*LaunchFilter.base_filters)
def stance_matrix(request):
    """Launches of one year against the actors that reacted to them, cell by cell."""
    filterset, year, years = period(request, LaunchFilter, Launch.objects.for_matrix())
    context = {"filterset": filterset, "year": year, "years": years, **filter_choices()}
    if not filterset.is_valid():
        context["errors"] = filter_errors(filterset)
        return render(request, "reactions/matrix.html", context, status=400)
    launches = list(filterset.qs) if year is not None else []
    actors = {}
    rows = []
    for launch in launches:
        cells = {}
        for statement in launch.statements.all():
            actors.setdefault(statement.actor_id, statement.actor)
            cells.setdefault(statement.actor_id, []).append(statement)
        rows.append((launch, cells))
    # Columns: the actors that spoke most often first, then by name.
    spoke = {pk: sum(pk in cells for _, cells in rows) for pk in actors}
    columns = sorted(actors.values(), key=lambda actor: (-spoke[actor.pk], actor.name))
    earlier, later = neighbours(year, years)
    context.update(
        columns=columns,
        rows=[(launch, [cells.get(actor.pk, []) for actor in columns]) for launch, cells in rows],
        earlier=earlier,
        later=later,
    )
    return render(request, "reactions/matrix.html", context)


@reads("q")
def search(request):
    """Quotes, launches, events and actors matching the words asked for."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        # Shown back to be corrected, without what no page can show.
        context = {"q": text_only(request.GET.get("q", "")), "errors": form.errors["q"]}
        return render(request, "reactions/search.html", context, status=400)
    text = form.cleaned_data["q"]
    context = {"q": text}
    if text:
        data = {"q": text}
        context.update(
            statements=Statement.objects.for_search(text)[:RESULTS_PER_KIND],
            launches=Launch.objects.for_search(text)[:RESULTS_PER_KIND],
            events=Event.objects.for_search(text)[:RESULTS_PER_KIND],
            actors=ActorFilter(data, queryset=Actor.objects.all()).qs[:RESULTS_PER_KIND],
        )
    return render(request, "reactions/search.html", context)
