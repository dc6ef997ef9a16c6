"""Atom feeds of published statements: all of them, and one actor's."""

import datetime

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.html import escape

from core.caching import reads
from core.feeds import FEED_LENGTH, TextOnlyAtom1Feed

from .models import Actor, Stance, Statement

# What an actor did, as the verb of an entry's title: "Russia defends the … launch".
STANCE_VERBS = {
    Stance.CONDEMNS: "condemns",
    Stance.CONCERNED: "voices concern over",
    Stance.NEUTRAL: "comments on",
    Stance.SUPPORTIVE: "supports",
    Stance.DEFENDS: "defends",
}


@reads()
class StatementFeed(Feed):
    feed_type = TextOnlyAtom1Feed
    title = "Salvo: reactions to missile launches"
    link = reverse_lazy("explore:index")
    subtitle = "Statements by states and organisations, latest first."

    def items(self):
        return Statement.objects.for_feed()[:FEED_LENGTH]

    def item_title(self, item):
        launch = item.launch
        verb = STANCE_VERBS.get(item.stance, "speaks on")
        return (
            f"{item.actor} {verb} the "
            f"{launch.get_missile_class_display()} launch of {launch.date_label}"
        )

    def item_description(self, item):
        # Atom summaries are read as HTML: escape what analysts typed.
        speaker = f" — {item.speaker}" if item.speaker else ""
        if item.quote_kind == "paraphrase":
            return escape(f"Reported speech: {item.quote}{speaker}")
        return escape(f"“{item.quote}”{speaker}")

    def item_pubdate(self, item):
        """When the statement was made, not when it was entered: a subscriber reads the
        record's own date. A statement known only by its day is dated that day, 00:00 UTC."""
        if item.issued_at:
            return item.issued_at
        return datetime.datetime.combine(item.issued_on, datetime.time(), tzinfo=datetime.UTC)

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return str(item.actor)


class ActorStatementFeed(StatementFeed):
    def get_object(self, request, code):
        return get_object_or_404(Actor, code=code.upper())

    def title(self, obj):
        return f"Salvo: statements by {obj}"

    def link(self, obj):
        return obj.get_absolute_url()

    def subtitle(self, obj):
        return f"What {obj} said about missile launches, latest first."

    def items(self, obj):
        return Statement.objects.for_feed().filter(actor=obj)[:FEED_LENGTH]
