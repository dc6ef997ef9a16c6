"""How to cite a launch, an event or a statement, and what changed in it since readers first
saw it.

The change log is drawn from the records' history (django-simple-history) but shows only
what readers could see: changes made while the record was published, named by the field's
label, never its draft values, the history's change reasons or who made them.
"""

import datetime
import json
from dataclasses import dataclass

from django.conf import settings
from django.db.models import CharField, OuterRef, StringAgg, Subquery, Value
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from editorial.models import Status
from reactions.models import Statement
from timeline.models import Event, Launch

PUBLISHER = "Salvo"
# One licence for the data, set once in the settings (the download package names it too).
LICENCE = settings.DATA_LICENCE["short"]
LICENCE_URL = settings.DATA_LICENCE["path"]

# The fields readers see on each kind of record's page; no other field ever reaches the
# change log (the slug, import cells, status stamps and who entered or reviewed a record).
PUBLIC_FIELDS = {
    Launch: {
        "launching_state": "launching state",
        "occurred_on": "date",
        "date_precision": "date",
        "occurred_at": "time",
        "time_note": "time as reported",
        "missile_count": "missiles",
        "count_note": "count as reported",
        "category": "category",
        "missile_class": "type",
        "missile_type_label": "type as reported",
        "missile_name": "name",
        "launch_site": "site",
        "site_latitude": "site coordinates",
        "site_longitude": "site coordinates",
        "direction": "direction",
        "distance_km": "distance",
        "apogee_km": "apogee",
        "flight_time_min": "flight time",
        "outcome": "outcome",
        "outcome_note": "outcome as reported",
        "confidence": "confidence",
        "reporting_authority": "reported by",
        "summary": "summary",
        "notes": "analyst's note",
    },
    Event: {
        "kind": "kind",
        "title": "title",
        "start_date": "date",
        "date_precision": "date",
        "end_date": "end date",
        "date_note": "date note",
        "location": "place",
        "participants": "who was involved",
        "description": "description",
    },
    Statement: {
        "actor_id": "actor",
        "speaker_id": "speaker",
        "issued_on": "date",
        "issued_at": "time",
        "channel": "channel",
        "quote": "quote",
        "quote_kind": "quote or reported speech",
        "original_text": "original text",
        "original_language": "original language",
        "summary": "summary",
        "stance": "stance",
        "source_id": "source",
        "via": "reported via",
    },
}


# The many-to-many fields readers see, as {field: label}: a launch's and an event's sources,
# the sources a statement cites besides its first.
PUBLIC_M2M_FIELDS = {
    Launch: {"sources": "sources"},
    Event: {"sources": "sources"},
    Statement: {"further_sources": "further sources"},
}


@dataclass(frozen=True)
class Change:
    """One line of a public change log: when, what happened (published, changed, withdrawn,
    published again) and the labels of the fields it changed — never their values."""

    on: datetime.datetime
    event: str
    fields: tuple = ()

    @property
    def what(self):
        return f"{self.event}: {', '.join(self.fields)}" if self.fields else self.event


def _with_m2m(record, rows):
    """History `rows` of `record`, each annotated with the ids its public many-to-many
    fields held then (`m2m_<field>`: "3,7,12"), in the same query."""
    history = record.history.model
    for name in PUBLIC_M2M_FIELDS.get(type(record), {}):
        through = history._meta.get_field(f"{history._meta.model_name}_{name}").related_model
        target = type(record)._meta.get_field(name).m2m_reverse_field_name()
        ids = (
            through.objects.filter(history_id=OuterRef("history_id"))
            .order_by()
            .values("history_id")
            .annotate(ids=StringAgg(Cast(target, CharField()), delimiter=Value(",")))
            .values("ids")
        )
        rows = rows.annotate(**{f"m2m_{name}": Subquery(ids)})
    return rows


def _m2m_ids(row, name):
    return set(filter(None, (getattr(row, f"m2m_{name}") or "").split(",")))


def _changed_fields(model, before, after):
    """The labels of the public fields that differ between two history rows, once each."""
    labels = PUBLIC_FIELDS[model]
    changed = [
        label for name, label in labels.items() if getattr(before, name) != getattr(after, name)
    ]
    changed += [
        label
        for name, label in PUBLIC_M2M_FIELDS.get(model, {}).items()
        if _m2m_ids(before, name) != _m2m_ids(after, name)
    ]
    return tuple(dict.fromkeys(changed))


def _is_public(row):
    return row.status == Status.PUBLISHED and row.history_type != "-"


def _timeline(record):
    """(when, history row of `record` then, whether its launch was public then), in time
    order: a row at each change of the record, and, for a statement, at each change of its
    launch's status, since a statement is visible only while its launch is published."""
    rows = list(_with_m2m(record, record.history.order_by("history_date", "history_id")))
    points = [(row.history_date, 0, row) for row in rows]
    if isinstance(record, Statement):
        launch = record.launch.history.order_by("history_date", "history_id")
        points += [
            (when, 1, status) for when, status in launch.values_list("history_date", "status")
        ]
    points.sort(key=lambda point: (point[0], point[1]))
    row, launch_public = None, not isinstance(record, Statement)
    for when, kind, value in points:
        if kind == 0:
            row = value
        else:
            launch_public = value == Status.PUBLISHED
        if row is not None:
            yield when, row, launch_public


def change_log(record):
    """The public change log of `record`, oldest first: its publication, each change made
    while readers could see it, each withdrawal and publication again.

    What happened while it was a draft or withdrawn (or, for a statement, while its launch
    was) shows only as the fields a new publication changed, compared with what readers
    saw last. One query, and one more for a statement (its launch's history).
    """
    model = type(record)
    log = []
    seen = None  # the last version readers saw
    was_public = False
    for when, row, launch_public in _timeline(record):
        public = _is_public(row) and launch_public
        if public and seen is None:
            log.append(Change(when, "Published"))
        elif public and not was_public:
            log.append(Change(when, "Published again", _changed_fields(model, seen, row)))
        elif public:
            changed = _changed_fields(model, seen, row)
            if changed:
                log.append(Change(when, "Changed", changed))
        elif was_public:
            log.append(Change(when, "Withdrawn from publication"))
        if public:
            seen = row
        was_public = public
    return log


@dataclass(frozen=True)
class Citation:
    """A record's reference in three formats: plain text, BibTeX and CSL-JSON."""

    key: str
    title: str
    url: str
    version: datetime.date
    accessed: datetime.date
    kind: str
    # What the record cites, each as `source_label` names it.
    sources: tuple = ()

    @property
    def based_on(self):
        return f"Sources: {'; '.join(self.sources)}" if self.sources else ""

    @property
    def text(self):
        based_on = f" {self.based_on}." if self.sources else ""
        return (
            f"{PUBLISHER}. “{self.title}.” {self.kind}, version of {self.version:%-d %B %Y}. "
            f"{self.url} (accessed {self.accessed:%-d %B %Y}).{based_on} Licence: {LICENCE}."
        )

    @property
    def bibtex(self):
        fields = {
            "author": f"{{{PUBLISHER}}}",
            "title": f"{{{bibtex_escape(self.title)}}}",
            "howpublished": f"\\url{{{self.url}}}",
            "url": self.url,
            "year": str(self.version.year),
            "month": self.version.strftime("%b").lower(),
            "date": self.version.isoformat(),
            "urldate": self.accessed.isoformat(),
            "note": f"{bibtex_escape(self.kind)}, version of {self.version.isoformat()}; "
            f"licence {bibtex_escape(LICENCE)}"
            + (f"; {bibtex_escape(self.based_on)}" if self.sources else ""),
        }
        lines = ",\n".join(
            f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
            for name, value in fields.items()
        )
        return f"@misc{{{self.key},\n{lines}\n}}"

    @property
    def csl(self):
        return {
            "id": self.key,
            "type": "dataset",
            "title": self.title,
            "author": [{"literal": PUBLISHER}],
            "publisher": PUBLISHER,
            "genre": self.kind,
            "URL": self.url,
            "version": self.version.isoformat(),
            "issued": date_parts(self.version),
            "accessed": date_parts(self.accessed),
            "note": f"Licence: {LICENCE} ({LICENCE_URL})",
            **({"source": "; ".join(self.sources)} if self.sources else {}),
        }

    @property
    def csl_json(self):
        """The CSL-JSON array, one field to a line: readable, and valid JSON to paste."""
        lines = ",\n".join(
            f"    {json.dumps(name)}: {json.dumps(value, ensure_ascii=False)}"
            for name, value in self.csl.items()
        )
        return f"[\n  {{\n{lines}\n  }}\n]"


BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_escape(text):
    """`text` with every character BibTeX or LaTeX would read as markup escaped."""
    return "".join(BIBTEX_SPECIALS.get(char, char) for char in text)


def date_parts(day):
    return {"date-parts": [[day.year, day.month, day.day]]}


# Bidirectional controls (embeddings, overrides, isolates): in a citation copied into
# another text they would reorder what follows them, so a citation leaves them out.
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def title_of(record):
    """The title a reader sees on the record's page, without bidirectional controls."""
    if isinstance(record, Launch):
        title = f"{record.get_missile_class_display()} launch, {record.date_label}"
    elif isinstance(record, Event):
        title = record.title
    else:
        title = f"{record.actor} on the launch of {record.launch.date_label}"
    return title.translate(BIDI_CONTROLS)


KINDS = {Launch: "Launch record", Event: "Event record", Statement: "Statement record"}


def permanent_path(record):
    """The address a citation gives: the record's own page."""
    if isinstance(record, Statement):
        return reverse("explore:statement", kwargs={"pk": record.pk})
    return record.get_absolute_url()


def version_date(record, log):
    """The day of the version readers see: its last public change, or when it was
    published or last saved where no history was kept."""
    when = log[-1].on if log else (record.published_at or record.updated_at)
    return when.astimezone(datetime.UTC).date()


def source_label(source):
    """A source as a citation names it: its title (or reference), publisher and address."""
    parts = [str(source), source.publisher, source.url if str(source) != source.url else ""]
    return ", ".join(part for part in parts if part).translate(BIDI_CONTROLS)


def sources_of(record):
    """What `record` cites: a launch's or event's sources, a statement's cited source first
    and then its further ones; prefetched by the page that shows the record."""
    if isinstance(record, Statement):
        return record.all_sources
    return list(record.sources.all())


def cite(record, *, url, log):
    """The citation of `record`, published at the absolute `url`, as of its change `log`."""
    model = type(record)
    return Citation(
        key=f"salvo-{model._meta.model_name}-{record.pk}",
        title=title_of(record),
        url=url,
        version=version_date(record, log),
        accessed=timezone.now().astimezone(datetime.UTC).date(),
        kind=KINDS[model],
        sources=tuple(source_label(source) for source in sources_of(record)),
    )
