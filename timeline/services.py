"""Writes with rules for the timeline: sources, links, publication."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from editorial.models import Status
from editorial.services import (
    announced_once,
    create_publishable,
    deleted_records,
    locked,
    record_relations_set,
    record_revert,
    record_sources_set,
    save_changes,
    unique_slug,
)

from .dates import known_date
from .models import (
    SOURCE_REFERENCES,
    Event,
    EventKind,
    Launch,
    LaunchClaim,
    Link,
    LinkConfidence,
    Relation,
    Source,
    SuggestionStatus,
    TriggerSuggestion,
    validate_further_sources,
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
@announced_once()
def link_upsert(*, launch, event, further_sources=None, **fields):
    """The link between `launch` and `event`, created or updated; returns (link, changed)."""
    link = Link.objects.filter(launch=launch, event=event).first() or Link(
        launch=launch, event=event
    )
    changed = save_changes(link, fields)
    return link, further_sources_set(record=link, sources=further_sources) or changed


def further_sources_set(*, record, sources, user=None):
    """Cite `sources` on a statement, link or claim besides the source it cites first,
    validated (timeline.models.validate_further_sources); `None` keeps the ones it has, checked
    against its first source as it now stands. Returns True when they changed."""
    if sources is None:
        sources = list(record.further_sources.all()) if record.pk else []
        validate_further_sources(record.source, sources)
        return False
    sources = list(dict.fromkeys(sources))
    validate_further_sources(record.source, sources)
    return bool(record_relations_set(record, {"further_sources": sources}, user=user))


@transaction.atomic
def further_sources_add(*, record, sources, user=None):
    """Cite `sources` on a statement, link or claim too, after the ones it cites (another
    outlet reporting the same); those it cites already are left out. Returns True when any
    was added."""
    further = list(record.further_sources.all())
    cited = [record.source, *further] if record.source_id else further
    added = [source for source in dict.fromkeys(sources) if source not in cited]
    if not added:
        return False
    return further_sources_set(record=record, sources=[*further, *added], user=user)


@transaction.atomic
@announced_once()
def launch_create(*, status=Status.DRAFT, user=None, sources=(), **fields):
    """Create a launch, validated; a slug is made from its day and class when none is given.

    `date_precision="month"` (or "year", timeline.models.DatePrecision) with `occurred_on` on
    the 1st of the month (or 1 January) records a launch known only to that month (or year).

    Publishing it at once needs the publish permission, as in `record_transition`.
    """
    if not fields.get("slug"):
        # A launch known only to the month is "1984-09-…", never the 1st it is stored on.
        day = known_date(fields.get("occurred_on"), fields.get("date_precision"), "Y-m-d")
        base = slugify(f"{day}-{fields.get('missile_class', 'unknown')}")
        fields["slug"] = unique_slug(Launch, base)
    launch = create_publishable(Launch(), fields, status=status, user=user)
    record_sources_set(instance=launch, sources=sources)
    return launch


@transaction.atomic
@announced_once()
def claim_create(*, launch, user=None, further_sources=(), **fields):
    """Add a claimed figure to a launch, validated, with the sources that report it besides
    the one cited first; to a published launch only by an editor."""
    claim = LaunchClaim(launch=launch)
    save_changes(claim, fields, user=user)
    further_sources_set(record=claim, sources=further_sources, user=user)
    return claim


@transaction.atomic
@announced_once()
def claim_update(*, claim, user=None, further_sources=None, **fields):
    """Change fields and further sources of a claim, validated; returns True when anything
    changed."""
    changed = save_changes(claim, fields, user=user)
    return further_sources_set(record=claim, sources=further_sources, user=user) or changed


@transaction.atomic
@announced_once()
def event_create(*, status=Status.DRAFT, user=None, sources=(), **fields):
    """Create an event, validated; a slug is made from its day and title when none is given."""
    if not fields.get("slug"):
        base = slugify(f"{fields.get('start_date')}-{fields.get('title', '')}")[:100].rstrip("-")
        fields["slug"] = unique_slug(Event, base)
    event = create_publishable(Event(), fields, status=status, user=user)
    record_sources_set(instance=event, sources=sources)
    return event


@transaction.atomic
@announced_once()
def event_update(*, event, sources=None, user=None, **fields):
    """Change fields and sources of an event, validated; returns True when anything changed."""
    changed = save_changes(event, fields, user=user)
    if sources is not None:
        changed = record_sources_set(instance=event, sources=sources, user=user) or changed
    return changed


@transaction.atomic
@announced_once()
def link_create(*, launch, event, status=Status.DRAFT, user=None, further_sources=(), **fields):
    """Link a launch to an event, validated, with the sources that tie them besides the one
    cited first; one link per pair."""
    link = create_publishable(Link(launch=launch, event=event), fields, status=status, user=user)
    further_sources_set(record=link, sources=further_sources)
    return link


@transaction.atomic
@announced_once()
def link_update(*, link, user=None, further_sources=None, **fields):
    """Change fields and further sources of a link, validated; returns True when anything
    changed."""
    changed = save_changes(link, fields, user=user)
    return further_sources_set(record=link, sources=further_sources, user=user) or changed


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


def launch_children_restore(*, pk, since, until, user=None):
    """Create again the claims, links and trigger suggestions deleted with launch `pk`."""
    for child in (LaunchClaim, Link):
        for past in deleted_records(child).filter(
            launch_id=pk, history_date__gte=since, history_date__lte=until
        ):
            record_revert(record=past, user=user)
    _suggestions_restore(launch_id=pk, since=since, until=until, user=user)


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


def claim_guardians(claim, statuses):
    """The launches a change to `claim` changes: the one it has and the one it is moved to."""
    launch_ids = {claim.launch_id}
    if claim.pk is not None:
        stored = locked(LaunchClaim.objects.filter(pk=claim.pk))
        launch_ids |= set(stored.values_list("launch_id", flat=True))
    return list(locked(Launch.objects.filter(pk__in=launch_ids - {None}, status__in=statuses)))


def claim_launches(claim):
    """The launch a claim belongs to, whose change a change to the claim is."""
    return [claim.launch] if claim.launch_id else []


# The published records that show a source.
SOURCE_SHOWN_BY = (
    lambda source: Launch.objects.published().filter(sources=source).first(),
    lambda source: Launch.objects.published().filter(claims__source=source).first(),
    lambda source: Launch.objects.published().filter(claims__further_sources=source).first(),
    lambda source: Event.objects.published().filter(sources=source).first(),
    lambda source: Link.objects.published().filter(source=source).first(),
    lambda source: Link.objects.published().filter(further_sources=source).first(),
)


def suggest_triggers_for_new_launch(sender, instance, created, **kwargs):
    """A new launch, by any door, gets its trigger suggestions once the write commits."""
    if created:
        from .tasks import suggest_triggers

        suggest_triggers.delay_on_commit(instance.pk)


class MergeRefused(Exception):
    """Two launches that cannot be merged, or a user who may not merge them."""


# Apps above this one move their own records of a merged launch (reactions: its statements):
# each mover takes keep, merged and user and returns {"<what>": how many moved}.
MERGE_MOVERS = []


def merge_moves(mover):
    """Register `mover` to run when a launch is merged into another."""
    MERGE_MOVERS.append(mover)
    return mover


@transaction.atomic
@announced_once()
def launch_merge(*, keep, merged, user=None):
    """Merge `merged` into `keep`: one launch seen twice (two sources, or an import an analyst
    judged ambiguous) becomes one.

    `merged`'s claims, sources, statements, links and trigger suggestions move to `keep`,
    each change kept in the history; a link or suggestion `keep` already has for the same
    event, or a statement it already holds word for word, is dropped with `merged`, the
    sources of a dropped link or statement cited on the one kept. Its
    import records are kept on `keep` so a re-import finds it there. `merged` is then deleted
    through the editorial services, so readers and webhooks hear it was withdrawn. Needs the
    rights to change and delete launches and, for a published launch, to publish them.
    Returns what moved: {"claims": n, "statements": n, ...}.
    """
    from editorial.services import (
        check_may_change,
        record_delete,
        record_relations_set,
    )

    if keep.pk == merged.pk:
        raise MergeRefused("A launch cannot be merged into itself.")
    if user is not None and not user.has_perms(
        ["timeline.change_launch", "timeline.delete_launch"]
    ):
        raise MergeRefused("Merging launches needs the rights to change and delete them.")
    check_may_change(instance=keep, user=user)
    check_may_change(instance=merged, user=user)
    fresh = {
        launch.pk: launch for launch in locked(Launch.objects.filter(pk__in=[keep.pk, merged.pk]))
    }
    keep, merged = fresh[keep.pk], fresh[merged.pk]
    moved = {"claims": 0, "sources": 0, "links": 0, "suggestions": 0}
    position = keep.claims.count()
    for claim in merged.claims.order_by("position", "id"):
        save_changes(claim, {"launch": keep, "position": position}, user=user)
        position += 1
        moved["claims"] += 1
    sources = {*keep.sources.all(), *merged.sources.all()}
    moved["sources"] = len(sources) - keep.sources.count()
    record_relations_set(keep, {"sources": list(sources)}, user=user)
    for mover in MERGE_MOVERS:
        moved.update(mover(keep=keep, merged=merged, user=user))
    for name, records in (("links", merged.links.all()), ("suggestions", merged.suggestions.all())):
        for record in records:
            kept = getattr(keep, name).filter(event=record.event_id).first()
            if kept is not None:
                # keep's own stays, citing the sources of merged's, which goes with it.
                if name == "links":
                    further_sources_add(record=kept, sources=record.all_sources, user=user)
                continue
            save_changes(record, {"launch": keep}, user=user)
            moved[name] += 1
    record = dict(keep.import_record or {})
    taken = [*record.get("matched", []), *(merged.import_record or {}).get("matched", [])]
    if merged.import_record:
        taken.append({"external_id": merged.external_id, **merged.import_record})
    if taken:
        save_changes(keep, {"import_record": {**record, "matched": taken}}, user=user)
    record_delete(instance=merged, user=user)
    return moved
