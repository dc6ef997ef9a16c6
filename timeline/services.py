"""Writes with rules for the timeline: imports, sources, links, publication."""

import datetime
import io
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from editorial.models import Status
from editorial.services import (
    ChangeRefused,
    announced_once,
    can_publish,
    check_may_change,
    create_publishable,
    deleted_records,
    locked,
    record_revert,
    record_sources_set,
    save_changes,
    unique_slug,
)

from . import importers
from .models import (
    Event,
    EventKind,
    ImportJob,
    ImportKind,
    ImportStatus,
    Launch,
    LaunchClaim,
    Link,
    LinkConfidence,
    Relation,
    Source,
    SuggestionStatus,
    TriggerSuggestion,
)


@dataclass
class ImportReport:
    """What an import did: counts, cells kept verbatim, rows refused (row, column, reason)."""

    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    links_created: int = 0
    refused: list = field(default_factory=list)
    kept_as_text: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    written: bool = False

    @property
    def ok(self):
        return not self.refused

    def as_dict(self):
        """The report as JSON-ready data, for an import job."""
        return {
            "kind": self.kind,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "links_created": self.links_created,
            "written": self.written,
            "refused": [vars(problem) for problem in self.refused],
            "kept_as_text": [
                {"row": row, "column": column, "text": text}
                for row, column, text in self.kept_as_text
            ],
            "notes": self.notes,
        }

    def as_text(self):
        lines = [
            f"{self.kind}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.refused)} refused"
            + (f", {self.links_created} links created" if self.links_created else "")
            + f"; {len(self.kept_as_text)} cells kept as text.",
        ]
        if self.refused and not self.written:
            lines.append("Nothing was written: fix the rows below and import the file again.")
        lines += [f"  refused {problem}" for problem in self.refused]
        lines += [f"  kept as text: row {r}, column {c}: {t!r}" for r, c, t in self.kept_as_text]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def source_get_or_create(*, token):
    """The Source for a URL or a dataset reference (CNS-DB), created on first use."""
    reference = importers.SOURCE_REFERENCES.get(token)
    if reference:
        canonical = {name: reference[name] for name in ("title", "publisher", "url")}
        source = Source.objects.filter(reference=token.lower()).first()
        if source is None:
            source, _ = Source.objects.get_or_create(reference=token.lower(), defaults=canonical)
        # A known dataset is cited as it is, whoever made its row first.
        save_changes(source, canonical)
        return source
    host = urlsplit(token).hostname or ""
    source, _ = Source.objects.get_or_create(
        url=token, defaults={"publisher": host.removeprefix("www.").removeprefix("m.")}
    )
    return source


@transaction.atomic
def source_upsert(*, url, **fields):
    """The Source at `url`, created or brought up to date; returns (source, changed)."""
    source = Source.objects.filter(url=url).first() or Source(url=url)
    return source, save_changes(source, fields)


@transaction.atomic
def launch_update(*, launch, user=None, **fields):
    """Change fields of a launch, validated; returns True when anything changed.

    A published launch changes only by a user who may publish it (see check_may_change).
    """
    return save_changes(launch, fields, user=user)


@transaction.atomic
def link_upsert(*, launch, event, **fields):
    """The link between `launch` and `event`, created or updated; returns (link, changed)."""
    link = Link.objects.filter(launch=launch, event=event).first() or Link(
        launch=launch, event=event
    )
    return link, save_changes(link, fields)


def _claim_tuples(claims):
    return [
        (str(attribute), c.value_text, c.value, c.value_max, c.claimant, c.note)
        for attribute, c in claims
    ]


def _existing_claim_tuples(launch):
    return [
        (c.attribute, c.value_text, c.value, c.value_max, c.claimant, c.note)
        for c in launch.claims.order_by("position", "id")
    ]


def _import_status(model, user):
    """A new imported record is published when Salvo itself imports (a command run by an
    operator) or when the importing user may publish it; otherwise it is a draft for review."""
    return Status.PUBLISHED if user is None or can_publish(user, model) else Status.DRAFT


def _upsert(model, row, *, slug_base, import_format, user):
    """Create or update one imported record; returns (instance, 'created'|'updated'|'unchanged')."""
    record = row.extra.get("record") or {"format": import_format, "row": row.extra["cells"]}
    fields = dict(row.fields, import_record=record)
    instance = model.objects.filter(external_id=row.external_id).first()
    if instance is None:
        status = _import_status(model, user)
        instance = model(
            external_id=row.external_id,
            slug=unique_slug(model, slug_base),
            status=status,
            published_at=timezone.now() if status == Status.PUBLISHED else None,
        )
        save_changes(instance, fields, user=user)
        return instance, "created"
    return instance, "updated" if save_changes(instance, fields, user=user) else "unchanged"


class _RowRefused(Exception):
    """Ends an all-or-nothing import's transaction at the first row it may not write."""


def _run(report, rows, problems, write_row, *, skip_invalid, progress=None):
    """Write the rows, all in one transaction; `progress(done, total)` hears of each row.

    A row that would change a published record for a user who may not publish it is
    refused like an invalid row: nothing is written, or (`skip_invalid`) that row only.
    """
    report.refused = problems
    for row in rows:
        report.kept_as_text += [(row.number, column, text) for column, text in row.kept_as_text]
    if problems and not skip_invalid:
        return report
    progress = progress or (lambda done, total: None)
    progress(0, len(rows))
    try:
        with transaction.atomic():
            for done, row in enumerate(rows, start=1):
                try:
                    with transaction.atomic(), announced_once():
                        outcome = write_row(row)
                except ChangeRefused as refused:
                    report.refused.append(importers.Problem(row.number, "row", str(refused)))
                    if not skip_invalid:
                        raise _RowRefused from refused
                else:
                    setattr(report, outcome, getattr(report, outcome) + 1)
                progress(done, len(rows))
    except _RowRefused:
        report.created = report.updated = report.unchanged = report.links_created = 0
        return report
    report.written = True
    return report


# The launch file formats: the reader of each, and the name its import records carry.
LAUNCH_FORMATS = {
    "chronology": (importers.read_chronology_launches, "salvo-chronology"),
    "cns": (importers.read_cns_launches, "cns"),
}


def launches_import(*, file, skip_invalid=False, format="chronology", progress=None, user=None):
    """Import launches from a chronology CSV or a CNS database CSV (`format="cns"`).

    All or nothing unless `skip_invalid`. Matches records by their id in the file, so
    importing the same file again changes nothing. For a `user` who may not publish, new
    launches are drafts and published ones are left alone (their rows are refused).
    """
    if format not in LAUNCH_FORMATS:
        raise ValueError(f"unknown launch file format {format!r}")
    reader, import_format = LAUNCH_FORMATS[format]
    try:
        rows, problems = reader(file)
    except importers.FileRefused as exc:
        return ImportReport("launches", refused=[importers.Problem(1, "header", str(exc))])

    def write(row):
        slug_base = slugify(f"{row.fields['occurred_on']}-{row.fields['missile_class']}")
        launch, outcome = _upsert(
            Launch, row, slug_base=slug_base, import_format=import_format, user=user
        )
        claims_changed = _claim_tuples(row.claims) != _existing_claim_tuples(launch)
        if claims_changed:
            check_may_change(instance=launch, user=user)
            for old in launch.claims.all():
                old.delete()  # one by one, so each deletion is kept in the history
            bulk_create_with_history(
                [
                    claim.to_model(attribute, launch=launch, position=position)
                    for position, (attribute, claim) in enumerate(row.claims)
                ],
                LaunchClaim,
            )
        sources_changed = record_sources_set(
            instance=launch,
            sources=[source_get_or_create(token=t) for t in row.sources],
            user=user,
        )
        if outcome == "unchanged" and (claims_changed or sources_changed):
            return "updated"
        return outcome

    report = ImportReport("launches")
    return _run(report, rows, problems, write, skip_invalid=skip_invalid, progress=progress)


def events_import(*, file, skip_invalid=False, progress=None, user=None):
    """Import context events and link each to the launches of its related dates.

    A link that already exists is left as the analyst made it. For a `user` who may not
    publish, new events and links are drafts, as in launches_import.
    """
    try:
        rows, problems = importers.read_events(file)
    except importers.FileRefused as exc:
        return ImportReport("events", refused=[importers.Problem(1, "header", str(exc))])
    report = ImportReport("events")

    def write(row):
        slug_base = slugify(f"{row.fields['start_date']}-{row.fields['title']}")[:100].rstrip("-")
        event, outcome = _upsert(
            Event, row, slug_base=slug_base, import_format="salvo-events", user=user
        )
        sources_changed = record_sources_set(
            instance=event,
            sources=[source_get_or_create(token=t) for t in row.sources],
            user=user,
        )
        source = event.sources.order_by("id").first()
        for day in row.extra["related_launch_dates"]:
            launches = list(Launch.objects.filter(occurred_on=day))
            if not launches:
                report.notes.append(
                    f"row {row.number}: no launch on {day} to link {row.external_id} to"
                )
                report.kept_as_text.append((row.number, "related_launch_dates", str(day)))
            for launch in launches:
                if Link.objects.filter(launch=launch, event=event).exists():
                    continue  # left as the analyst made it
                # Through save_changes, so the new link is validated and announced.
                save_changes(
                    Link(launch=launch, event=event),
                    {
                        "relation": Relation.FOLLOWED_BY
                        if event.start_date > launch.occurred_on
                        else Relation.TIMED_WITH,
                        "rationale": f"The chronology lists this launch as related to "
                        f"“{event.title}” ({row.external_id}).",
                        "confidence": LinkConfidence.MEDIUM,
                        "source": source,
                        "status": _import_status(Link, user),
                    },
                    user=user,
                )
                report.links_created += 1
        if outcome == "unchanged" and sources_changed:
            return "updated"
        return outcome

    return _run(report, rows, problems, write, skip_invalid=skip_invalid, progress=progress)


IMPORT_SERVICES = {
    ImportKind.LAUNCHES: (launches_import, {}),
    ImportKind.LAUNCHES_CNS: (launches_import, {"format": "cns"}),
    ImportKind.EVENTS: (events_import, {}),
}


def import_job_create(*, kind, filename, content, skip_invalid=False, user=None):
    """Store an uploaded file as an import job and queue it once the transaction commits."""
    from .tasks import run_import_job

    job = ImportJob(
        kind=kind, filename=filename, content=content, skip_invalid=skip_invalid, created_by=user
    )
    job.full_clean()
    job.save()
    run_import_job.delay_on_commit(job.pk)
    return job


def import_job_run(*, job_id):
    """Run a queued import job and store its report. A job that finished is left alone.

    A job found running was interrupted (its worker died): imports are atomic and
    idempotent, so it simply runs again.
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status not in {ImportStatus.QUEUED, ImportStatus.RUNNING}:
            return job
        job.status, job.started_at = ImportStatus.RUNNING, timezone.now()
        job.rows_done = 0
        job.save(update_fields=["status", "started_at", "rows_done"])
    service, options = IMPORT_SERVICES[job.kind]
    progress = ImportJobProgress(job)
    try:
        report = service(
            file=io.BytesIO(job.content.encode()),
            skip_invalid=job.skip_invalid,
            progress=progress,
            # A job is always someone's: one whose user is gone publishes nothing.
            user=job.created_by or AnonymousUser(),
            **options,
        )
    except Exception:
        job.status, job.finished_at = ImportStatus.FAILED, timezone.now()
        job.save(update_fields=["status", "finished_at"])
        raise
    finally:
        progress.close()
    job.report = report.as_dict()
    job.status = ImportStatus.DONE if report.written else ImportStatus.REFUSED
    job.finished_at = timezone.now()
    job.save(update_fields=["report", "status", "finished_at", "rows_done", "rows_total"])
    return job


class ImportJobProgress:
    """An import's progress callback that records rows done where the admin can see them.

    The rows are written in one transaction, which would hide progress saved through the
    same connection until the end; on PostgreSQL it goes through a connection of its own.
    SQLite has a single writer, so there the counts are saved with the report.
    """

    interval = 0.2  # seconds between writes

    def __init__(self, job):
        self.job, self.written_at = job, 0.0
        alias = router.db_for_write(ImportJob)
        self.connection = (
            connections.create_connection(alias)
            if connections[alias].vendor == "postgresql"
            else None
        )

    def __call__(self, done, total):
        self.job.rows_done, self.job.rows_total = done, total
        now = time.monotonic()
        if self.connection is None or (0 < done < total and now - self.written_at < self.interval):
            return
        self.written_at = now
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(ImportJob._meta.db_table)} SET rows_done = %s, rows_total = %s "
                "WHERE id = %s",
                [done, total, self.job.pk],
            )

    def close(self):
        if self.connection is not None:
            self.connection.close()


@transaction.atomic
@announced_once()
def launch_create(*, status=Status.DRAFT, user=None, sources=(), **fields):
    """Create a launch, validated; a slug is made from its day and class when none is given.

    Publishing it at once needs the publish permission, as in `record_transition`.
    """
    if not fields.get("slug"):
        base = slugify(f"{fields.get('occurred_on')}-{fields.get('missile_class', 'unknown')}")
        fields["slug"] = unique_slug(Launch, base)
    launch = create_publishable(Launch(), fields, status=status, user=user)
    record_sources_set(instance=launch, sources=sources)
    return launch


@transaction.atomic
def claim_create(*, launch, user=None, **fields):
    """Add a claimed figure to a launch, validated; to a published launch only by an editor."""
    claim = LaunchClaim(launch=launch)
    save_changes(claim, fields, user=user)
    return claim


@transaction.atomic
def claim_update(*, claim, user=None, **fields):
    """Change fields of a claim, validated; returns True when anything changed."""
    return save_changes(claim, fields, user=user)


@transaction.atomic
@announced_once()
def event_create(*, status=Status.DRAFT, user=None, sources=(), **fields):
    """Create an event, validated; a slug is made from its day and title when none is given."""
    if not fields.get("slug"):
        base = slugify(f"{fields.get('start_date')}-{fields.get('title', '')}")[:100].rstrip("-")
        fields["slug"] = unique_slug(Event, base)
    event = create_publishable(Event(), fields, status=status, user=user)
    record_sources_set(instance=event, sources=sources)
    return event


@transaction.atomic
@announced_once()
def event_update(*, event, sources=None, user=None, **fields):
    """Change fields and sources of an event, validated; returns True when anything changed."""
    changed = save_changes(event, fields, user=user)
    if sources is not None:
        changed = record_sources_set(instance=event, sources=sources, user=user) or changed
    return changed


@transaction.atomic
def link_create(*, launch, event, status=Status.DRAFT, user=None, **fields):
    """Link a launch to an event, validated; one link per pair."""
    return create_publishable(Link(launch=launch, event=event), fields, status=status, user=user)


@transaction.atomic
def link_update(*, link, user=None, **fields):
    """Change fields of a link, validated; returns True when anything changed."""
    return save_changes(link, fields, user=user)


@transaction.atomic
def source_create(**fields):
    """Create a source, validated (a URL or a reference, each unique)."""
    source = Source()
    save_changes(source, fields)
    return source


@transaction.atomic
def source_update(*, source, user=None, **fields):
    """Change fields of a source, validated; returns True when anything changed."""
    return save_changes(source, fields, user=user)


# How likely each kind of event is to be answered by a launch, for ranking suggestions.
TRIGGER_KIND_WEIGHTS = {
    EventKind.WARNING: 1.0,
    EventKind.EXERCISE: 1.0,
    EventKind.SANCTIONS: 0.9,
    EventKind.UN_ACTION: 0.9,
    EventKind.SUMMIT: 0.8,
    EventKind.MILITARY: 0.8,
    EventKind.STATE_VISIT: 0.7,
    EventKind.TALKS: 0.7,
    EventKind.POLICY: 0.6,
    EventKind.ELECTION: 0.5,
    EventKind.INAUGURATION: 0.5,
    EventKind.OTHER: 0.3,
}


class SuggestionRefused(Exception):
    """A suggestion that cannot be accepted or rejected as asked."""


def _suggestion_reason(event, days_before, under_way):
    kind = event.get_kind_display()
    if under_way and days_before > 0:
        return f"{kind} under way on the launch day (began {days_before} days before)"
    if days_before == 0:
        return f"{kind} on the launch day"
    return f"{kind} {days_before} day{'s' if days_before != 1 else ''} before the launch"


@transaction.atomic
def trigger_suggestions_refresh(*, launch_id):
    """Propose events before a launch, and those under way on its day, as possible triggers.

    Events that began up to SUGGESTION_WINDOW_DAYS before, ranked by kind weight
    times proximity. Events already linked are left out; suggestions an analyst decided stay as
    they were. Returns the pending suggestions, best first.
    """
    launch = Launch.objects.filter(pk=launch_id).first()
    if launch is None:
        return []
    window, day = settings.SUGGESTION_WINDOW_DAYS, launch.occurred_on
    candidates = (
        Event.objects.filter(
            Q(start_date__range=(day - datetime.timedelta(days=window), day))
            | Q(start_date__lte=day, end_date__gte=day)
        )
        .exclude(links__launch=launch)
        .exclude(
            suggestions__launch=launch,
            suggestions__status__in=[SuggestionStatus.ACCEPTED, SuggestionStatus.REJECTED],
        )
    )
    scored = []
    for event in candidates:
        days_before = (day - event.start_date).days
        under_way = event.end_date is not None and event.end_date >= day
        proximity = 1.0 if under_way else 1 - days_before / (window + 1)
        score = round(TRIGGER_KIND_WEIGHTS.get(event.kind, 0.3) * proximity, 4)
        scored.append((score, days_before, event.pk, event, under_way))
    scored = sorted(scored, key=lambda s: (-s[0], s[1], s[2]))[: settings.SUGGESTION_LIMIT]
    pending = TriggerSuggestion.objects.filter(launch=launch, status=SuggestionStatus.PENDING)
    pending.exclude(event__in=[s[3] for s in scored]).delete()
    for rank, (score, days_before, _, event, under_way) in enumerate(scored, start=1):
        TriggerSuggestion.objects.update_or_create(
            launch=launch,
            event=event,
            defaults={
                "rank": rank,
                "score": score,
                "days_before": days_before,
                "under_way": under_way,
                "reason": _suggestion_reason(event, days_before, under_way),
            },
        )
    return list(pending.select_related("event").order_by("rank", "id"))


def _decide(suggestion, status, user):
    if suggestion.status != SuggestionStatus.PENDING:
        raise SuggestionRefused(f"This suggestion was already {suggestion.status}.")
    suggestion.status, suggestion.decided_by, suggestion.decided_at = status, user, timezone.now()


@transaction.atomic
def trigger_suggestion_accept(*, suggestion, user=None):
    """Accept a suggestion: a draft link, low confidence, for an analyst to complete.

    The link cites the event's first source, else the launch's. A link made meanwhile is
    kept as it is. Returns the link.
    """
    _decide(suggestion, SuggestionStatus.ACCEPTED, user)
    launch, event = suggestion.launch, suggestion.event
    link = Link.objects.filter(launch=launch, event=event).first()
    if link is None:
        source = event.sources.order_by("id").first() or launch.sources.order_by("id").first()
        if source is None:
            raise SuggestionRefused(
                f"Neither “{event.title}” nor the launch cites a source: add one, then accept."
            )
        link, _ = link_upsert(
            launch=launch,
            event=event,
            relation=Relation.TIMED_WITH,
            rationale=f"Suggested: {suggestion.reason}. To be confirmed by an analyst.",
            confidence=LinkConfidence.LOW,
            source=source,
            status=Status.DRAFT,
        )
    suggestion.link = link
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "link"])
    return link


@transaction.atomic
def trigger_suggestion_reject(*, suggestion, user=None):
    """Reject a suggestion; it is not proposed again for this launch."""
    _decide(suggestion, SuggestionStatus.REJECTED, user)
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    return suggestion


def launch_children_restore(*, pk, since, until, user=None):
    """Create again the claims, links and trigger suggestions deleted with launch `pk`."""
    for child in (LaunchClaim, Link):
        for past in deleted_records(child).filter(
            launch_id=pk, history_date__gte=since, history_date__lte=until
        ):
            record_revert(record=past, user=user)
    _suggestions_restore(launch_id=pk, since=since, until=until, user=user)


def _suggestions_restore(*, launch_id, since, until, user=None):
    """Create again the trigger suggestions deleted with a launch between `since` and `until`,
    decisions included. One whose event is gone stays gone; a link not restored is unset."""
    for past in deleted_records(TriggerSuggestion).filter(
        launch_id=launch_id, history_date__gte=since, history_date__lte=until
    ):
        if not Event.objects.filter(pk=past.event_id).exists():
            continue
        suggestion = past.instance
        if suggestion.link_id and not Link.objects.filter(pk=suggestion.link_id).exists():
            suggestion.link = None
        deciders = get_user_model().objects.filter(pk=suggestion.decided_by_id)
        if suggestion.decided_by_id and not deciders.exists():
            suggestion.decided_by = None
        suggestion._history_user = user
        suggestion.save(force_insert=True)
        # Inserting stamps a new creation time: the suggestion keeps its own.
        TriggerSuggestion.objects.filter(pk=suggestion.pk).update(created_at=past.created_at)


def claim_guardians(claim, statuses):
    """The launches a change to `claim` changes: the one it has and the one it is moved to."""
    launch_ids = {claim.launch_id}
    if claim.pk is not None:
        stored = locked(LaunchClaim.objects.filter(pk=claim.pk))
        launch_ids |= set(stored.values_list("launch_id", flat=True))
    return list(locked(Launch.objects.filter(pk__in=launch_ids - {None}, status__in=statuses)))


# The published records that show a source.
SOURCE_SHOWN_BY = (
    lambda source: Launch.objects.published().filter(sources=source).first(),
    lambda source: Launch.objects.published().filter(claims__source=source).first(),
    lambda source: Event.objects.published().filter(sources=source).first(),
    lambda source: Link.objects.published().filter(source=source).first(),
)


def suggest_triggers_for_new_launch(sender, instance, created, **kwargs):
    """A new launch, by any door, gets its trigger suggestions once the write commits."""
    if created:
        from .tasks import suggest_triggers

        suggest_triggers.delay_on_commit(instance.pk)
