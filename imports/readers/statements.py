"""Salvo's statements CSV (the format of reactions/data/statements.csv): reactions to launches.

Reading looks up what each row refers to (its launch, its actor) so a row that points at
nothing, or at two launches, is refused with its reason before anything is written.
"""

import datetime

from reactions.models import Actor, Channel, QuoteKind, Stance, Statement
from timeline.models import Launch

from .. import parsing
from .base import Problem, Row, model_errors, read_rows, split_sources

STATEMENT_COLUMNS = [
    "launch_date_kst",
    "actor",
    "speaker_name",
    "speaker_role",
    "issued_on",
    "channel",
    "quote",
    "quote_kind",
    "stance",
    "themes",
    "via",
    "source_url",
    "source_title",
    "source_publisher",
    "source_published_on",
    "language",
    "note",
    # Optional hints for a day with several launches: the launch's id, or its missile class.
    "launch_id",
    "launch_class",
]
STATEMENT_REQUIRED = ["launch_date_kst", "actor", "quote", "stance", "source_url"]
# The column a model field comes from, to name it when the model refuses a value.
STATEMENT_FIELD_COLUMNS = {
    "launch": "launch_date_kst",
    "issued_on": "issued_on",
    "original_language": "language",
    "speaker": "speaker_name",
    "source": "source_url",
}

STANCES = {
    "condemns": Stance.CONDEMNS,
    "concerned": Stance.CONCERNED,
    "neutral": Stance.NEUTRAL,
    "supportive": Stance.SUPPORTIVE,
    "defends": Stance.DEFENDS,
}
QUOTE_KINDS = {
    "verbatim": QuoteKind.VERBATIM,
    "reported": QuoteKind.PARAPHRASE,
    "paraphrase": QuoteKind.PARAPHRASE,
}


def read_statements(file):
    """Statements from Salvo's statements CSV, each tied to its launch and actor."""
    actors = {actor.code.upper(): actor for actor in Actor.objects.all()}
    return read_rows(
        file,
        STATEMENT_COLUMNS,
        STATEMENT_REQUIRED,
        lambda number, cells, problems: _statement(number, cells, problems, actors),
    )


def find_launch(day, *, launch_id="", launch_class=""):
    """(launch, reason): the one launch of local date `day`, narrowed by the hints; with no
    launch, or several, the launch is None and the reason says which."""
    launches = list(Launch.objects.filter(occurred_on=day).order_by("sort_at", "id"))
    if launch_id:
        launches = [launch for launch in launches if launch.external_id == launch_id]
    if launch_class:
        wanted = launch_class.lower()
        launches = [launch for launch in launches if launch.missile_class.lower() == wanted]
    if len(launches) == 1:
        return launches[0], ""
    if not launches:
        hint = f" with id {launch_id}" if launch_id else ""
        hint += f" of class {launch_class}" if launch_class else ""
        return None, f"no launch on {day}{hint}"
    ids = ", ".join(launch.external_id or str(launch.pk) for launch in launches)
    return None, (
        f"{len(launches)} launches on {day} ({ids}): name one in the launch_id "
        "or launch_class column"
    )


def _statement(number, cells, problems, actors):
    def refuse(column, reason):
        problems.append(Problem(number, column, reason))

    row = Row(number=number, external_id="", fields={}, extra={"cells": cells})
    f = row.fields
    launch = None
    try:
        day = parsing.parse_date(cells["launch_date_kst"])
    except ValueError as exc:
        refuse("launch_date_kst", str(exc))
    else:
        launch, reason = find_launch(
            day, launch_id=cells.get("launch_id", ""), launch_class=cells.get("launch_class", "")
        )
        if launch is None:
            refuse("launch_date_kst", reason)
    actor = actors.get(cells["actor"].upper())
    if actor is None:
        refuse("actor", f"unknown actor code {cells['actor']!r}")
    row.extra.update(launch=launch, actor=actor)
    row.extra["speaker"] = _speaker(cells)
    f["issued_on"] = None
    for column in ("issued_on", "source_published_on"):
        if cells.get(column):
            try:
                row.extra[column] = parsing.parse_date(cells[column])
            except ValueError as exc:
                refuse(column, str(exc))
    f["issued_on"] = row.extra.get("issued_on") or row.extra.get("source_published_on")
    if f["issued_on"] is None and launch is not None:
        f["issued_on"] = launch.occurred_on
    if not cells.get("issued_on"):
        row.kept_as_text.append(("issued_on", f"empty; {f['issued_on']} used"))
    channel = cells.get("channel") or Channel.WRITTEN
    if channel not in Channel.values:
        refuse("channel", f"unknown channel {channel!r}; expected one of {', '.join(Channel)}")
    f["channel"] = channel
    f["quote"] = cells["quote"]
    if not f["quote"]:
        refuse("quote", "every statement needs its words")
    kind = QUOTE_KINDS.get((cells.get("quote_kind") or "verbatim").lower())
    if kind is None:
        refuse("quote_kind", f"unknown quote kind {cells['quote_kind']!r}; verbatim or reported")
    f["quote_kind"] = kind
    stance = STANCES.get(cells["stance"].lower())
    if stance is None:
        expected = ", ".join(STANCES)
        refuse("stance", f"unknown stance {cells['stance']!r}; expected one of {expected}")
    f["stance"] = stance
    f["via"] = cells.get("via", "")
    language = cells.get("language", "").lower()
    f["original_language"] = "" if language in {"", "en"} else language
    row.extra["themes"] = [t.strip() for t in cells.get("themes", "").split(";") if t.strip()]
    before = len(problems)
    row.sources = split_sources(cells["source_url"], number, "source_url", problems)
    if len(problems) == before and (len(row.sources) != 1 or "://" not in row.sources[0]):
        refuse("source_url", "every statement cites one source page by its URL")
    row.extra["source"] = {
        "title": cells.get("source_title", ""),
        "publisher": cells.get("source_publisher", ""),
        "published_on": row.extra.get("source_published_on"),
        "language": language,
    }
    if not any(problem.row == number for problem in problems):
        statement = Statement(launch=launch, actor=actor, **f)
        problems += [
            Problem(number, STATEMENT_FIELD_COLUMNS.get(name, name), message)
            for name, message in model_errors(statement, exclude=["speaker", "source"])
        ]
    return row


def _speaker(cells):
    """(name, role) of the speaker; an office that speaks without a name is named by its role."""
    name, role = cells.get("speaker_name", ""), cells.get("speaker_role", "")
    if not name and not role:
        return None
    return (name or role), (role if name else "")


def published_at(day):
    """A source's publication day as the datetime the model keeps: its start, in UTC."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC) if day else None
