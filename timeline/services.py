"""Writes with rules for the timeline: sources, links, publication."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from . import signals
from .models import (
    SOURCE_REFERENCES,
    Event,
    EventKind,
    Launch,
    LaunchClaim,
    Link,
    LinkConfidence,
    PublishableQuerySet,
    Relation,
    Source,
    Status,
    SuggestionStatus,
    TriggerSuggestion,
)


def source_get_or_create(*, token):
    """The Source for a URL or a dataset reference (CNS-DB), created on first use."""
    reference = SOURCE_REFERENCES.get(token)
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


def _unique_slug(model, base, *, exclude_pk=None):
    slug, n = base, 1
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def save_changes(instance, values, *, user=None):
    """Apply `values` to `instance`, validate, and save only the fields that changed.

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
    _announce(instance, created=created, changed=changed)
    if created and isinstance(instance, Launch):
        _suggest_triggers_on_commit(instance.pk)
    return True


def _suggest_triggers_on_commit(launch_id):
    from .tasks import suggest_triggers

    suggest_triggers.delay_on_commit(launch_id)


def _announce(instance, *, created, changed):
    """Tell the outbox and caches that a published record appeared or changed."""
    if getattr(instance, "status", None) != Status.PUBLISHED:
        return
    if created or "status" in changed:
        signals.record_published.send(sender=type(instance), instance=instance)
    else:
        signals.record_updated.send(sender=type(instance), instance=instance, fields=changed)


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
# model, functions that find a published record showing it. Apps above add theirs.
SHOWN_BY = {
    Source: [
        lambda source: Launch.objects.published().filter(sources=source).first(),
        lambda source: Launch.objects.published().filter(claims__source=source).first(),
        lambda source: Event.objects.published().filter(sources=source).first(),
        lambda source: Link.objects.published().filter(source=source).first(),
    ],
}


def shown_by(model, finder):
    """Declare that a published record found by `finder(instance)` shows `model`'s rows."""
    SHOWN_BY.setdefault(model, []).append(finder)


def _locked(rows):
    """`rows` locked until the transaction ends, where there is one, so that a publication
    cannot slip in between the check and the change."""
    return rows.select_for_update() if transaction.get_connection().in_atomic_block else rows


def published_guardians(instance):
    """The records a change to `instance` would change as readers see them, or will.

    A claim changes its launch (the one it has and the one it is moved to); a source or a
    speaker changes the published records that show it; every other record that goes
    through review guards itself, when published or in review (what an editor reviews is
    what gets published). Read from the database, so that a record already changed in
    memory (as a bound admin form leaves it) is judged as it is stored.
    """
    guarded = [Status.PUBLISHED, Status.REVIEW]
    if isinstance(instance, LaunchClaim):
        launch_ids = {instance.launch_id}
        if instance.pk is not None:
            stored = _locked(LaunchClaim.objects.filter(pk=instance.pk))
            launch_ids |= set(stored.values_list("launch_id", flat=True))
        return list(_locked(Launch.objects.filter(pk__in=launch_ids - {None}, status__in=guarded)))
    model = type(instance)
    if instance.pk is None:
        return []
    if is_publishable(model):
        return list(_locked(model._default_manager.filter(pk=instance.pk, status__in=guarded)))
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
        elif isinstance(instance, LaunchClaim):
            what = f"Its {name} is published"
        else:
            what = f"A published {name} shows it"
        raise ChangeRefused(
            f"{what}: only an editor can change it. Ask an editor to make the change, "
            f"or to return the {name} to draft first."
        )


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
        getattr(past, name).set(ids)
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


@transaction.atomic
def record_restore(*, model, pk, user=None):
    """Create a deleted record again exactly as it was when it was deleted.

    A launch comes back with the claims and links that were deleted along with it.
    """
    record = deleted_records(model).filter(**{model._meta.pk.attname: pk}).first()
    if record is None:
        raise model.DoesNotExist(f"No deleted {model._meta.verbose_name} {pk} to restore.")
    instance = record_revert(record=record, user=user)
    if model is Launch:
        # Django deletes the children a moment before the launch they cascade from.
        since = record.history_date - datetime.timedelta(seconds=10)
        for child in (LaunchClaim, Link):
            for past in deleted_records(child).filter(
                launch_id=pk, history_date__gte=since, history_date__lte=record.history_date
            ):
                record_revert(record=past, user=user)
        _suggestions_restore(launch_id=pk, since=since, until=record.history_date, user=user)
    return instance


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


def _create_publishable(instance, fields, *, status, user):
    """Save a new record as a draft, then move it to `status` as `user` may."""
    instance.status = Status.DRAFT
    save_changes(instance, fields)
    return record_transition(instance=instance, status=status, user=user)


@transaction.atomic
def record_sources_set(*, instance, sources, user=None):
    """Cite exactly `sources` on a launch or an event; returns True when that changed."""
    if {s.pk for s in sources} == set(instance.sources.values_list("pk", flat=True)):
        return False
    check_may_change(instance=instance, user=user)
    instance.sources.set(sources)
    return True


@transaction.atomic
def launch_create(*, status=Status.DRAFT, user=None, sources=(), **fields):
    """Create a launch, validated; a slug is made from its day and class when none is given.

    Publishing it at once needs the publish permission, as in `record_transition`.
    """
    if not fields.get("slug"):
        base = slugify(f"{fields.get('occurred_on')}-{fields.get('missile_class', 'unknown')}")
        fields["slug"] = _unique_slug(Launch, base)
    launch = _create_publishable(Launch(), fields, status=status, user=user)
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
def event_create(*, status=Status.DRAFT, user=None, sources=(), **fields):
    """Create an event, validated; a slug is made from its day and title when none is given."""
    if not fields.get("slug"):
        base = slugify(f"{fields.get('start_date')}-{fields.get('title', '')}")[:100].rstrip("-")
        fields["slug"] = _unique_slug(Event, base)
    event = _create_publishable(Event(), fields, status=status, user=user)
    record_sources_set(instance=event, sources=sources)
    return event


@transaction.atomic
def event_update(*, event, sources=None, user=None, **fields):
    """Change fields and sources of an event, validated; returns True when anything changed."""
    changed = save_changes(event, fields, user=user)
    if sources is not None:
        changed = record_sources_set(instance=event, sources=sources, user=user) or changed
    return changed


@transaction.atomic
def link_create(*, launch, event, status=Status.DRAFT, user=None, **fields):
    """Link a launch to an event, validated; one link per pair."""
    return _create_publishable(Link(launch=launch, event=event), fields, status=status, user=user)


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
