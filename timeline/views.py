from itertools import groupby

from django.shortcuts import get_object_or_404, render

from .models import Event, Launch


def index(request):
    """The timeline, one year at a time: launches and events in time order."""
    years = sorted(Launch.objects.published().dates("occurred_on", "year"), reverse=True)
    year_values = [d.year for d in years]
    try:
        year = int(request.GET.get("year") or year_values[0])
    except (ValueError, IndexError):
        year = year_values[0] if year_values else None
    launches = list(Launch.objects.for_timeline().filter(occurred_on__year=year))
    if request.GET.get("order") == "newest":
        launches.reverse()
    months = [
        (month, list(items))
        for month, items in groupby(launches, key=lambda launch: launch.occurred_on.replace(day=1))
    ]
    events = Event.objects.for_timeline().filter(start_date__year=year)
    return render(
        request,
        "timeline/index.html",
        {"year": year, "years": year_values, "months": months, "events": events},
    )


def launch_detail(request, slug):
    launch = get_object_or_404(Launch.objects.published().for_detail(), slug=slug)
    return render(request, "timeline/launch_detail.html", {"launch": launch})


def event_detail(request, slug):
    event = get_object_or_404(Event.objects.published().for_detail(), slug=slug)
    return render(request, "timeline/event_detail.html", {"event": event})
