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
from desk.extraction.dates import dateline


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
    """The source's metadata: the page's own when it had some, else what the text and its
    address say (a heading for the title, the publisher behind the host, a date line)."""
    published_on = article.published_on or dateline(article.text)
    return {
        "url": article.url,
        "title": article.title or heading(article.text),
        "publisher": publisher(article),
        "published_on": published_on.isoformat() if published_on else None,
        "language": article.language,
    }


# Official sites by the domain they live under; the longest matching suffix names the host.
PUBLISHERS = {
    "mofa.go.jp": "Ministry of Foreign Affairs of Japan",
    "kantei.go.jp": "Prime Minister's Office of Japan",
    "mod.go.jp": "Ministry of Defense of Japan",
    "mofa.go.kr": "Ministry of Foreign Affairs of the Republic of Korea",
    "mofa.gov.tw": "Ministry of Foreign Affairs, Republic of China (Taiwan)",
    "mfa.gov.cn": "Ministry of Foreign Affairs of the People's Republic of China",
    "mid.ru": "Ministry of Foreign Affairs of the Russian Federation",
    "kremlin.ru": "President of Russia",
    "auswaertiges-amt.de": "Auswärtiges Amt",
    "bundesregierung.de": "Die Bundesregierung",
    "diplomatie.gouv.fr": "Ministère de l'Europe et des Affaires étrangères",
    "elysee.fr": "Élysée",
    "esteri.it": "Ministero degli Affari Esteri",
    "gov.uk": "GOV.UK",
    "state.gov": "U.S. Department of State",
    "whitehouse.gov": "The White House",
    "defense.gov": "U.S. Department of Defense",
    "pacom.mil": "U.S. Indo-Pacific Command",
    "international.gc.ca": "Global Affairs Canada",
    "dfat.gov.au": "Department of Foreign Affairs and Trade (Australia)",
    "mfat.govt.nz": "Ministry of Foreign Affairs and Trade (New Zealand)",
    "dfa.gov.ph": "Department of Foreign Affairs (Philippines)",
    "mea.gov.in": "Ministry of External Affairs (India)",
    "un.org": "United Nations",
    "press.un.org": "United Nations, Meetings Coverage and Press Releases",
    "news.un.org": "UN News",
    "unric.org": "UNRIC (United Nations Regional Information Centre)",
    "eeas.europa.eu": "European External Action Service",
    "consilium.europa.eu": "Council of the European Union",
    "nato.int": "NATO",
    "asean.org": "ASEAN",
    "yna.co.kr": "Yonhap News Agency",
    "kcna.kp": "KCNA",
}


def publisher(article):
    """The page's site name, else the known publisher behind its host, else the host."""
    host = (urlsplit(article.url).hostname or "").removeprefix("www.") if article.url else ""
    if article.publisher and article.publisher != host:
        return article.publisher
    parts = host.split(".")
    for start in range(len(parts) - 1):
        name = PUBLISHERS.get(".".join(parts[start:]))
        if name:
            return name
    return article.publisher or host


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
