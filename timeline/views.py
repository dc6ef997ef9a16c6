"""The reader's event page; the timeline, launch and chart pages are explore's."""

from django.shortcuts import get_object_or_404, render

from core.caching import reads

from .models import Event


@reads()
def event_detail(request, slug):
    event = get_object_or_404(Event.objects.published().for_detail(), slug=slug)
    return render(request, "timeline/event_detail.html", {"event": event})
