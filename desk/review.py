"""The review screen: the extractor's proposals as the desk's forms, and back as drafts.

One Review holds every form of the screen. Built from the extraction, the forms carry the
proposals as initial values; built from a POST, they are validated from scratch, and the
choices (launches, events, actors) are read once for all rows.

Of the extraction's open parts it reads: in `launch.proposed`, the Launch fields the form
has (occurred_on, time_note, launching_state, missile_count, missile_class, missile_name,
launch_site, direction, reporting_authority) and `claims`, a list of {attribute,
value_text, value, claimant}; in an event's `proposed`, kind, title and start_date. Keys
it does not know are left for the analyst to see in the text.
"""

import datetime
from dataclasses import dataclass

from reactions.models import Actor, Channel, Theme
from timeline.models import Event, Launch, Relation

from .forms import (
    NEW,
    QUOTE_KINDS,
    STANCES,
    ClaimFormSet,
    EventFormSet,
    FinishForm,
    LaunchForm,
    SourceForm,
    StatementFormSet,
)


class Review:
    def __init__(self, data=None, *, initial=None):
        initial = initial or {}
        self.launches = Launch.objects.order_by("-sort_at", "-id").only(
            "slug", "occurred_on", "occurred_at", "local_timezone", "time_note",
            "missile_class", "missile_name", "status",
        )  # fmt: skip
        self.events = {
            event.slug: event
            for event in Event.objects.order_by("-start_date", "-id").only(
                "slug", "title", "start_date", "status"
            )
        }
        self.actors = {actor.code: actor for actor in Actor.objects.order_by("name", "id")}
        self.source = SourceForm(data, prefix="source", initial=initial.get("source"))
        self.launch = LaunchForm(
            data, prefix="launch", initial=initial.get("launch"), launches=self.launches
        )
        self.claims = ClaimFormSet(data, prefix="claim", initial=initial.get("claims"))
        self.statements = StatementFormSet(
            data,
            prefix="statement",
            initial=initial.get("statements"),
            form_kwargs={"actors": self.actors},
        )
        self.event_rows = EventFormSet(
            data, prefix="event", initial=initial.get("events"), form_kwargs={"events": self.events}
        )
        self.finish = FinishForm(data, prefix="finish", initial=initial.get("finish"))

    @classmethod
    def from_extraction(cls, extraction, article):
        return cls(initial=initial_values(extraction, article))

    def forms(self):
        """The forms and formsets of the screen, in the order it shows them."""
        return [
            self.source,
            self.launch,
            self.claims,
            self.statements,
            self.event_rows,
            self.finish,
        ]

    def is_valid(self):
        """Every form validated (none skipped, so that each shows its errors)."""
        return all([form.is_valid() for form in self.forms()])  # noqa: C419

    def kept_statements(self):
        return [form for form in self.statements if form.kept]

    def kept_events(self):
        return [form for form in self.event_rows if form.kept]

    def kept_claims(self):
        return [form for form in self.claims if form.kept]

    def submission(self):
        """The keyword arguments of desk_submit, from the validated forms."""
        launch = self.launch.chosen()
        if "new" in launch:
            launch["claims"] = [
                {k: v for k, v in form.cleaned_data.items() if k != "keep"}
                for form in self.kept_claims()
            ]
        issued_on = self.source.cleaned_data["issued_on"]
        return {
            "source": self.source.cleaned_data,
            "launch": launch,
            "statements": [form.statement(issued_on) for form in self.kept_statements()],
            "events": [form.event_row() for form in self.kept_events()],
            "submit_for_review": self.finish.cleaned_data["submit_for_review"],
        }

    def attach(self, error):
        """Show a DeskError on the row it names, beside its field where it names one."""
        rows = {
            "Claim": self.kept_claims(),
            "Statement": self.kept_statements(),
            "Event": self.kept_events(),
        }
        forms = {"Source": [self.source], "Launch": [self.launch]}
        candidates = rows.get(error.section) or forms.get(error.section) or []
        index = (error.row or 1) - 1
        if index < len(candidates):
            form = candidates[index]
            form.add_error(error.field if error.field in form.fields else None, error.message)

    def text(self):
        return self.finish["text"].value() or ""

    def marked_text(self):
        """The article's text in parts, the evidence sentences marked: see `marked`."""
        evidence = [
            (f"statement-{n}", form["evidence"].value())
            for n, form in enumerate(self.statements, start=1)
        ] + [
            (f"event-{n}", form["evidence"].value())
            for n, form in enumerate(self.event_rows, start=1)
        ]
        return marked(self.text(), evidence)


@dataclass(frozen=True)
class Part:
    text: str
    anchor: str = ""  # set on a marked part: the id the rows link to
    also: tuple = ()  # the ids of other rows whose evidence is the same sentence


def marked(text, evidence):
    """`text` cut into Parts, each evidence sentence found in it a marked Part.

    `evidence` is [(anchor, sentence)]; a sentence not found, or overlapping another one
    already marked, is left unmarked; rows with the same sentence share its mark. The
    template escapes every part: no markup comes from here.
    """
    spans = {}
    for anchor, sentence in evidence:
        start = text.find(sentence) if sentence else -1
        if start < 0:
            continue
        end = start + len(sentence)
        if (start, end) in spans:
            spans[start, end].append(anchor)
        elif all(end <= s or start >= e for s, e in spans):
            spans[start, end] = [anchor]
    parts, position = [], 0
    for (start, end), anchors in sorted(spans.items()):
        if start > position:
            parts.append(Part(text[position:start]))
        parts.append(Part(text[start:end], anchors[0], tuple(anchors[1:])))
        position = end
    if position < len(text):
        parts.append(Part(text[position:]))
    return parts


def initial_values(extraction, article):
    """The extractor's JSON as the forms' initial values."""
    source = extraction.get("source") or {}
    launch = extraction.get("launch") or {}
    proposed = launch.get("proposed") or {}
    statements = extraction.get("statements") or []
    slugs = {theme for statement in statements for theme in statement.get("themes") or ()}
    theme_names = dict(Theme.objects.filter(slug__in=slugs).values_list("slug", "name"))
    published_on = _date(source.get("published_on")) or article.published_on
    issued = [_date(s.get("issued_on")) for s in statements]
    return {
        "source": {
            "url": source.get("url") or article.url,
            "title": source.get("title") or article.title,
            "publisher": source.get("publisher") or article.publisher,
            "published_on": published_on,
            "language": source.get("language") or article.language,
            "issued_on": next((day for day in issued if day), published_on),
        },
        "launch": {
            "launch": launch.get("match") or NEW,
            "proposed": " ".join([launch.get("match") or "", *launch.get("alternatives", [])]),
            **{name: proposed.get(name) for name in LaunchForm.NEW_FIELDS if proposed.get(name)},
        },
        "claims": [_claim(claim) for claim in proposed.get("claims") or ()],
        "statements": [_statement(s, theme_names) for s in statements],
        "events": [_event(e) for e in extraction.get("events") or ()],
        "finish": {"text": article.text},
    }


def _date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _claim(claim):
    return {
        "attribute": claim.get("attribute"),
        "value_text": claim.get("value_text", ""),
        "value": claim.get("value"),
        "claimant": claim.get("claimant", ""),
    }


def _statement(statement, theme_names):
    speaker = statement.get("speaker") or {}
    channel = statement.get("channel")
    return {
        "actor": statement.get("actor") or "",
        "speaker_name": speaker.get("name") or "",
        "speaker_role": speaker.get("role") or "",
        "quote": statement.get("quote") or "",
        "quote_kind": QUOTE_KINDS.get(statement.get("quote_kind"), QUOTE_KINDS["verbatim"]),
        "via": statement.get("via") or "",
        "issued_on": _date(statement.get("issued_on")),
        "channel": channel if channel in Channel.values else Channel.WRITTEN,
        "stance": STANCES.get(statement.get("stance"), 0),
        "themes": ", ".join(theme_names.get(t, t) for t in statement.get("themes") or ()),
        "evidence": statement.get("evidence") or "",
        "stance_words": statement.get("stance_words") or [],
    }


def _event(event):
    proposed = event.get("proposed") or {}
    relation = event.get("relation")
    return {
        "event": event.get("match") or NEW,
        "kind": proposed.get("kind") or "",
        "title": proposed.get("title") or "",
        "start_date": _date(proposed.get("start_date")),
        "relation": relation if relation in Relation.values else Relation.TIMED_WITH,
        "rationale": event.get("evidence") or "",
        "evidence": event.get("evidence") or "",
    }
