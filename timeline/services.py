"""Writes with rules for the timeline: imports, sources, links, publication."""

import io
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from . import importers, signals
from .models import (
    Event,
    ImportJob,
    ImportKind,
    ImportStatus,
    Launch,
    LaunchClaim,
    Link,
    LinkConfidence,
    Relation,
    Source,
    Status,
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
        source, _ = Source.objects.get_or_create(
            reference=token.lower(),
            defaults={
                "title": reference["title"],
                "publisher": reference["publisher"],
                "url": reference["url"],
            },
        )
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
def launch_update(*, launch, **fields):
    """Change fields of a launch, validated; returns True when anything changed."""
    return save_changes(launch, fields)


@transaction.atomic
def link_upsert(*, launch, event, **fields):
    """The link between `launch` and `event`, created or updated; returns (link, changed)."""
    link = Link.objects.filter(launch=launch, event=event).first() or Link(
        launch=launch, event=event
    )
    return link, save_changes(link, fields)


def _unique_slug(model, base, *, exclude_pk=None):
    slug, n = base, 1
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def save_changes(instance, values):
    """Apply `values` to `instance`, validate, and save only the fields that changed.

    Returns True when anything was written (always for a new instance).
    """
    created = instance._state.adding
    changed = (
        set(values)
        if created
        else {name for name, value in values.items() if getattr(instance, name) != value}
    )
    for name in changed:
        setattr(instance, name, values[name])
    if not (created or changed):
        return False
    instance.full_clean()
    if created:
        instance.save()
    else:
        stamp = ["updated_at"] if hasattr(instance, "updated_at") else []
        instance.save(update_fields=[*changed, *stamp])
    _announce(instance, created=created, changed=changed)
    return True


def _announce(instance, *, created, changed):
    """Tell the outbox and caches that a published record appeared or changed."""
    if getattr(instance, "status", None) != Status.PUBLISHED:
        return
    if created or "status" in changed:
        signals.record_published.send(sender=type(instance), instance=instance)
    else:
        signals.record_updated.send(sender=type(instance), instance=instance, fields=changed)


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


def _upsert(model, row, *, slug_base, import_format):
    """Create or update one imported record; returns (instance, 'created'|'updated'|'unchanged')."""
    record = row.extra.get("record") or {"format": import_format, "row": row.extra["cells"]}
    fields = dict(row.fields, import_record=record)
    instance = model.objects.filter(external_id=row.external_id).first()
    if instance is None:
        instance = model(
            external_id=row.external_id,
            slug=_unique_slug(model, slug_base),
            status=Status.PUBLISHED,
            published_at=timezone.now(),
        )
        save_changes(instance, fields)
        return instance, "created"
    return instance, "updated" if save_changes(instance, fields) else "unchanged"


def _set_sources(instance, tokens):
    sources = [source_get_or_create(token=token) for token in tokens]
    if {s.pk for s in sources} != set(instance.sources.values_list("pk", flat=True)):
        instance.sources.set(sources)
        return True
    return False


def _run(report, rows, problems, write_row, *, skip_invalid):
    report.refused = problems
    for row in rows:
        report.kept_as_text += [(row.number, column, text) for column, text in row.kept_as_text]
    if problems and not skip_invalid:
        return report
    with transaction.atomic():
        for row in rows:
            outcome = write_row(row)
            setattr(report, outcome, getattr(report, outcome) + 1)
    report.written = True
    return report


# The launch file formats: the reader of each, and the name its import records carry.
LAUNCH_FORMATS = {
    "chronology": (importers.read_chronology_launches, "salvo-chronology"),
    "cns": (importers.read_cns_launches, "cns"),
}


def launches_import(*, file, skip_invalid=False, format="chronology"):
    """Import launches from a chronology CSV or a CNS database CSV (`format="cns"`).

    All or nothing unless `skip_invalid`. Matches records by their id in the file, so
    importing the same file again changes nothing.
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
        launch, outcome = _upsert(Launch, row, slug_base=slug_base, import_format=import_format)
        claims_changed = _claim_tuples(row.claims) != _existing_claim_tuples(launch)
        if claims_changed:
            for old in launch.claims.all():
                old.delete()  # one by one, so each deletion is kept in the history
            bulk_create_with_history(
                [
                    claim.to_model(attribute, launch=launch, position=position)
                    for position, (attribute, claim) in enumerate(row.claims)
                ],
                LaunchClaim,
            )
        sources_changed = _set_sources(launch, row.sources)
        if outcome == "unchanged" and (claims_changed or sources_changed):
            return "updated"
        return outcome

    return _run(ImportReport("launches"), rows, problems, write, skip_invalid=skip_invalid)


def events_import(*, file, skip_invalid=False):
    """Import context events and link each to the launches of its related dates.

    A link that already exists is left as the analyst made it.
    """
    try:
        rows, problems = importers.read_events(file)
    except importers.FileRefused as exc:
        return ImportReport("events", refused=[importers.Problem(1, "header", str(exc))])
    report = ImportReport("events")

    def write(row):
        slug_base = slugify(f"{row.fields['start_date']}-{row.fields['title']}")[:100].rstrip("-")
        event, outcome = _upsert(Event, row, slug_base=slug_base, import_format="salvo-events")
        sources_changed = _set_sources(event, row.sources)
        source = event.sources.order_by("id").first()
        for day in row.extra["related_launch_dates"]:
            launches = list(Launch.objects.filter(occurred_on=day))
            if not launches:
                report.notes.append(
                    f"row {row.number}: no launch on {day} to link {row.external_id} to"
                )
                report.kept_as_text.append((row.number, "related_launch_dates", str(day)))
            for launch in launches:
                _, created = Link.objects.get_or_create(
                    launch=launch,
                    event=event,
                    defaults={
                        "relation": Relation.FOLLOWED_BY
                        if event.start_date > launch.occurred_on
                        else Relation.TIMED_WITH,
                        "rationale": f"The chronology lists this launch as related to "
                        f"“{event.title}” ({row.external_id}).",
                        "confidence": LinkConfidence.MEDIUM,
                        "source": source,
                        "status": Status.PUBLISHED,
                    },
                )
                report.links_created += created
        if outcome == "unchanged" and sources_changed:
            return "updated"
        return outcome

    return _run(report, rows, problems, write, skip_invalid=skip_invalid)


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
        job.save(update_fields=["status", "started_at"])
    service, options = IMPORT_SERVICES[job.kind]
    try:
        report = service(
            file=io.BytesIO(job.content.encode()), skip_invalid=job.skip_invalid, **options
        )
    except Exception:
        job.status, job.finished_at = ImportStatus.FAILED, timezone.now()
        job.save(update_fields=["status", "finished_at"])
        raise
    job.report = report.as_dict()
    job.status = ImportStatus.DONE if report.written else ImportStatus.REFUSED
    job.finished_at = timezone.now()
    job.save(update_fields=["report", "status", "finished_at"])
    return job


class TransitionRefused(Exception):
    """A status change the user may not make, or that the record's state does not allow."""


def can_publish(user, instance):
    """True when `user` may publish or unpublish records like `instance`."""
    meta = instance._meta
    return user is not None and user.has_perm(f"{meta.app_label}.publish_{meta.model_name}")


@transaction.atomic
def record_transition(*, instance, status, user=None):
    """Move a launch, event, link or statement to draft, review or published.

    Publishing and unpublishing need the model's publish permission; anyone who may edit
    can submit a draft for review or take it back. Announces the change to the outbox.
    """
    previous = instance.status
    if status == previous:
        return instance
    if (
        Status.PUBLISHED in (status, previous)
        and user is not None
        and not can_publish(user, instance)
    ):
        raise TransitionRefused(
            f"You may not {'publish' if status == Status.PUBLISHED else 'unpublish'} "
            f"{instance._meta.verbose_name_plural}: an editor must."
        )
    instance.status = status
    fields = ["status", "updated_at"]
    if status == Status.PUBLISHED:
        if getattr(instance, "published_at", False) is None:
            instance.published_at = timezone.now()
            fields.append("published_at")
        if hasattr(instance, "reviewed_by_id") and user is not None:
            instance.reviewed_by = user
            fields.append("reviewed_by")
    instance.full_clean()
    instance.save(update_fields=fields)
    if status == Status.PUBLISHED:
        signals.record_published.send(sender=type(instance), instance=instance)
    elif previous == Status.PUBLISHED:
        signals.record_unpublished.send(sender=type(instance), instance=instance)
    return instance
