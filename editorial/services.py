"""The record services: every write to a record that readers may see goes through here.

Admin, API, importers, the desk and tasks call these functions, so that a change has the
same rules (who may change what readers see), history, webhook deliveries, cache bumps and
follow-up work (trigger suggestions) whichever door it came through. A change is announced
once, by `announce_change`, after the record and its many-to-many fields are saved.

Apps above declare what only they know: which published records show a record without a
status of its own (`shown_by`, `guarded_by`), and what comes back with a restored record
(`restores_with`).
"""

import contextlib
import datetime
import threading

from django.db import transaction
from django.utils import timezone

from . import signals
from .models import PublishableQuerySet, Status


class TransitionRefused(Exception):
    """A status change the user may not make, or that the record's state does not allow."""


class ChangeRefused(TransitionRefused):
    """A change to a published record by a user who may not publish it."""


def can_publish(user, instance):
    """True when `user` may publish or unpublish records like `instance`."""
    meta = instance._meta
    return user is not None and user.has_perm(f"{meta.app_label}.publish_{meta.model_name}")


def is_publishable(model):
    """True for the records that go through review: launches, events, links, statements."""
    return isinstance(model._default_manager.all(), PublishableQuerySet)


# Records with no status of their own that readers see through published ones: for each
# model, functions that find a published record showing it. Apps declare theirs.
SHOWN_BY = {}
# Records with no status of their own that belong to one that has one (a claim to its
# launch): for each model, a function giving the records, published or in review, that a
# change to it changes. Apps declare theirs.
GUARDED_BY = {}
# What comes back with a restored record (a launch's claims, links, suggestions): for each
# model, functions called with (pk, since, until, user) after the record is restored.
RESTORES_WITH = {}
# Records without a status whose changes are changes of the record they belong to (a claim
# of its launch): for each model, (a function giving its owners, the owners' field name).
ANNOUNCED_THROUGH = {}


def shown_by(model, finder):
    """Declare that a published record found by `finder(instance)` shows `model`'s rows."""
    SHOWN_BY.setdefault(model, []).append(finder)


def guarded_by(model, guardians):
    """Declare that `guardians(instance, statuses)` gives the records owning `model`'s rows
    that have one of `statuses` (locked: see `locked`)."""
    GUARDED_BY[model] = guardians


def announced_through(model, owners, field):
    """Declare that a change to a `model` row is announced as a change of `field` of each of
    `owners(instance)`: readers see a claim as part of its launch."""
    ANNOUNCED_THROUGH[model] = (owners, field)


def restores_with(model, restore):
    """Declare that `restore(pk=, since=, until=, user=)` runs after a `model` is restored."""
    RESTORES_WITH.setdefault(model, []).append(restore)


def locked(rows):
    """`rows` locked until the transaction ends, where there is one, so that a publication
    cannot slip in between the check and the change."""
    return rows.select_for_update() if transaction.get_connection().in_atomic_block else rows


GUARDED = (Status.PUBLISHED, Status.REVIEW)


def published_guardians(instance):
    """The records a change to `instance` would change as readers see them, or will.

    A claim changes its launch (the one it has and the one it is moved to); a source or a
    speaker changes the published records that show it; every other record that goes
    through review guards itself, when published or in review (what an editor reviews is
    what gets published). Read from the database, so that a record already changed in
    memory (as a bound admin form leaves it) is judged as it is stored.
    """
    model = type(instance)
    if model in GUARDED_BY:
        return GUARDED_BY[model](instance, GUARDED)
    if instance.pk is None:
        return []
    if is_publishable(model):
        return list(locked(model._default_manager.filter(pk=instance.pk, status__in=GUARDED)))
    return [guardian for finder in SHOWN_BY.get(model, ()) if (guardian := finder(instance))]


def check_may_change(*, instance, user):
    """Refuse to change, or delete, what readers see to a `user` who may not publish it.

    A published record is public the moment it changes, so an analyst's change would skip
    review: it is refused to anyone without the publish permission, through every door.
    A record in review is frozen for them too (they may take it back to draft to change
    it), so that an editor publishes what they reviewed. `user=None` is Salvo itself
    (management commands and tasks run by an operator).
    """
    if user is None:
        return
    for guardian in published_guardians(instance):
        if can_publish(user, guardian):
            continue
        name = guardian._meta.verbose_name
        if guardian.status == Status.REVIEW:
            raise ChangeRefused(
                f"This {name} is in review: take it back to draft to change it, or ask an editor."
            )
        if type(guardian) is type(instance):
            what = f"This {name} is published"
        elif type(instance) in GUARDED_BY:
            what = f"Its {name} is published"
        else:
            what = f"A published {name} shows it"
        raise ChangeRefused(
            f"{what}: only an editor can change it. Ask an editor to make the change, "
            f"or to return the {name} to draft first."
        )


_collecting = threading.local()


@contextlib.contextmanager
def announced_once():
    """Within the block (or the function it decorates), each record's changes are announced
    once, at its end: a record created with its sources is published once, not published and
    then updated. Use it inside the transaction, so that the outbox writes with the change."""
    if getattr(_collecting, "records", None) is not None:
        yield  # an outer block announces
        return
    _collecting.records = {}
    try:
        yield
        records = _collecting.records
    finally:
        _collecting.records = None
    for instance, created, changed in records.values():
        _announce(instance, created=created, changed=changed)


def announce_change(instance, *, created, changed):
    """Say once that `instance` was created or changed (`changed`: the field names, many-to-
    many ones included), after it and its many-to-many fields are saved.

    Everyone hears `record_saved` (trigger suggestions for a new launch); the outbox and the
    caches hear `record_published` or `record_updated` when readers see the record.
    """
    with announced_once():
        records = _collecting.records
        key = (type(instance), instance.pk)
        _, was_created, was_changed = records.get(key, (instance, False, frozenset()))
        records[key] = (instance, was_created or created, was_changed | frozenset(changed))
        _announce_owners(instance)


def _announce_owners(instance):
    if type(instance) not in ANNOUNCED_THROUGH:
        return
    owners, field = ANNOUNCED_THROUGH[type(instance)]
    for owner in owners(instance):
        announce_change(owner, created=False, changed={field})


def _announce(instance, *, created, changed):
    signals.record_saved.send(
        sender=type(instance), instance=instance, created=created, fields=frozenset(changed)
    )
    if getattr(instance, "status", None) != Status.PUBLISHED:
        return
    if created or "status" in changed:
        signals.record_published.send(sender=type(instance), instance=instance)
    elif changed:
        signals.record_updated.send(sender=type(instance), instance=instance, fields=changed)


def record_save(instance, *, user=None):
    """Save `instance` as its fields already stand (a bound form set them), under the same
    rule as every change; the caller announces it with `announce_change` once its many-to-
    many fields are saved too. The admin's door."""
    check_may_change(instance=instance, user=user)
    instance.save()


def save_changes(instance, values, *, user=None):
    """Apply `values` to `instance`, validate, save only the fields that changed, announce.

    Returns True when anything was written (always for a new instance). A change that
    readers would see at once is refused to a `user` who may not publish it.
    """
    created = instance._state.adding
    changed = (
        set(values)
        if created
        else {name for name, value in values.items() if getattr(instance, name) != value}
    )
    if not (created or changed):
        return False
    before = {name: getattr(instance, name) for name in changed if not created}
    for name in changed:
        setattr(instance, name, values[name])
    try:
        # After the values are set, so that a claim moved onto a launch is judged there too.
        check_may_change(instance=instance, user=user)
    except ChangeRefused:
        for name, value in before.items():
            setattr(instance, name, value)
        raise
    instance.full_clean()
    if created:
        instance.save()
    else:
        stamp = ["updated_at"] if hasattr(instance, "updated_at") else []
        instance.save(update_fields=[*changed, *stamp])
    announce_change(instance, created=created, changed=changed)
    return True


@transaction.atomic
def record_relations_set(instance, relations, *, user=None):
    """Set many-to-many fields of `instance` ({field name: records}) and announce the change
    once; returns the names of the fields that changed."""
    changed = {
        name
        for name, records in relations.items()
        if {r.pk for r in records} != set(getattr(instance, name).values_list("pk", flat=True))
    }
    if not changed:
        return set()
    check_may_change(instance=instance, user=user)
    for name in changed:
        getattr(instance, name).set(relations[name])
    announce_change(instance, created=False, changed=changed)
    return changed


def record_sources_set(*, instance, sources, user=None):
    """Cite exactly `sources` on a record; returns True when that changed."""
    return bool(record_relations_set(instance, {"sources": sources}, user=user))


@transaction.atomic
def record_delete(*, instance, user=None):
    """Delete a record as `user` may; readers who saw it are told it was withdrawn."""
    check_may_change(instance=instance, user=user)
    if getattr(instance, "status", None) == Status.PUBLISHED:
        signals.record_unpublished.send(sender=type(instance), instance=instance)
    with announced_once():
        _announce_owners(instance)
        instance.delete()


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
        for name, value in publication_stamps(instance, user=user).items():
            setattr(instance, name, value)
            fields.append(name)
    instance.full_clean()
    instance.save(update_fields=fields)
    if status == Status.PUBLISHED:
        signals.record_published.send(sender=type(instance), instance=instance)
    elif previous == Status.PUBLISHED:
        signals.record_unpublished.send(sender=type(instance), instance=instance)
    return instance


def publication_stamps(instance, *, user):
    """The fields publishing `instance` sets: when, the first time, and which editor."""
    stamps = {}
    if getattr(instance, "published_at", False) is None:
        stamps["published_at"] = timezone.now()
    if hasattr(instance, "reviewed_by_id") and user is not None:
        stamps["reviewed_by"] = user
    return stamps


def create_publishable(instance, fields, *, status, user):
    """Save a new record with `status`: published at once only by a user who may publish it."""
    if status == Status.PUBLISHED:
        if user is not None and not can_publish(user, instance):
            raise TransitionRefused(
                f"You may not publish {instance._meta.verbose_name_plural}: an editor must."
            )
        fields = {**publication_stamps(instance, user=user), **fields}
    save_changes(instance, {**fields, "status": status})
    return instance


def unique_slug(model, base, *, exclude_pk=None):
    """`base`, or `base-2`, `base-3`…: the first slug no other `model` row holds."""
    slug, n = base, 1
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _past_m2m_ids(record):
    """The ids each tracked many-to-many field held in a historical record."""
    ids = {}
    for m2m_field in record._history_m2m_fields:
        target = m2m_field.m2m_reverse_field_name()
        ids[m2m_field.name] = [
            getattr(row, f"{target}_id") for row in getattr(record, m2m_field.name).all()
        ]
    return ids


@transaction.atomic
def record_revert(*, record, user=None):
    """Bring a record back to a historical version, many-to-many fields included.

    `record` is one of its rows in `history`; a deleted record is created again. A change
    of status goes through record_transition, so it needs the same permission.
    """
    model = record.instance_type
    past = record.instance
    current = model._default_manager.filter(pk=past.pk).first()
    if current is not None:
        check_may_change(instance=current, user=user)
    past._state.adding = current is None
    past._history_user = user
    status = getattr(past, "status", None)
    if status is not None:
        past.status = current.status if current is not None else Status.DRAFT
    changed = {
        field.name
        for field in model._meta.concrete_fields
        if current is not None and getattr(current, field.attname) != getattr(past, field.attname)
    }
    past.full_clean()
    past.save(force_insert=current is None)
    # Stamps the database sets on insert or on publishing are taken back as they were.
    stamps = [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now_add", False) or f.name in {"published_at", "reviewed_by"}
    ]
    # A deletion's own row holds no many-to-many values: they were gone by then.
    m2m_record = record.prev_record if record.history_type == "-" else record
    for name, ids in _past_m2m_ids(m2m_record or record).items():
        if current is not None and set(ids) != set(
            getattr(current, name).values_list("pk", flat=True)
        ):
            changed.add(name)
        getattr(past, name).set(ids)
    # What readers saw changes now; a change of status is announced by record_transition.
    announce_change(past, created=False, changed=changed - {"status", "updated_at"})
    if status is not None:
        record_transition(instance=past, status=status, user=user)
    model._default_manager.filter(pk=past.pk).update(
        **{name: getattr(record, name) for name in stamps}
    )
    past.refresh_from_db()
    return past


def deleted_records(model):
    """The last historical row of each record of `model` that no longer exists, newest first."""
    history = model.history.model
    return (
        history.objects.filter(history_type="-")
        .exclude(**{f"{model._meta.pk.attname}__in": model._default_manager.values("pk")})
        .order_by("-history_date", "-history_id")
    )


# Django deletes the children a moment before the record they cascade from.
CASCADE_SECONDS = 10


@transaction.atomic
def record_restore(*, model, pk, user=None):
    """Create a deleted record again exactly as it was when it was deleted, with what was
    deleted along with it (see `restores_with`)."""
    record = deleted_records(model).filter(**{model._meta.pk.attname: pk}).first()
    if record is None:
        raise model.DoesNotExist(f"No deleted {model._meta.verbose_name} {pk} to restore.")
    instance = record_revert(record=record, user=user)
    since = record.history_date - datetime.timedelta(seconds=CASCADE_SECONDS)
    for restore in RESTORES_WITH.get(model, ()):
        restore(pk=pk, since=since, until=record.history_date, user=user)
    return instance
