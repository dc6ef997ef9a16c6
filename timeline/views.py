"""The reader's event pages: the index of events and one event; the timeline, launch and
chart pages are explore's."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from core.caching import reads

from . import queries
from .filters import EventFilter
from .models import Event, EventKind

EVENTS_PER_PAGE = 50
# How the index names each filter in its error messages.
FILTER_LABELS = {
    "kind": "Kind",
    "year": "Year",
    "q": "Words",
    "date_from": "From",
    "date_to": "To",
    "updated_since": "Updated since",
}


@reads(*EventFilter.base_filters, "page")
def event_list(request):
    """Events by kind and year, newest first, each with the launches linked to it."""
    filterset = EventFilter(request.GET, queryset=queries.event_index())
    context = {
        "filterset": filterset,
        "kinds": EventKind.choices,
        "years": queries.event_years(),
        "filtered": any(request.GET.get(name) for name in EventFilter.base_filters),
    }
    if not filterset.is_valid():
        context["errors"] = [
            (FILTER_LABELS.get(name, name), filterset.form[name].value(), message)
            for name, messages in filterset.errors.items()
            for message in messages
        ]
        return render(request, "timeline/event_list.html", context, status=400)
    context["events"] = Paginator(filterset.qs, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "timeline/event_list.html", context)


@reads()
def event_detail(request, slug):
    event = get_object_or_404(Event.objects.published().for_detail(), slug=slug)
    return render(request, "timeline/event_detail.html", {"event": event})
