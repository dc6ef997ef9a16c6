"""The reader's pages: the timeline, a launch, an event, and the charts."""

from itertools import groupby

from django.shortcuts import get_object_or_404, render

from core.caching import reads

from .charts import launches_per_year
from .filters import EventFilter, LaunchFilter
from .models import Event, EventKind, Launch, MissileClass

# Filters that only launches have: with one of these set, the timeline shows the events
# linked to the launches it shows, rather than every event of the period.
LAUNCH_ONLY_FILTERS = ("category", "missile_class", "actor", "stance")

FILTER_LABELS = {
    "year": "Year",
    "date_from": "From",
    "date_to": "To",
    "category": "Category",
    "missile_class": "Missile class",
    "actor": "Reaction by",
    "stance": "Stance",
    "event_kind": "Linked event",
    "q": "Words",
    "updated_since": "Updated since",
}


def filter_errors(filterset):
    """(label, value given, message) for each filter value that could not be read."""
    return [
        (FILTER_LABELS.get(name, name), filterset.form[name].value(), message)
        for name, messages in filterset.errors.items()
        for message in messages
    ]


def filter_choices():
    """Options for the filter form's menus."""
    # Reached through the reverse relation: timeline never imports reactions.
    statement = Launch._meta.get_field("statements").related_model
    stances = statement._meta.get_field("stance").choices
    return {
        "missile_classes": MissileClass.choices,
        "event_kinds": EventKind.choices,
        "stances": [(str(value), label) for value, label in stances],
        "actors": Launch.objects.for_timeline_actors(),
    }


def period(request, filterset_class, queryset):
    """Filter `queryset` to one year: the year asked for, or the latest that has matches.

    Returns the bound filterset (check `is_valid()`), the year and the years with matches.
    """
    data = request.GET.copy()
    filterset = filterset_class(data, queryset=queryset)
    if not filterset.is_valid():
        return filterset, None, []
    data.pop("year", None)
    years = filterset_class(data, queryset=Launch.objects.published()).qs.for_timeline_years()
    year = filterset.form.cleaned_data.get("year")
    if year is None and years:
        data["year"] = years[0]
        filterset = filterset_class(data, queryset=queryset)
    year = int(year) if year is not None else (years[0] if years else None)
    return filterset, year, years


def neighbours(year, years):
    """The nearest earlier and later years that have launches, for paging by period."""
    earlier = [y for y in years if year is not None and y < year]
    later = [y for y in years if year is not None and y > year]
    return (earlier[0] if earlier else None), (later[-1] if later else None)


@reads(*LaunchFilter.base_filters, "order")
def index(request):
    """The timeline, one year at a time: launches and the events around them in time order."""
    filterset, year, years = period(request, LaunchFilter, Launch.objects.for_timeline_page())
    context = {
        "filterset": filterset,
        "year": year,
        "years": years,
        "filtered": any(request.GET.get(name) for name in FILTER_LABELS if name != "year"),
        **filter_choices(),
    }
    if not filterset.is_valid():
        context["errors"] = filter_errors(filterset)
        return render(request, "timeline/index.html", context, status=400)
    launches = list(filterset.qs) if year is not None else []
    events = []
    if year is not None:
        cleaned = filterset.form.cleaned_data
        event_data = {
            "year": year,
            "date_from": request.GET.get("date_from", ""),
            "date_to": request.GET.get("date_to", ""),
            "kind": cleaned.get("event_kind") or "",
            "q": cleaned.get("q") or "",
        }
        events = EventFilter(event_data, queryset=Event.objects.for_timeline()).qs
        if any(cleaned.get(name) not in (None, "") for name in LAUNCH_ONLY_FILTERS):
            events = events.filter(links__launch__in=[launch.pk for launch in launches]).distinct()
    # Events first on a shared day: a trigger comes before the launch it prompted.
    entries = sorted(
        [(event.start_date, 0, index, "event", event) for index, event in enumerate(events)]
        + [
            (launch.occurred_on, 1, index, "launch", launch)
            for index, launch in enumerate(launches)
        ],
        key=lambda entry: entry[:3],
        reverse=request.GET.get("order") == "newest",
    )
    earlier, later = neighbours(year, years)
    context.update(
        newest_first=request.GET.get("order") == "newest",
        launch_count=len(launches),
        earlier=earlier,
        later=later,
        months=[
            (month, [entry[3:] for entry in items])
            for month, items in groupby(entries, key=lambda entry: entry[0].replace(day=1))
        ],
    )
    return render(request, "timeline/index.html", context)


@reads()
def launch_detail(request, slug):
    launch = get_object_or_404(Launch.objects.published().for_detail(), slug=slug)
    return render(request, "timeline/launch_detail.html", {"launch": launch})


@reads()
def event_detail(request, slug):
    event = get_object_or_404(Event.objects.published().for_detail(), slug=slug)
    return render(request, "timeline/event_detail.html", {"event": event})


@reads()
def charts(request):
    """Launches per year by missile class, as an SVG chart and the table behind it."""
    chart = launches_per_year(list(Launch.objects.for_chart()))
    return render(request, "timeline/charts.html", {"chart": chart})
