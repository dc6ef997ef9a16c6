"""The launch list's statements (`?expand=statements`), built from rows like the rest of the
list in timeline.representations, and held by the tests to the serializers' output; and each
launch of the list as readers see it, kept encoded in the fragment cache."""

from collections import defaultdict

from django.urls import get_script_prefix
from django.utils import timezone

from core.fragments import cached_pieces, code_digest
from core.renderers import Encoded, JSONRenderer
from core.replicas import primary_reads
from reactions.models import Speaker, Statement
from timeline import representations
from timeline.models import Launch
from timeline.representations import (
    CITED_SOURCE_COLUMNS,
    cited_source,
    cited_sources,
    grouped,
    moment,
)

from .queries import api_launch_stamps, api_statements

# What writes a launch as the list shows it, besides the URL configuration.
WRITERS = (
    "core.renderers",
    "explore.representations",
    "reactions.models",
    "timeline.models.launches",
    "timeline.representations",
)


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


def published_launch_list(keys, *, expand=()):
    """launch_list() for readers (no drafts) of the launches `keys` (rows from
    timeline.representations.launch_keys()) name, each already encoded, in their order.

    Each is read from the fragment cache when nothing it shows changed: its key (its last
    change and derived facts), and what queries.api_launch_stamps() counts under it; the
    others are read, built, encoded and kept. At 10,000 launches, a page of fifty with their
    statements took 35 ms in one process, built each time; read back, 13 ms.
    """
    expand = sorted(set(expand))
    by_id = {key["id"]: key for key in keys}
    children = api_launch_stamps(list(by_id), expand=expand)
    stamps = {pk: (key, children.get(pk)) for pk, key in by_id.items()}
    namespace = ":".join(
        [
            "api-launch",
            code_digest(*WRITERS),
            ",".join(expand),
            timezone.get_current_timezone_name(),
            get_script_prefix(),
        ]
    )

    def build(missing):
        # From the primary: what is kept must be at least as recent as the stamp it is kept
        # under, which a replica lagging behind the one that gave the stamp would not be.
        with primary_reads():
            rows = representations.launch_rows_of(
                [by_id[pk] for pk in missing], Launch.objects.published()
            )
            records = launch_list(rows, expand=expand)
        renderer = JSONRenderer()
        return {
            row["id"]: renderer.render(record) for row, record in zip(rows, records, strict=True)
        }

    pieces = cached_pieces(stamps, namespace=namespace, build=build)
    return [Encoded(pieces[pk]) for pk in by_id if pk in pieces]


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
