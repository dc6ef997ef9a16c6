"""The extractor behind the desk, and the JSON it answers with.

The default, `RuleExtractor`, is offline and deterministic: gazetteers of actors, patterns for
quotes and attributions, a stance lexicon, and the launches and events already on record. It
reads the database (to match launches, events, actors and speakers) and never writes to it.
"""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from desk.extraction import events, launches, stance, statements


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
        return {
            "source": source(article),
            "launch": launches.match_launch(article),
            "statements": found,
            "events": events.find_events(article),
        }


def source(article):
    return {
        "url": article.url,
        "title": article.title,
        "publisher": article.publisher,
        "published_on": article.published_on.isoformat() if article.published_on else None,
        "language": article.language,
    }


@cache
def extractor():
    """The configured extractor (settings.DESK_EXTRACTOR), built once per process."""
    path = getattr(settings, "DESK_EXTRACTOR", "desk.extraction.pipeline.RuleExtractor")
    return import_string(path)()


def extract(article):
    """The proposals for one Article, as JSON-ready data."""
    return extractor().extract(article)
