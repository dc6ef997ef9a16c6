"""Writes with rules for reactions: statements, speakers, themes."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from editorial.models import Status
from editorial.services import (
    announced_once,
    create_publishable,
    record_delete,
    record_relations_set,
    save_changes,
)
from timeline.services import further_sources_add, further_sources_set

from .models import Speaker, Statement, Theme


def theme_get_or_create(*, name):
    """The Theme of that name, created on first use."""
    theme, _ = Theme.objects.get_or_create(slug=slugify(name)[:80], defaults={"name": name})
    return theme


def speaker_get_or_create(*, actor, name, role=""):
    """The actor's Speaker of that name; a role given later fills an empty one."""
    speaker, created = Speaker.objects.get_or_create(
        actor=actor, name=name, defaults={"role": role}
    )
    if not created and role and not speaker.role:
        save_changes(speaker, {"role": role})
    return speaker


@transaction.atomic
@announced_once()
def statement_upsert(
    *, launch, actor, quote, themes=(), co_signers=(), further_sources=None, **fields
):
    """Create the statement of `actor` on `launch` with this quote, or bring it up to date.

    Returns (statement, changed). Validated with full_clean before it is saved; saves
    nothing when every field already matches.
    """
    statement = Statement.objects.filter(launch=launch, actor=actor, quote=quote).first()
    statement = statement or Statement(launch=launch, actor=actor, quote=quote)
    if fields.get("status") == Status.PUBLISHED and statement.published_at is None:
        fields["published_at"] = timezone.now()
    changed = save_changes(statement, fields)
    themes = [theme_get_or_create(name=name) for name in themes]
    related = _set_relations(statement, themes=themes, co_signers=co_signers)
    further = further_sources_set(record=statement, sources=further_sources)
    return statement, changed or related or further


@transaction.atomic
def speaker_create(*, actor, **fields):
    """Create a speaker for an actor, validated (one of each name per actor)."""
    speaker = Speaker(actor=actor)
    save_changes(speaker, fields)
    return speaker


@transaction.atomic
def speaker_update(*, speaker, user=None, **fields):
    """Change fields of a speaker, validated; returns True when anything changed."""
    return save_changes(speaker, fields, user=user)


def _set_relations(statement, *, themes, co_signers, user=None):
    relations = {"themes": themes, "co_signers": co_signers}
    wanted = {name: records for name, records in relations.items() if records is not None}
    return bool(record_relations_set(statement, wanted, user=user))


@transaction.atomic
@announced_once()
def statement_create(
    *,
    launch,
    actor,
    status=Status.DRAFT,
    user=None,
    themes=(),
    co_signers=(),
    further_sources=(),
    **fields,
):
    """Create a statement entered by `user`, validated, with `status` and the sources that
    report it besides the one cited first.

    Publishing it at once needs the publish permission, as in `record_transition`.
    """
    statement = Statement(launch=launch, actor=actor, entered_by=user)
    create_publishable(statement, fields, status=status, user=user)
    _set_relations(statement, themes=themes, co_signers=co_signers)
    further_sources_set(record=statement, sources=further_sources)
    return statement


@transaction.atomic
@announced_once()
def statement_update(
    *, statement, themes=None, co_signers=None, further_sources=None, user=None, **fields
):
    """Change fields, themes, co-signers and further sources of a statement, validated.

    Returns True when anything changed. A published statement changes only by a user who
    may publish it (see check_may_change).
    """
    changed = save_changes(statement, fields, user=user)
    related = _set_relations(statement, themes=themes, co_signers=co_signers, user=user)
    further = further_sources_set(record=statement, sources=further_sources, user=user)
    return related or further or changed


def statements_move(*, keep, merged, user):
    """The statements of a launch merged into `keep` move there; one `keep` already holds
    word for word is withdrawn with the merged launch, and its sources are cited on the
    statement kept."""
    moved = 0
    for statement in Statement.objects.filter(launch=merged):
        held = Statement.objects.filter(
            launch=keep, actor=statement.actor, quote=statement.quote
        ).first()
        if held is not None:
            further_sources_add(record=held, sources=statement.all_sources, user=user)
            record_delete(instance=statement, user=user)
        else:
            save_changes(statement, {"launch": keep}, user=user)
            moved += 1
    return {"statements": moved}
