"""Atom feeds of the published record."""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.xmlutils import SimplerXMLGenerator

from .models import Launch
from .text import text_only

FEED_LENGTH = 50


class TextOnlyXMLGenerator(SimplerXMLGenerator):
    """Writes every text and attribute value without the characters that are not text.

    Every writer refuses them now, but a row stored before that rule may hold one, and a
    single control character would otherwise fail the whole feed or make it malformed XML.
    """

    def characters(self, content):
        super().characters(text_only(content) if content else content)

    def startElement(self, name, attrs):
        clean = {key: text_only(v) if isinstance(v, str) else v for key, v in attrs.items()}
        super().startElement(name, clean)


class TextOnlyAtom1Feed(Atom1Feed):
    """An Atom feed that stays valid XML whatever the stored text holds."""

    def write(self, outfile, encoding):
        # Atom1Feed.write, with the generator above.
        handler = TextOnlyXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")


class LaunchFeed(Feed):
    feed_type = TextOnlyAtom1Feed
    title = "Salvo: missile launches"
    link = reverse_lazy("timeline:index")
    subtitle = "Launches as they are published, latest first."

    def items(self):
        return Launch.objects.for_feed()[:FEED_LENGTH]

    def item_title(self, item):
        name = f" ({item.missile_name})" if item.missile_name else ""
        return f"{item.get_missile_class_display()} launch, {item.occurred_on:%-d %B %Y}{name}"

    def item_description(self, item):
        # Atom summaries are read as HTML: escape what analysts typed.
        return escape(item.summary or item.get_confidence_display())

    def item_pubdate(self, item):
        return item.published_at or item.sort_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.missile_class, item.confidence]
