"""The desk's one write: the analyst's reviewed proposals become drafts.

Everything goes through the record services (timeline, reactions, editorial), so the drafts
have the same validation, history and permissions as the admin's. Nothing is published, so
nothing is announced to webhook subscribers until an editor publishes it.
"""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from editorial.models import Status
from editorial.services import TransitionRefused, announced_once, record_transition
from reactions.models import Speaker
from reactions.services import (
    speaker_create,
    speaker_update,
    statement_create,
    theme_get_or_create,
)
from timeline.models import Launch, Source
from timeline.services import claim_create, event_create, launch_create, link_create, source_create


class DeskError(Exception):
    """A row the desk could not turn into a draft; nothing was written.

    `section` ("Source", "Launch", "Claim", "Statement", "Event") and `row` (1-based, None
    for a section entered once) say where, `field` which field (None for the whole row), so
    that the page can show the message beside it.
    """

    def __init__(self, message, *, section, row=None, field=None):
        super().__init__(message)
        self.message, self.section, self.row, self.field = message, section, row, field

    def __str__(self):
        where = self.section if self.row is None else f"{self.section} {self.row}"
        return (
            f"{where}, {self.field.replace('_', ' ')}: {self.message}"
            if self.field
            else (f"{where}: {self.message}")
        )


@dataclass
class Drafts:
    """What `desk_submit` wrote: the source (new or reused), the launch, and the new drafts."""

    source: Source
    launch: Launch
    launch_created: bool
    claims: list = field(default_factory=list)
    statements: list = field(default_factory=list)
    events: list = field(default_factory=list)
    links: list = field(default_factory=list)

    def reviewable(self):
        """The records with a status created here, in the order they were made."""
        launch = [self.launch] if self.launch_created else []
        return [*launch, *self.statements, *self.events, *self.links]


@transaction.atomic
def desk_submit(*, user, source, launch, statements, events=(), submit_for_review=False):
    """Create, in one transaction, the drafts an analyst confirmed at the desk.

    `source`: {url, title, publisher, published_on, language}, reused as it is when its URL
    is on record. `launch`: {"launch": a Launch on record} or {"new": launch fields,
    "claims": [claim fields]}. `statements`: [{actor, speaker_name, speaker_role, themes:
    [names], and Statement fields}]. `events`: [{"event": an Event or None, "new": event
    fields, relation, rationale, confidence}]. With `submit_for_review`, each record with a
    status made here goes to review. Returns Drafts. Raises PermissionDenied, or DeskError
    naming the row and field at fault; either way nothing is written.
    """
    _check_permissions(user, source=source, launch=launch, events=events)
    with announced_once():
        drafts = _create_drafts(user, source, launch, statements, events)
        if submit_for_review:
            for record in drafts.reviewable():
                try:
                    record_transition(instance=record, status=Status.REVIEW, user=user)
                except (TransitionRefused, ValidationError) as error:
                    raise DeskError(_reason(error), section="Review") from None
    return drafts


def _check_permissions(user, *, source, launch, events):
    needed = ["reactions.add_statement", "reactions.add_speaker"]
    if not Source.objects.filter(url=source["url"]).exists():
        needed.append("timeline.add_source")
    if "new" in launch:
        needed += ["timeline.add_launch", "timeline.add_launchclaim"]
    if any(event.get("event") is None for event in events):
        needed.append("timeline.add_event")
    if events:
        needed.append("timeline.add_link")
    missing = [perm for perm in needed if not user.has_perm(perm)]
    if missing:
        names = ", ".join(perm.split(".")[1].replace("_", " ") for perm in missing)
        raise PermissionDenied(
            f"You may not create these drafts (missing: {names}). "
            "Ask an administrator for the Analyst role."
        )


def _create_drafts(user, source, launch, statements, events):
    source = _source(source)
    drafts = _launch(user, launch, source)
    for row, values in enumerate(statements, start=1):
        with _blame("Statement", row):
            drafts.statements.append(_statement(user, values, drafts.launch, source, row))
    for row, values in enumerate(events, start=1):
        with _blame("Event", row):
            event = values["event"]
            if event is None:
                event = event_create(
                    status=Status.DRAFT, user=user, sources=[source], **values["new"]
                )
                drafts.events.append(event)
            link = link_create(
                launch=drafts.launch,
                event=event,
                status=Status.DRAFT,
                user=user,
                relation=values["relation"],
                rationale=values["rationale"],
                confidence=values["confidence"],
                source=source,
            )
            drafts.links.append(link)
    return drafts


def _source(values):
    existing = Source.objects.filter(url=values["url"]).first()
    if existing is not None:
        return existing
    published_on = values.get("published_on")
    with _blame("Source"):
        return source_create(
            url=values["url"],
            title=values.get("title", ""),
            publisher=values.get("publisher", ""),
            language=values.get("language") or "en",
            published_at=(
                datetime.datetime.combine(published_on, datetime.time(), tzinfo=datetime.UTC)
                if published_on
                else None
            ),
        )


def _launch(user, values, source):
    if "launch" in values:
        return Drafts(source=source, launch=values["launch"], launch_created=False)
    with _blame("Launch"):
        launch = launch_create(status=Status.DRAFT, user=user, sources=[source], **values["new"])
    drafts = Drafts(source=source, launch=launch, launch_created=True)
    for row, claim in enumerate(values.get("claims", ()), start=1):
        with _blame("Claim", row):
            drafts.claims.append(
                claim_create(launch=launch, user=user, source=source, position=row, **claim)
            )
    return drafts


def _statement(user, values, launch, source, row):
    values = dict(values)
    name, role = values.pop("speaker_name", ""), values.pop("speaker_role", "")
    actor = values.pop("actor")
    themes = []
    for theme in values.pop("themes", ()):
        if not slugify(theme):
            raise DeskError(
                f"“{theme}” cannot name a theme: use letters or digits.",
                section="Statement",
                row=row,
                field="themes",
            )
        themes.append(theme_get_or_create(name=theme))
    try:
        speaker = _speaker(user, actor, name, role) if name else None
    except ValidationError as error:
        raise _located(error, "Statement", row, rename=SPEAKER_FIELDS) from None
    except TransitionRefused as error:
        raise DeskError(str(error), section="Statement", row=row, field="speaker_role") from None
    return statement_create(
        launch=launch,
        actor=actor,
        status=Status.DRAFT,
        user=user,
        speaker=speaker,
        source=source,
        themes=themes,
        **values,
    )


SPEAKER_FIELDS = {"name": "speaker_name", "role": "speaker_role"}


def _speaker(user, actor, name, role):
    """The actor's speaker of that name (any case), else a new one. A role given for a
    speaker on record without one fills it, as `user` may change that speaker."""
    speaker = Speaker.objects.filter(actor=actor, name__iexact=name).first()
    if speaker is None:
        return speaker_create(actor=actor, name=name, role=role)
    if role and not speaker.role:
        speaker_update(speaker=speaker, user=user, role=role)
    return speaker


@contextmanager
def _blame(section, row=None):
    """Turns a ValidationError raised inside the block into a DeskError for that row."""
    try:
        yield
    except ValidationError as error:
        raise _located(error, section, row) from None


def _located(error, section, row, rename=None):
    """The first message of a ValidationError, as a DeskError naming its field."""
    if hasattr(error, "error_dict"):
        name, errors = next(iter(error.error_dict.items()))
        field_name = None if name == NON_FIELD_ERRORS else (rename or {}).get(name, name)
        message = _reason(ValidationError(errors))
        return DeskError(message, section=section, row=row, field=field_name)
    return DeskError(_reason(error), section=section, row=row)


def _reason(error):
    return " ".join(getattr(error, "messages", [str(error)]))
