"""Text search shared by the read paths: PostgreSQL full-text search, or a plain fallback."""

from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import F, Q

CONFIG = "english"


def matching(queryset, text, fields):
    """Rows of `queryset` whose `fields` match `text`, best match first on PostgreSQL.

    Elsewhere (SQLite) every word must appear in one of the fields, in the queryset's order.
    """
    words = text.split()
    if not words:
        return queryset.none()
    if connections[queryset.db].vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config=CONFIG)
        return (
            queryset.annotate(document=SearchVector(*fields, config=CONFIG))
            .filter(document=query)
            .annotate(rank=SearchRank(F("document"), query))
            .order_by("-rank", *queryset.query.order_by)
        )
    return queryset.filter(
        reduce(
            and_,
            (
                reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields))
                for word in words
            ),
        )
    )
