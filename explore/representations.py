"""The launch list's statements (`?expand=statements`), built from rows like the rest of the
list in timeline.representations, and held by the tests to the serializers' output."""

from collections import defaultdict

from django.utils import timezone

from reactions.models import Speaker, Statement
from timeline import representations
from timeline.representations import (
    CITED_SOURCE_COLUMNS,
    cited_source,
    cited_sources,
    grouped,
    moment,
)

from .queries import api_statements


def launch_list(rows, *, drafts=False, expand=()):
    """timeline.representations.launch_list, with each launch's statements when expanded."""
    statements = None
    if "statements" in expand:
        ids = [row["id"] for row in rows]
        statements = statement_lists(
            api_statements(drafts=drafts).filter(launch_id__in=ids),
            timezone.get_current_timezone(),
        )
    return representations.launch_list(rows, drafts=drafts, expand=expand, statements=statements)


def statement_lists(statements, zone):
    """Each launch's statements as the serializer lists them, keyed by launch id."""
    rows = statements.prefetch_related(None).values_list(
        "launch_id",
        "id",
        "actor__code",
        "speaker__name",
        "speaker__role",
        "issued_on",
        "issued_at",
        "channel",
        "quote",
        "quote_kind",
        "summary",
        "stance",
        "source_id",
        "via",
        "status",
        *CITED_SOURCE_COLUMNS,
    )
    chosen = statements.values("id")
    co_signers = grouped(
        Statement.co_signers.through.objects.filter(statement__in=chosen)
        .order_by("actor__name", "actor__id")
        .values_list("statement_id", "actor__code")
    )
    themes = grouped(
        Statement.themes.through.objects.filter(statement__in=chosen)
        .order_by("theme__name", "theme__id")
        .values_list("statement_id", "theme__slug")
    )
    rows = [(*row[:15], cited_source(row[15:], zone)) for row in rows]
    sources = cited_sources(Statement, statements, {row[1]: row[15] for row in rows}, zone)
    lists = defaultdict(list)
    for launch_id, pk, actor, speaker, role, on, at, channel, quote, kind, *rest in rows:
        summary, stance, source, via, status, _ = rest
        lists[launch_id].append(
            {
                "id": pk,
                "actor": actor,
                "co_signers": co_signers.get(pk, []),
                "speaker": None if speaker is None else Speaker.label(speaker, role),
                "issued_on": on.isoformat(),
                "issued_at": moment(at, zone),
                "channel": channel,
                "quote": quote,
                "quote_kind": kind,
                "summary": summary,
                "stance": stance,
                "themes": themes.get(pk, []),
                "source": source,
                "sources": sources[pk],
                "via": via,
                "status": status,
            }
        )
    return lists
