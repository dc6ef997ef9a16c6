"""The extractor behind the desk, and the JSON it answers with.

The default, `RuleExtractor`, is offline and deterministic: gazetteers of actors, patterns for
quotes and attributions, a stance lexicon, and the launches and events already on record. It
reads the database (to match launches, events, actors and speakers) and never writes to it.
"""

import re
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

from desk.extraction import events, launches, stance, statements
from desk.extraction.actors import publisher_of
from desk.extraction.dates import reference_date
from timeline.models import Launch


class RuleExtractor:
    """Proposals from patterns and gazetteers. Any class with `extract(article)` returning the
    same JSON can take its place through the DESK_EXTRACTOR setting."""

    def extract(self, article):
        found = statements.find_statements(article)
        for statement in found:
            statement["stance"], statement["stance_words"] = stance.suggest_stance(
                statement["quote"], article.language
            )
            statement["themes"] = stance.suggest_themes(statement["quote"], article.language)
        launch = launches.match_launch(article)
        if launch["match"] and reference_date(article) is None:
            _date_by_launch(found, launch["match"])
        return {
            "source": source(article),
            "launch": launch,
            "statements": found,
            "events": events.find_events(article),
        }


def _date_by_launch(found, slug):
    """A text that dates neither itself nor a statement ("SEOUL, Nov. 7 --") is read as of the
    day of the launch it is about: most reactions come that day, and the analyst checks it."""
    undated = [statement for statement in found if not statement["issued_on"]]
    if undated:
        occurred_on = Launch.objects.filter(slug=slug).values_list("occurred_on", flat=True).first()
        for statement in undated:
            statement["issued_on"] = occurred_on.isoformat() if occurred_on else None


def source(article):
    """The source's metadata: the page's own when it had some, else what the text and its
    address say (a heading for the title, the publisher behind the host, the page's date)."""
    published_on = reference_date(article)
    return {
        "url": article.url,
        "title": article.title or heading(article.text),
        "publisher": publisher(article),
        "published_on": published_on.isoformat() if published_on else None,
        "language": article.language,
    }


def publisher(article):
    """The page's site name, else the known publisher behind its host, else the host."""
    host = (urlsplit(article.url).hostname or "").removeprefix("www.") if article.url else ""
    if article.publisher and article.publisher != host:
        return article.publisher
    return publisher_of(article.url)[1] or article.publisher or host


# A heading is a line of a few words to a few dozen, with no full stop or colon at its end;
# site furniture ("Skip to main content", "Press Conferences") is shorter or says so.
HEADING_LINES = 8
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
FURNITURE = re.compile(
    r"^(?:skip to|welcome|willkommen|bienvenue|menu|search|suche|recherche|print|share|home)\b",
    re.I,
)


def heading(text):
    """The first heading-like line among the first lines of a pasted text, or ""."""
    lines = [line.strip() for line in (text or "").split("\n") if line.strip()]
    for line in lines[:HEADING_LINES]:
        # Japanese and Chinese write no spaces: a word is about two characters.
        words = len(line) // 2 if CJK.search(line) else len(line.split())
        ended = line.endswith((".", ":", ";", ",", "。"))
        if 5 <= words <= 40 and not ended and not FURNITURE.match(line):
            return line
    return ""


@cache
def extractor():
    """The configured extractor (settings.DESK_EXTRACTOR), built once per process."""
    path = getattr(settings, "DESK_EXTRACTOR", "desk.extraction.pipeline.RuleExtractor")
    return import_string(path)()


def extract(article):
    """The proposals for one Article, as JSON-ready data."""
    return extractor().extract(article)
