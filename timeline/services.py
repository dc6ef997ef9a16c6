"""Writes with rules for the timeline: imports, sources, links, publication."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from . import importers
from .models import Event, Launch, LaunchClaim, Link, LinkConfidence, Relation, Source, Status


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


def _unique_slug(model, base, *, exclude_pk=None):
    slug, n = base, 1
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _changed(instance, fields):
    return {name for name, value in fields.items() if getattr(instance, name) != value}


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
    fields = dict(row.fields, import_record={"format": import_format, "row": row.extra["cells"]})
    instance = model.objects.filter(external_id=row.external_id).first()
    if instance is None:
        instance = model(
            external_id=row.external_id,
            slug=_unique_slug(model, slug_base),
            status=Status.PUBLISHED,
            published_at=timezone.now(),
            **fields,
        )
        instance.full_clean()
        instance.save()
        return instance, "created"
    changed = _changed(instance, fields)
    if changed:
        for name in changed:
            setattr(instance, name, fields[name])
        instance.full_clean()
        instance.save(update_fields=[*changed, "updated_at"])
        return instance, "updated"
    return instance, "unchanged"


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


def launches_import(*, file, skip_invalid=False):
    """Import launches from a chronology CSV; all or nothing unless `skip_invalid`.

    Matches records by their id in the file, so importing the same file again changes nothing.
    """
    try:
        rows, problems = importers.read_chronology_launches(file)
    except importers.FileRefused as exc:
        return ImportReport("launches", refused=[importers.Problem(1, "header", str(exc))])

    def write(row):
        slug_base = slugify(f"{row.fields['occurred_on']}-{row.fields['missile_class']}")
        launch, outcome = _upsert(
            Launch, row, slug_base=slug_base, import_format="salvo-chronology"
        )
        claims_changed = _claim_tuples(row.claims) != _existing_claim_tuples(launch)
        if claims_changed:
            launch.claims.all().delete()
            LaunchClaim.objects.bulk_create(
                LaunchClaim(
                    launch=launch,
                    attribute=attribute,
                    position=position,
                    value_text=c.value_text,
                    value=c.value,
                    value_max=c.value_max,
                    claimant=c.claimant,
                    note=c.note,
                )
                for position, (attribute, c) in enumerate(row.claims)
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
