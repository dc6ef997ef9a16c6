"""Imports: a file read into rows, the rows written through the timeline's services.

All or nothing unless asked to skip invalid rows; a user who may not publish imports drafts.
"""

import io
import re
import time
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from editorial.models import Status
from editorial.services import (
    ChangeRefused,
    announce_change,
    announced_once,
    can_publish,
    check_may_change,
    create_publishable,
    record_relations_set,
    record_sources_set,
    save_changes,
    unique_slug,
)
from timeline.matching import matching_launches
from timeline.models import (
    ClaimAttribute,
    Confidence,
    Event,
    Launch,
    LaunchClaim,
    Link,
    LinkConfidence,
    Relation,
)
from timeline.services import further_sources_add, source_get_or_create

from . import readers
from .models import ImportJob, ImportKind, ImportStatus


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


def _claim_tuples(claims):
    return [
        (str(attribute), c.value_text, c.value, c.value_max, c.claimant, c.note)
        for attribute, c in claims
    ]


def _claim_tuple(claim):
    return (
        str(claim.attribute),
        claim.value_text,
        claim.value,
        claim.value_max,
        claim.claimant,
        claim.note,
    )


def _existing_claim_tuples(launch):
    return [_claim_tuple(c) for c in launch.claims.order_by("position", "id")]


def _next_claim_position(launch):
    """The position after every claim the launch holds, so added claims never collide."""
    last = launch.claims.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


# A claim that a matched row of another file added ends its note with "from <format> <id>".
CLAIM_ORIGIN = re.compile(r"(?:^|; )from (\S+ \S+)$")


def claim_origin(claim):
    """The import ("cns cns:2025-11-07:0335:taegwan") a matched row's claim came from, or ""."""
    found = CLAIM_ORIGIN.search(claim.note)
    return found.group(1) if found else ""


def own_claims(launch):
    """The claims a launch's own import row wrote: all but those added by rows of other
    files that matched it, which their own import replaces (`_matched_claims_add`)."""
    matched = {
        f"{m.get('format')} {m.get('external_id')}"
        for m in (launch.import_record or {}).get("matched", [])
    }
    return [c for c in launch.claims.order_by("position", "id") if claim_origin(c) not in matched]


def _matched_source_tokens(launch):
    """The source tokens the rows of other files that matched `launch` cited."""
    matched = (launch.import_record or {}).get("matched", [])
    return [token for m in matched for token in m.get("sources", [])]


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
        instance = model(external_id=row.external_id, slug=unique_slug(model, slug_base))
        status = row.extra.get("status") or _import_status(model, user)
        create_publishable(instance, fields, status=status, user=user)
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
                    report.refused.append(readers.Problem(row.number, "row", str(refused)))
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
    "chronology": (readers.read_chronology_launches, "salvo-chronology"),
    "cns": (readers.read_cns_launches, "cns"),
}


def launches_import(*, file, skip_invalid=False, format="chronology", progress=None, user=None):
    """Import launches from a chronology CSV or a CNS database CSV or .xlsx (`format="cns"`).

    All or nothing unless `skip_invalid`. Matches records by their id in the file, so
    importing the same file again changes nothing. For a `user` who may not publish, new
    launches are drafts and published ones are left alone (their rows are refused).
    """
    if format not in LAUNCH_FORMATS:
        raise ValueError(f"unknown launch file format {format!r}")
    reader, import_format = LAUNCH_FORMATS[format]
    try:
        rows, problems = reader(file)
    except readers.FileRefused as exc:
        return ImportReport("launches", refused=[readers.Problem(exc.row, exc.column, str(exc))])
    report = ImportReport("launches", notes=_salvo_notes(rows))

    def write(row):
        matched = launch_matched(row, import_format=import_format, report=report, user=user)
        if matched:
            return matched
        launch, outcome, shortened = imported_launch_save(
            row, import_format=import_format, user=user
        )
        report.notes += [
            f"row {row.number}, column {column}: the new cell {new!r} is a cut-down copy of "
            f"the earlier {old!r}; the earlier text stays in the launch's history"
            for column, old, new in shortened
        ]
        owned = own_claims(launch)
        claims_changed = _claim_tuples(row.claims) != [_claim_tuple(c) for c in owned]
        if claims_changed:
            check_may_change(instance=launch, user=user)
            for old in owned:
                old.delete()  # one by one, so each deletion is kept in the history
            start = _next_claim_position(launch)
            bulk_create_with_history(
                [
                    claim.to_model(attribute, launch=launch, position=position)
                    for position, (attribute, claim) in enumerate(row.claims, start=start)
                ],
                LaunchClaim,
            )
            announce_change(launch, created=False, changed={"claims"})
        # The sources that matched rows of other files brought stay cited.
        tokens = [*row.sources, *_matched_source_tokens(launch)]
        sources_changed = record_sources_set(
            instance=launch,
            sources=list(dict.fromkeys(source_get_or_create(token=t) for t in tokens)),
            user=user,
        )
        if outcome == "unchanged" and (claims_changed or sources_changed):
            return "updated"
        return outcome

    return _run(report, rows, problems, write, skip_invalid=skip_invalid, progress=progress)


def _salvo_notes(rows):
    """The salvo rule and, for each launch of several rows, what it grouped."""
    grouped = [row for row in rows if row.extra.get("salvo")]
    if not grouped:
        return []
    missiles = sum(row.fields["missile_count"] for row in grouped)
    notes = [
        f"salvo rule: {readers.SALVO_RULE}",
        f"{missiles} missile rows → {len(grouped)} launch events",
    ]
    notes += [
        f"row {row.number}: {row.extra['salvo']}"
        for row in grouped
        if row.fields["missile_count"] > 1
    ]
    return notes


def imported_launch_save(row, *, import_format, user):
    """Write the launch of an imported row: (launch, outcome, cells cut down since before).

    A row whose id is new creates its launch through `imported_launch_create`, the one
    place a launch comes into being from a file; a known id updates that launch.
    """
    record = row.extra.get("record") or {"format": import_format, "row": row.extra["cells"]}
    fields = dict(_launch_model_fields(row), import_record=record)
    launch = Launch.objects.filter(external_id=row.external_id).first()
    if launch is None:
        return imported_launch_create(row, fields, user=user), "created", []
    matched = (launch.import_record or {}).get("matched")
    if matched:  # what rows of other files brought stays with the launch
        fields["import_record"] = {**record, "matched": matched}
    shortened = shortened_cells(launch.import_record, record)
    changed = save_changes(launch, fields, user=user)
    return launch, "updated" if changed else "unchanged", shortened


def imported_launch_create(row, fields, *, user):
    """Create the launch of an imported row that matched no launch by its id."""
    slug_base = slugify(f"{row.fields['occurred_on']}-{row.fields['missile_class']}")
    launch = Launch(external_id=row.external_id, slug=unique_slug(Launch, slug_base))
    # A row that matched several launches of other sources waits as a draft for an analyst.
    status = row.extra.get("status") or _import_status(Launch, user)
    create_publishable(launch, fields, status=status, user=user)
    return launch


def _launch_model_fields(row):
    """The row's Launch fields, with what a reader keeps beside them: how precise its date
    is ("day", "month", "year") and whether a confirmation was stated at all."""
    fields = dict(row.fields)
    if "date_precision" in row.extra:
        fields["date_precision"] = row.extra["date_precision"]
    if row.extra.get("confirmation_stated") is False:
        fields["confidence"] = Confidence.UNKNOWN
    return fields


def shortened_cells(old_record, new_record):
    """(column, old, new) for each cell the new import cuts short: the new text is the
    start of the old one. Rows are compared in order; a file cut short is refused by the
    reader, this catches a cell cut short in an otherwise whole file."""
    old_rows = (old_record or {}).get("rows") or [(old_record or {}).get("row") or {}]
    new_rows = new_record.get("rows") or [new_record.get("row") or {}]
    return [
        (column, old[column], text)
        for old, new in zip(old_rows, new_rows, strict=False)
        for column, text in new.items()
        if isinstance(old.get(column), str)
        and len(text) < len(old[column])
        and old[column].startswith(text)
        and text
    ]


def events_import(*, file, skip_invalid=False, progress=None, user=None):
    """Import context events and link each to the launches of its related dates.

    A link that already exists is left as the analyst made it. For a `user` who may not
    publish, new events and links are drafts, as in launches_import.
    """
    try:
        rows, problems = readers.read_events(file)
    except readers.FileRefused as exc:
        return ImportReport("events", refused=[readers.Problem(exc.row, exc.column, str(exc))])
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
                        # The file's own row id stays in the event's external_id: a
                        # reader has no use for it.
                        "rationale": f"The chronology lists this launch as related to "
                        f"“{event.title}”.",
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
# Statements come after: their service is defined below, with the other new functions.


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


def statements_import(*, file, skip_invalid=False, progress=None, user=None):
    """Import statements, each tied to its launch by the launch's local date.

    All or nothing unless `skip_invalid`. A statement is the same one when its launch, actor
    and quote are, so importing the same file again changes nothing; a row giving a stored
    statement from another source URL adds that source to it (the report notes it) and
    leaves the rest as stored. Speakers are reused by name and actor, sources by URL (their
    empty fields filled from the file), themes by name. For a `user` who may not publish,
    new statements are drafts, as in launches_import.
    """
    from reactions.models import Statement
    from reactions.services import speaker_get_or_create, theme_get_or_create

    try:
        rows, problems = readers.read_statements(file)
    except readers.FileRefused as exc:
        return ImportReport("statements", refused=[readers.Problem(1, "header", str(exc))])
    report = ImportReport("statements")

    def write(row):
        launch, actor, fields = row.extra["launch"], row.extra["actor"], dict(row.fields)
        speaker = row.extra["speaker"]
        if speaker is not None:
            name, role = speaker
            fields["speaker"] = speaker_get_or_create(actor=actor, name=name, role=role)
        source = _statement_source(row.sources[0], row.extra["source"], user=user)
        statement = Statement.objects.filter(
            launch=launch, actor=actor, quote=fields["quote"]
        ).first()
        if statement is not None and statement.source_id != source.pk:
            added = further_sources_add(record=statement, sources=[source], user=user)
            if added:
                report.notes.append(_further_source_note(row, statement, source, fields))
            return "updated" if added else "unchanged"
        fields["source"] = source
        if statement is None:
            entered_by = user if user is not None and user.is_authenticated else None
            statement = Statement(launch=launch, actor=actor, entered_by=entered_by)
            create_publishable(statement, fields, status=_import_status(Statement, user), user=user)
            outcome = "created"
        else:
            outcome = "updated" if save_changes(statement, fields, user=user) else "unchanged"
        themes = [theme_get_or_create(name=name) for name in row.extra["themes"]]
        themes_changed = record_relations_set(statement, {"themes": themes}, user=user)
        return "updated" if themes_changed and outcome == "unchanged" else outcome

    return _run(report, rows, problems, write, skip_invalid=skip_invalid, progress=progress)


def _further_source_note(row, statement, source, fields):
    """The report's line for a row that added its source to a statement already stored."""
    note = (
        f"row {row.number}: {statement.actor.code}'s statement on {statement.launch} is stored "
        f"from {statement.source.url or statement.source}; {source.url} added as a further "
        "source"
    )
    speaker = fields.get("speaker")
    if speaker is not None and speaker.pk != statement.speaker_id:
        note += f" (the stored speaker is kept; this row names {speaker})"
    return note + "."


def _statement_source(url, described, *, user):
    """The Source at `url`, its empty title, publisher, date and language filled from the file
    (what an analyst already wrote is kept)."""
    source = source_get_or_create(token=url)
    wanted = {
        "title": described["title"],
        "publisher": described["publisher"],
        "published_at": readers.statements.published_at(described["published_on"]),
        "language": described["language"],
    }
    missing = {name: value for name, value in wanted.items() if value and not getattr(source, name)}
    # A publisher guessed from the host name gives way to the one the file names.
    host_guess = source.publisher and source.publisher in url and not source.title
    if described["publisher"] and host_guess:
        missing["publisher"] = described["publisher"]
    if missing:
        save_changes(source, missing, user=user)
    return source


IMPORT_SERVICES[ImportKind.STATEMENTS] = (statements_import, {})


# A figure the launch holds as a field, and the claim it becomes on a launch it matched.
MATCHED_FIGURES = {
    "distance_km": ClaimAttribute.DISTANCE,
    "apogee_km": ClaimAttribute.APOGEE,
    "flight_time_min": ClaimAttribute.FLIGHT_TIME,
    "missile_count": ClaimAttribute.COUNT,
}


def launch_matched(row, *, import_format, report, user):
    """Write a launch row onto the launch of another source it matches (timeline.matching).

    Returns the outcome ("updated", "unchanged") when it did, None when the row is a
    launch of its own. A row matching several launches is not guessed: it is reported and
    becomes a draft of its own, for an analyst to merge or keep apart in the admin.
    """
    if Launch.objects.filter(external_id=row.external_id).exists():
        return None
    candidate = Launch(
        external_id=row.external_id, import_record={"format": import_format}, **row.fields
    )
    found = matching_launches(candidate)
    if not found:
        return None
    if len(found) > 1:
        names = ", ".join(launch.external_id or f"#{launch.pk}" for launch in found)
        report.notes.append(
            f"row {row.number}: {row.external_id} is ambiguous, it matches {names}; "
            "imported as a draft for an analyst to merge or keep apart"
        )
        row.extra["status"] = Status.DRAFT
        return None
    launch = found[0]
    report.notes.append(
        f"row {row.number}: {row.external_id} is {launch.external_id or f'#{launch.pk}'} "
        f"of {launch.occurred_on}; its figures and sources are added there"
    )
    changed = _matched_claims_add(launch, row, import_format, user=user)
    sources = [source_get_or_create(token=t) for t in row.sources]
    changed |= record_sources_set(
        instance=launch, sources=list({*launch.sources.all(), *sources}), user=user
    )
    record = row.extra.get("record") or {"format": import_format, "row": row.extra["cells"]}
    entry = {"external_id": row.external_id, **record, "sources": list(row.sources)}
    matched = list((launch.import_record or {}).get("matched", []))
    if entry not in matched:
        matched = [m for m in matched if m.get("external_id") != row.external_id] + [entry]
        changed |= save_changes(
            launch, {"import_record": {**launch.import_record, "matched": matched}}, user=user
        )
    return "updated" if changed else "unchanged"


def _matched_claims_add(launch, row, import_format, *, user):
    """Add the row's figures to `launch` as claims (those it does not hold yet), each noting
    the import it came from; True when any was added."""
    origin = f"{import_format} {row.external_id}"
    claims = [
        claim.to_model(attribute, launch=launch, source=None) for attribute, claim in row.claims
    ]
    claimed = {str(attribute) for attribute, _ in row.claims}
    for name, attribute in MATCHED_FIGURES.items():
        value = row.fields.get(name)
        if value is not None and attribute not in claimed:
            claims.append(
                LaunchClaim(launch=launch, attribute=attribute, value=value, value_text=str(value))
            )
    suffix = f"; from {origin}"
    for claim in claims:
        # The origin survives the note's length limit: own_claims reads it there.
        claim.note = (claim.note[: 300 - len(suffix)] + suffix) if claim.note else suffix[2:]
    incoming = {_claim_tuple(c) for c in claims}
    stale = [
        c
        for c in launch.claims.order_by("position", "id")
        if claim_origin(c) == origin and _claim_tuple(c) not in incoming
    ]
    held = set(_existing_claim_tuples(launch))
    new = [c for c in claims if _claim_tuple(c) not in held]
    if not new and not stale:
        return False
    check_may_change(instance=launch, user=user)
    for old in stale:
        old.delete()  # this file's earlier figures, replaced by its new ones
    for position, claim in enumerate(new, start=_next_claim_position(launch)):
        claim.position = position
    bulk_create_with_history(new, LaunchClaim)
    announce_change(launch, created=False, changed={"claims"})
    return True
