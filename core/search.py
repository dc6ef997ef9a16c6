"""Text search shared by the read paths: PostgreSQL full-text search, or a plain fallback."""

from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import F, Q
from django.db.models.functions import Left

from .text import LONG_TEXT

CONFIG = "english"
# How much of each field the full-text document reads: all of any text a writer may store, and
# only that much of a row stored before the bound, so one row can never overflow PostgreSQL's
# 1 MB tsvector limit and fail every search. Even five fields of 20,000 characters hold at most
# 400 KB of lexemes (four bytes a character) and 250 KB of positions (five bytes a word).
INDEXED_CHARACTERS = LONG_TEXT


def matching(queryset, text, fields, *, ranked=True):
    """Rows of `queryset` whose `fields` match `text`, best match first on PostgreSQL (in the
    queryset's own order when not `ranked`: a filter that narrows a list keeps its order).

    Every word appearing in one of the fields always matches, so designations the full-text
    parser splits oddly ("KN-23", "Hwasong-11") are found on every database; PostgreSQL adds
    stemmed full-text matches ("condemned" for "condemn") and ranks the results, over the first
    INDEXED_CHARACTERS of each field.
    """
    words = text.split()
    if not words:
        return queryset.none()
    every_word = reduce(
        and_,
        (reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields)) for word in words),
    )
    if connections[queryset.db].vendor != "postgresql":
        return queryset.filter(every_word)
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    found = queryset.annotate(
        document=SearchVector(*(Left(field, INDEXED_CHARACTERS) for field in fields), config=CONFIG)
    ).filter(Q(document=query) | every_word)
    if not ranked:
        return found
    return found.annotate(rank=SearchRank(F("document"), query)).order_by(
        "-rank", *queryset.query.order_by
    )
