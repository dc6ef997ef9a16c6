"""The events around launches, and the links between the two."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Greatest
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.search import labelled, matching
from core.text import LONG, LONG_TEXT, TEXT
from editorial.models import PublishableQuerySet, Status

from .launches import DatePrecision, Launch
from .sources import CitesSources, Source


class EventKind(models.TextChoices):
    SANCTIONS = "sanctions", "Sanctions"
    SUMMIT = "summit", "Summit"
    STATE_VISIT = "state_visit", "State visit"
    EXERCISE = "exercise", "Military exercise"
    UN_ACTION = "un_action", "UN action"
    WARNING = "warning", "Warning by the launching state"
    TALKS = "talks", "Talks"
    POLICY = "policy", "Policy announcement"
    MILITARY = "military", "Military event"
    ELECTION = "election", "Election"
    INAUGURATION = "inauguration", "Inauguration"
    OTHER = "other", "Other"


class EventQuerySet(PublishableQuerySet):
    def chronological(self):
        return self.order_by("start_date", "id")

    def for_api(self, *, drafts=False):
        """Events for the API with their sources; only the published ones without `drafts`."""
        events = self if drafts else self.published()
        return events.prefetch_related("sources")

    def for_timeline(self):
        """Published events with the published launches they are linked to."""
        return (
            self.published()
            .prefetch_related(Prefetch("links", queryset=Link.objects.for_markers()))
            .chronological()
        )

    def for_timeline_page(self):
        """Published events in time order, each with a stamp of what its marker shows beyond
        its row: `marker_links`, how many visible links it has, and `marker_changed`, when the
        latest of them or of their launches changed. The page reads the links themselves only
        for the markers it renders again."""
        links = Link.objects.visible().filter(event=OuterRef("pk")).order_by().values("event")
        return (
            self.published()
            .annotate(
                marker_links=Subquery(links.annotate(n=Count("*")).values("n")),
                marker_changed=Subquery(
                    links.annotate(
                        latest=Greatest(Max("updated_at"), Max("launch__updated_at"))
                    ).values("latest")
                ),
            )
            .chronological()
        )

    def for_detail(self):
        return self.prefetch_related(
            "sources",
            Prefetch(
                "links",
                queryset=Link.objects.visible()
                .select_related("launch", "source")
                .prefetch_related("further_sources")
                .order_by("launch__sort_at", "id"),
            ),
        )

    def matching(self, text, *, ranked=False):
        """Events whose title, description, place, participants or kind (by its label:
        "sanctions") hold every word of `text`: the one search of the timeline page, the API
        and the search page (core.search)."""
        fields = ("title", "description", "location", "participants", "kind_label")
        kinds = labelled("kind", EventKind.choices)
        return matching(self, text, fields, ranked=ranked, also=[kinds])

    def for_search(self, text):
        """Published events matching `text`, best match first."""
        return self.published().order_by("-start_date", "-id").matching(text, ranked=True)


class Event(models.Model):
    """A context or triggering event: sanctions, a summit, an exercise, a warning."""

    slug = models.SlugField(max_length=120, unique=True)
    external_id = models.CharField(
        validators=TEXT, max_length=120, null=True, blank=True, unique=True
    )
    kind = models.CharField(max_length=20, choices=EventKind)
    kind_label = models.CharField(
        validators=TEXT,
        max_length=60,
        blank=True,
        help_text="A finer label from the source data (inter_korean).",
    )
    title = models.CharField(validators=TEXT, max_length=400)
    start_date = models.DateField()
    date_precision = models.CharField(
        max_length=10,
        choices=DatePrecision,
        default=DatePrecision.DAY,
        help_text="Month when only the month is known (the date is then the 1st).",
    )
    end_date = models.DateField(null=True, blank=True)
    date_note = models.CharField(
        validators=TEXT,
        max_length=300,
        blank=True,
        help_text="How the date was established, if inferred.",
    )
    location = models.CharField(validators=TEXT, max_length=300, blank=True)
    participants = models.CharField(
        validators=TEXT,
        max_length=500,
        blank=True,
        help_text="The states and bodies involved, as named.",
    )
    participant_codes = models.JSONField(
        default=list,
        blank=True,
        help_text="Actor codes of the participants that could be identified.",
    )
    description = models.TextField(max_length=LONG_TEXT, validators=LONG, blank=True)
    sources = models.ManyToManyField(Source, related_name="events", blank=True)
    import_record = models.JSONField(default=dict, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["start_date", "id"]
        permissions = [("publish_event", "Can publish and unpublish events")]
        indexes = [
            models.Index(fields=["start_date", "id"]),
            models.Index(fields=["status", "start_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="event_end_not_before_start",
            ),
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            models.CheckConstraint(
                condition=Q(date_precision__in=DatePrecision.values),
                name="event_date_precision_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="event_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.start_date:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("timeline:event", kwargs={"slug": self.slug})

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date is before the start date."})


class Relation(models.TextChoices):
    RESPONSE_TO = "response_to", "Response to"
    TIMED_WITH = "timed_with", "Timed with"
    FOLLOWED_BY = "followed_by", "Followed by"


class LinkConfidence(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class LinkQuerySet(PublishableQuerySet):
    def visible(self):
        """Published links whose launch and event are published too: what readers may see."""
        return self.published().filter(
            launch__status=Status.PUBLISHED, event__status=Status.PUBLISHED
        )

    def for_api(self, *, drafts=False):
        """Links an API client may see (PublishableQuerySet.for_api) with all their sources."""
        return (
            super()
            .for_api(drafts=drafts)
            .select_related("source")
            .prefetch_related("further_sources")
        )

    def for_cards(self):
        """The links a launch's card on the timeline shows, with their event, by its date."""
        return self.visible().select_related("event").order_by("event__start_date", "id")

    def for_markers(self):
        """The links an event's marker on the timeline shows, with their launch, in its order."""
        return self.visible().select_related("launch").order_by("launch__sort_at", "id")

    def for_api_under_launch(self, *, drafts=False):
        """The links an API client sees under the launches it may see, in listing order.
        Asked only for those launches, so the launch's own status is not checked again: that
        join would read every launch for a page of fifty."""
        return self.for_api(drafts=drafts).order_by("event__start_date", "id")


class Link(CitesSources):
    """A launch tied to an event, with the analyst's reason and a source."""

    launch = models.ForeignKey(Launch, on_delete=models.CASCADE, related_name="links")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="links")
    relation = models.CharField(
        max_length=20,
        choices=Relation,
        help_text="Response to: reported as a response to the event. Timed with: coincides "
        "with or precedes it. Followed by: a consequence of the launch.",
    )
    rationale = models.TextField(
        max_length=LONG_TEXT,
        validators=LONG,
        help_text="Why these belong together, in a sentence or two.",
    )
    confidence = models.CharField(
        max_length=10, choices=LinkConfidence, default=LinkConfidence.MEDIUM
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="links",
        help_text="The document that ties the launch to the event, listed first.",
    )
    further_sources = models.ManyToManyField(
        Source,
        related_name="further_links",
        blank=True,
        help_text="Other documents that tie the two together too.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LinkQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[further_sources])

    class Meta:
        ordering = ["launch", "event", "id"]
        permissions = [("publish_link", "Can publish and unpublish links")]
        indexes = [models.Index(fields=["launch", "event", "id"])]
        constraints = [
            models.UniqueConstraint(fields=["launch", "event"], name="link_one_per_pair"),
            models.CheckConstraint(
                condition=Q(relation__in=Relation.values), name="link_relation_valid"
            ),
            models.CheckConstraint(
                condition=Q(confidence__in=LinkConfidence.values), name="link_confidence_valid"
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="link_rationale_required"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="link_status_valid"),
        ]

    def __str__(self):
        return f"{self.launch} {self.get_relation_display().lower()} {self.event.title}"

    def get_absolute_url(self):
        return self.launch.get_absolute_url()
