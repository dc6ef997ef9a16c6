"""Text search shared by the read paths: one rule on every database, PostgreSQL's full-text
search on top.

The rule, for each term of the query (a word, or a phrase in double quotes): some field holds
it at the start of a word, in any of its simple word forms ("rights" finds "right",
"sanctions" finds "sanctioned"); a short term (three characters or fewer: "EU", "UN", "23")
only as a whole word, and in capitals only in capitals, as codes are written, so that "EU"
never finds "Eustatius" nor "US" the word "us". Every term must match. The rule is written
as a regular expression that SQLite (through Django's REGEXP) and PostgreSQL read alike, so
the two databases find the same rows; PostgreSQL ranks them by its full-text search.
"""

import re
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import Q
from django.db.models.functions import Left

from .text import LONG_TEXT

CONFIG = "english"
# How much of each field the full-text document reads: all of any text a writer may store, and
# only that much of a row stored before the bound, so one row can never overflow PostgreSQL's
# 1 MB tsvector limit and fail every search. Even five fields of 20,000 characters hold at most
# 400 KB of lexemes (four bytes a character) and 250 KB of positions (five bytes a word).
INDEXED_CHARACTERS = LONG_TEXT

SHORT = 3  # a term this long or shorter matches whole words only
MIN_STEM = 4  # an ending is taken off only if this much of the word is left
# Endings taken off an English word to find its other forms, longest first.
ENDINGS = ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s", "y", "e")
QUOTED = re.compile(r'"([^"]*)"')


def stem(word):
    """The start every form of `word` shares, by taking off one common English ending:
    "sanctions" → "sanction", "condemned" → "condemn", "legitimate" → "legitimat"."""
    if not word.isalpha():
        return word  # designations ("KN-23") and numbers have no word forms
    lower = word.lower()
    for ending in ENDINGS:
        if lower.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            if ending == "es" and not lower[:-2].endswith(("s", "x", "z", "ch", "sh")):
                ending = "s"  # "missiles" → "missile", but "launches" → "launch"
            if ending == "s" and lower.endswith(("ss", "us", "is")):
                return word  # "Congress", "status", "analysis"
            return word[: len(word) - len(ending)]
    return word


def escaped(text):
    """`text` as literal characters in a pattern both SQLite's (Python's) and PostgreSQL's
    regular expressions read: a backslash before anything not a letter or digit."""
    return "".join(char if char.isalnum() else "\\" + char for char in text)


@dataclass(frozen=True)
class Term:
    """A word, or the words of a quoted phrase, that a matching row must hold."""

    words: tuple

    @property
    def text(self):
        return " ".join(self.words)

    @property
    def is_code(self):
        """A short word in capitals names a code ("EU", "US"): matched in capitals only."""
        word = self.words[0]
        return len(self.words) == 1 and len(word) <= SHORT and word.isalpha() and word.isupper()

    def pattern(self):
        """The regular expression of the rule: each word at the start of a word, in any of
        its forms (a short one as the whole word), the words of a phrase in their order."""
        parts = [
            escaped(word) if len(word) <= SHORT else escaped(stem(word)) + r"\w*"
            for word in self.words
        ]
        end = r"(\W|$)" if len(self.words[-1]) <= SHORT else ""
        return r"(^|\W)" + r"\W+".join(parts) + end

    def found_in(self, text):
        """Whether `text` holds this term: the same rule, for names kept in code."""
        flags = 0 if self.is_code else re.IGNORECASE
        return re.search(self.pattern(), text, flags) is not None

    def condition(self, field):
        """The rule as a filter on one field."""
        lookup = "regex" if self.is_code else "iregex"
        return Q(**{f"{field}__{lookup}": self.pattern()})


def clean(word):
    """A word less the punctuation around it ("right." → "right"); inner marks stay."""
    return re.sub(r"^\W+|\W+$", "", word)


def terms(text):
    """The terms of a query: each phrase in double quotes, then each other word."""
    phrases = [
        tuple(words)
        for phrase in QUOTED.findall(text)
        if (words := [w for w in map(clean, phrase.split()) if w])
    ]
    words = [(w,) for w in map(clean, QUOTED.sub(" ", text).split()) if w]
    return [Term(words) for words in dict.fromkeys([*phrases, *words])]


def labelled(field, choices):
    """A way for a term to match: `field` holds a choice whose label has the term ("sanctions"
    finds the events of the kind Sanctions, whatever their titles say)."""

    def condition(term):
        values = [value for value, label in choices if term.found_in(str(label))]
        return Q(**{f"{field}__in": values}) if values else Q(pk__in=[])

    return condition


def matching(queryset, text, fields, *, ranked=True, also=()):
    """Rows of `queryset` whose `fields` hold every term of `text` by the rule above; best
    match first on PostgreSQL, by its full-text rank (in the queryset's own order when not
    `ranked`, or on SQLite: a filter that narrows a list keeps its order).

    `also`: other ways a term may match a row, as functions of the term giving a filter (a
    kind's label, an actor's other names).
    """
    found = terms(text)
    if not found:
        return queryset.none()
    every_term = reduce(
        and_,
        (
            reduce(or_, [*(term.condition(field) for field in fields), *(f(term) for f in also)])
            for term in found
        ),
    )
    found = queryset.filter(every_term)
    if not ranked or connections[queryset.db].vendor != "postgresql":
        return found
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    document = SearchVector(*(Left(field, INDEXED_CHARACTERS) for field in fields), config=CONFIG)
    return found.annotate(rank=SearchRank(document, query)).order_by(
        "-rank", *queryset.query.order_by
    )
