"""A launch's place in the published record, kept beside it.

What `Launch.objects.with_derived_facts()` gives each launch (its rank among the year's
launches of its category, the last published launch before it, and the last of its missile
class) depends on every published launch before it. Counted on each read, that took seven
correlated subqueries per row: most of a timeline page's query, and of the API list's. The
facts change only when a launch is placed differently (published or unpublished, moved in
time, given another category, class or slug, deleted), which is rare beside the reads, so
they are computed then, for the launches after it, and read by a join.
"""

import zlib

from django.db import connections, models, router, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncYear
from django.db.models.signals import post_delete
from django.dispatch import receiver

from editorial.models import Status

FACTS = (
    "category_ordinal",
    "previous_slug",
    "previous_on",
    "previous_precision",
    "previous_same_class_slug",
    "previous_same_class_on",
    "previous_same_class_precision",
)

# What places a launch in the record, or is shown of it by the launches after it: a change
# to any of these moves the facts of the launches from its old and new places on.
PLACING = (
    "status",
    "sort_at",
    "occurred_on",
    "date_precision",
    "category",
    "missile_class",
    "slug",
)

# One writer at a time computes facts on PostgreSQL, until its transaction ends: a writer
# waiting for it then reads what it committed, so two launches placed at once cannot each
# be counted without the other.
LOCK_KEY = zlib.crc32(b"timeline.launch_facts")


def computed(launches):
    """`launches` annotated with their facts, counted against the published record: a draft
    is given the place it would have if published now. Any Launch model will do, so that a
    migration can compute them with its historical one."""
    published = launches.model._base_manager.filter(status=Status.PUBLISHED)
    # The plain bound on sort_at lets an index range scan start at the right place; the OR
    # then breaks ties between launches at the same moment.
    earlier = published.filter(sort_at__lte=OuterRef("sort_at")).filter(
        Q(sort_at__lt=OuterRef("sort_at")) | Q(sort_at=OuterRef("sort_at"), pk__lt=OuterRef("pk"))
    )
    ordinal = (
        # A range on the date, not its year, so the (category, occurred_on) index bounds the
        # count to the year's rows.
        earlier.filter(
            category=OuterRef("category"),
            occurred_on__gte=OuterRef("year_start"),
            occurred_on__lte=OuterRef("occurred_on"),
        )
        .order_by()
        .values("category")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    latest_first = earlier.order_by("-sort_at", "-pk")
    same_class = latest_first.filter(missile_class=OuterRef("missile_class"))
    return launches.annotate(year_start=TruncYear("occurred_on")).annotate(
        category_ordinal=Coalesce(Subquery(ordinal), 0) + 1,
        previous_slug=Subquery(latest_first.values("slug")[:1]),
        previous_on=Subquery(latest_first.values("occurred_on")[:1]),
        previous_precision=Subquery(latest_first.values("date_precision")[:1]),
        previous_same_class_slug=Subquery(same_class.values("slug")[:1]),
        previous_same_class_on=Subquery(same_class.values("occurred_on")[:1]),
        previous_same_class_precision=Subquery(same_class.values("date_precision")[:1]),
    )


def refresh(launch_model, facts_model, *, since=None, using=None):
    """Compute the facts of every launch placed at `since` or later (every launch when None)
    and store those that changed; returns how many were stored.

    Runs in the caller's transaction, after the change it follows, under a lock held until
    that transaction ends (PostgreSQL; SQLite has one writer at a time anyway)."""
    using = using or router.db_for_write(launch_model)
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        changed = out_of_date(launch_model, facts_model, since=since, using=using)
        facts_model._base_manager.using(using).bulk_create(
            changed,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["launch"],
            update_fields=list(FACTS),
        )
    return len(changed)


def out_of_date(launch_model, facts_model, *, since=None, using=None):
    """The facts, as unsaved `facts_model` rows, of the launches placed at `since` or later
    (every launch when None) whose stored facts are missing or differ from computed()."""
    launches = launch_model._base_manager.using(using)
    stored = facts_model._base_manager.using(using)
    if since is not None:
        launches = launches.filter(sort_at__gte=since)
        stored = stored.filter(launch__sort_at__gte=since)
    now = {pk: facts for pk, *facts in computed(launches.order_by()).values_list("pk", *FACTS)}
    before = {pk: facts for pk, *facts in stored.values_list("launch_id", *FACTS)}
    return [
        facts_model(launch_id=pk, **dict(zip(FACTS, facts, strict=True)))
        for pk, facts in now.items()
        if before.get(pk) != facts
    ]


class LaunchFactsManager(models.Manager):
    def out_of_date(self):
        """The launches whose stored facts are missing or out of date, as facts to store."""
        from .launches import Launch

        return out_of_date(Launch, self.model)

    def refresh(self, *, since=None, using=None):
        """Bring the stored facts up to date for the launches placed at `since` or later
        (all when None). Writes that bypass Launch.save(), such as bulk_create(), call it."""
        from .launches import Launch

        return refresh(Launch, self.model, since=since, using=using)


class LaunchFacts(models.Model):
    """The facts `computed()` gives a launch, as last computed: read in place of counting."""

    launch = models.OneToOneField(
        "timeline.Launch", on_delete=models.CASCADE, primary_key=True, related_name="facts"
    )
    category_ordinal = models.PositiveIntegerField()
    # None where no published launch came before: the value readers have always been given.
    previous_slug = models.SlugField(max_length=80, null=True, db_index=False)  # noqa: DJ001
    previous_on = models.DateField(null=True)
    previous_precision = models.CharField(max_length=10, null=True)  # noqa: DJ001
    previous_same_class_slug = models.SlugField(max_length=80, null=True, db_index=False)  # noqa: DJ001
    previous_same_class_on = models.DateField(null=True)
    previous_same_class_precision = models.CharField(max_length=10, null=True)  # noqa: DJ001

    objects = LaunchFactsManager()

    class Meta:
        verbose_name = "launch's derived facts"
        verbose_name_plural = "launches' derived facts"

    def __str__(self):
        return f"facts of launch {self.launch_id}"


@receiver(post_delete, sender="timeline.Launch", dispatch_uid="timeline-launch-facts-on-delete")
def _on_launch_deleted(sender, instance, using, **kwargs):
    """A launch gone from the record moves the facts of the launches after it."""
    LaunchFacts.objects.refresh(since=instance.sort_at, using=using)
