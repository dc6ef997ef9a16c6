"""The reader's pages about who reacted: an actor and a theme (the stance matrix and search
are explore's)."""

import statistics

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from core.caching import reads

from .charts import stance_over_time
from .models import Actor, Statement, Theme

STATEMENTS_PER_PAGE = 50


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
