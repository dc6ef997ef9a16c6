"""Atom feeds whose every text is text: the base every feed of the site uses."""

from django.utils.feedgenerator import Atom1Feed
from django.utils.xmlutils import SimplerXMLGenerator

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
