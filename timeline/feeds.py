"""Atom feeds of the published record."""

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.html import escape

from core.caching import reads
from core.feeds import FEED_LENGTH, TextOnlyAtom1Feed

from .models import Launch


@reads()
class LaunchFeed(Feed):
    feed_type = TextOnlyAtom1Feed
    title = "Salvo: missile launches"
    link = reverse_lazy("explore:index")
    subtitle = "Launches as they are published, latest first."

    def items(self):
        return Launch.objects.for_feed()[:FEED_LENGTH]

    def item_title(self, item):
        name = f" ({item.missile_name})" if item.missile_name else ""
        return f"{item.get_missile_class_display()} launch, {item.date_label}{name}"

    def item_description(self, item):
        # Atom summaries are read as HTML: escape what analysts typed.
        return escape(item.summary or item.get_confidence_display())

    def item_pubdate(self, item):
        """When the launch happened, not when it was imported: fifty launches imported at
        once stay fifty launches of their own days. A launch known only by its day is dated
        the start of that day, in its own zone."""
        if item.occurred_at:
            return item.occurred_at
        return datetime.datetime.combine(item.occurred_on, datetime.time(), tzinfo=item.zone)

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.missile_class, item.confidence]
