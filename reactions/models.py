"""Who reacts to a launch, who speaks for them, and what they said."""

import datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import MD5, Coalesce, ExtractYear, NullIf
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.search import matching
from core.text import LONG, LONG_TEXT, TEXT
from editorial.models import PublishableQuerySet, Status
from timeline.models import CitesSources, Launch, Source

from .aliases import by_other_names

# The name a reader knows an actor by: its short name, or its full name when it has none.
ACTOR_LABEL = Coalesce(NullIf("actor__short_name", Value("")), "actor__name")


class ActorKind(models.TextChoices):
    STATE = "state", "State"
    ORGANISATION = "organisation", "Organisation"


class ActorQuerySet(models.QuerySet):
    def matching(self, text, *, ranked=False):
        """Actors whose name, short name, code or other names (a demonym, a capital: see
        reactions.aliases) hold every word of `text`: the one search of the API and the search
        page (core.search)."""
        return matching(
            self, text, ("name", "short_name", "code"), ranked=ranked, also=[by_other_names("code")]
        )

    def for_search(self, text):
        """Actors matching `text`, best match first."""
        return self.order_by("name", "id").matching(text, ranked=True)


class Actor(models.Model):
    """A state (by its ISO 3166-1 code) or an organisation that speaks on launches."""

    code = models.CharField(
        max_length=12,
        unique=True,
        help_text="ISO 3166-1 alpha-2 for a state (KR, US); a short code for an organisation (UN).",
    )
    kind = models.CharField(max_length=20, choices=ActorKind)
    name = models.CharField(validators=TEXT, max_length=200)
    short_name = models.CharField(
        validators=TEXT, max_length=80, blank=True, help_text="As used in running text."
    )

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ActorKind.values), name="actor_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind=ActorKind.STATE) | Q(code__regex=r"^[A-Z]{2}$"),
                name="actor_state_code_is_iso",
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    def get_absolute_url(self):
        return reverse("reactions:actor", kwargs={"code": self.code})


class SpeakerQuerySet(models.QuerySet):
    def visible(self):
        """Speakers of a statement readers may see: published, on a published launch."""
        return self.filter(pk__in=Statement.objects.visible().values("speaker"))

    def for_api(self, *, drafts=False):
        """Speakers with their actor: all of them for a client allowed to see drafts,
        otherwise the visible ones."""
        speakers = self if drafts else self.visible()
        return speakers.select_related("actor")

    def matching(self, text, *, ranked=False):
        """Speakers whose name or role, or whose actor's names, hold every word of `text`:
        the one search of the API and the search page (core.search)."""
        fields = ("name", "role", "actor__name", "actor__short_name")
        return matching(self, text, fields, ranked=ranked, also=[by_other_names("actor__code")])

    def for_search(self, text):
        """Speakers of visible statements matching `text`, best match first, with their actor."""
        return self.for_api().order_by("name", "id").matching(text, ranked=True)


class Speaker(models.Model):
    """A person or office who speaks for an actor, reused across statements."""

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="speakers")
    name = models.CharField(
        validators=TEXT,
        max_length=200,
        help_text='"Dmitry Peskov" or "U.S. Indo-Pacific Command".',
    )
    role = models.CharField(
        validators=TEXT, max_length=200, blank=True, help_text='"Kremlin spokesman".'
    )

    objects = SpeakerQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"])]
        constraints = [
            models.UniqueConstraint(fields=["actor", "name"], name="speaker_unique_per_actor"),
        ]

    def __str__(self):
        return self.label(self.name, self.role)

    def get_absolute_url(self):
        return reverse("reactions:speaker", kwargs={"pk": self.pk})

    @staticmethod
    def label(name, role):
        """How a speaker is named in lists: "Dmitry Peskov, Kremlin spokesman"."""
        return f"{name}, {role}" if role else name


class Theme(models.Model):
    """A recurring argument in statements: "violates UNSC resolutions"."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(validators=TEXT, max_length=120)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reactions:theme", kwargs={"slug": self.slug})


class Channel(models.TextChoices):
    WRITTEN = "written_statement", "Written statement"
    BRIEFING = "briefing", "Briefing"
    REMARKS = "remarks", "Remarks"
    SOCIAL = "social_media", "Social media"
    STATE_MEDIA = "state_media", "State media"
    UN_SESSION = "un_session", "UN session"
    JOINT = "joint_statement", "Joint statement"


class QuoteKind(models.TextChoices):
    VERBATIM = "verbatim", "Verbatim quote"
    PARAPHRASE = "paraphrase", "Reported speech"


class Stance(models.IntegerChoices):
    CONDEMNS = -2, "Condemns"
    CONCERNED = -1, "Concerned"
    NEUTRAL = 0, "Neutral"
    SUPPORTIVE = 1, "Supportive"
    DEFENDS = 2, "Defends"


class StatementQuerySet(PublishableQuerySet):
    def visible(self):
        """Published statements on published launches: what readers may see."""
        return self.published().filter(launch__status=Status.PUBLISHED)

    def for_actor_page(self):
        """Published statements on published launches, newest launch first, with their launch."""
        return (
            self.visible()
            .select_related("actor", "speaker", "source", "launch")
            .prefetch_related("further_sources")
            .order_by("-launch__sort_at", "issued_on", "id")
        )

    def for_page(self):
        """Visible statements with everything a statement's own page shows."""
        return (
            self.visible()
            .select_related("launch", "actor", "speaker", "source")
            .prefetch_related("co_signers", "themes", "further_sources")
        )

    def for_admin(self):
        """Statements with what an admin list shows of each: launch, actor, speaker."""
        return self.select_related("launch", "actor", "speaker")

    def for_api(self, *, drafts=False):
        """Statements for the API with actor, speaker, launch, co-signers, themes and sources.

        Without `drafts`, only published statements on published launches.
        """
        statements = self if drafts else self.visible()
        return statements.select_related("actor", "speaker", "launch", "source").prefetch_related(
            "co_signers", "themes", "further_sources"
        )

    def for_api_counts_by_actor_and_stance(self):
        """Published statements on published launches counted per actor code and stance."""
        return (
            self.for_api()
            .values("actor__code", "stance")
            .annotate(statements=models.Count("id"))
            .order_by("actor__code", "stance")
        )

    def for_api_latencies(self):
        """(actor code, seconds from launch to statement) for published, exactly timed pairs."""
        timed = self.for_api().filter(issued_at__isnull=False, launch__occurred_at__isnull=False)
        return [
            (code, (issued_at - occurred_at).total_seconds())
            for code, issued_at, occurred_at in timed.order_by("actor__code", "id").values_list(
                "actor__code", "issued_at", "launch__occurred_at"
            )
        ]

    def for_chart_stances(self):
        """Statements readers may see, counted per actor, year issued and stance, as dicts
        with the actor's code and the name a reader knows it by (`actor_label`)."""
        return (
            self.visible()
            .annotate(year=ExtractYear("issued_on"), actor_label=ACTOR_LABEL)
            .order_by()
            .values("actor__code", "actor_label", "year", "stance")
            .annotate(count=models.Count("pk"))
            .order_by("actor__code", "year", "stance")
        )

    def for_chart_first_reactions(self):
        """Per actor and launch it reacted to, the launch's local day and the day of the
        actor's first statement readers may see on it, as dicts."""
        return (
            self.visible()
            .annotate(actor_label=ACTOR_LABEL)
            .order_by()
            .values("actor__code", "actor_label", "launch_id", "launch__occurred_on")
            .annotate(first=models.Min("issued_on"))
            .order_by("actor__code", "launch__occurred_on", "launch_id")
        )

    def for_actor_chart(self):
        """One row per published statement for an actor's stance chart and latency: dicts of
        the launch's day and time, the stance and the time the statement was issued."""
        return (
            self.visible()
            .order_by("launch__sort_at", "issued_on", "id")
            .values("launch__occurred_on", "launch__occurred_at", "stance", "issued_at")
        )

    def for_feed(self):
        """Published statements on published launches, latest first, with what an entry shows."""
        return (
            self.visible()
            .select_related("actor", "speaker", "source", "launch")
            .order_by("-issued_on", "-id")
        )

    def matching(self, text, *, ranked=False):
        """Statements whose quote, original text, summary, speaker (name or role) or actor
        (its names, code or other names: "Kremlin" finds Russia's) hold every word of `text`:
        the one search of the API and the search page (core.search)."""
        fields = (
            "quote",
            "original_text",
            "summary",
            "via",
            "speaker__name",
            "speaker__role",
            "actor__name",
            "actor__short_name",
            "actor__code",
        )
        return matching(self, text, fields, ranked=ranked, also=[by_other_names("actor__code")])

    def for_search(self, text):
        """Visible statements matching `text`, best match first, with all their sources."""
        return self.for_feed().prefetch_related("further_sources").matching(text, ranked=True)


BEFORE_LAUNCH = "A statement cannot be issued before the launch (compared in UTC)."
DUPLICATE_QUOTE = (
    "This actor's statement on this launch already has this quote. "
    "Edit that statement instead of entering it twice."
)


class Statement(CitesSources):
    """One actor's reaction to one launch, with its verbatim quote and its source."""

    launch = models.ForeignKey(Launch, on_delete=models.PROTECT, related_name="statements")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="statements")
    co_signers = models.ManyToManyField(
        Actor, related_name="cosigned_statements", blank=True, help_text="For joint statements."
    )
    speaker = models.ForeignKey(
        Speaker, on_delete=models.PROTECT, null=True, blank=True, related_name="statements"
    )
    issued_on = models.DateField(help_text="The day it was issued, in UTC.")
    issued_at = models.DateTimeField(
        null=True, blank=True, help_text="The exact time, when known. Leave empty for day only."
    )
    channel = models.CharField(max_length=20, choices=Channel, default=Channel.WRITTEN)
    quote = models.TextField(
        max_length=LONG_TEXT,
        validators=LONG,
        help_text="The words as published, verbatim, in English.",
    )
    quote_kind = models.CharField(
        max_length=12,
        choices=QuoteKind,
        default=QuoteKind.VERBATIM,
        help_text="Reported speech when the source paraphrases rather than quotes.",
    )
    original_text = models.TextField(
        max_length=LONG_TEXT,
        validators=LONG,
        blank=True,
        help_text="The quote in its original language.",
    )
    original_language = models.CharField(validators=TEXT, max_length=16, blank=True)
    summary = models.CharField(
        validators=TEXT, max_length=300, blank=True, help_text="One line for the timeline."
    )
    stance = models.SmallIntegerField(choices=Stance)
    themes = models.ManyToManyField(Theme, related_name="statements", blank=True)
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="statements",
        help_text="The document the quote was taken from, listed first.",
    )
    further_sources = models.ManyToManyField(
        Source,
        related_name="further_statements",
        blank=True,
        help_text="Other documents that report the same words.",
    )
    via = models.CharField(
        validators=TEXT,
        max_length=200,
        blank=True,
        help_text='The outlet that reported it: "RIA Novosti".',
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StatementQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[co_signers, themes, further_sources])

    class Meta:
        ordering = ["launch", "issued_on", "id"]
        permissions = [("publish_statement", "Can publish and unpublish statements")]
        indexes = [
            models.Index(fields=["launch", "issued_on", "id"]),
            models.Index(fields=["actor", "issued_on"]),
            models.Index(fields=["status", "issued_on"]),
            # An actor's page's stamp (how many, when the latest changed), from the index
            # alone.
            models.Index(
                fields=["actor", "status", "updated_at", "launch"], name="statement_actor_changed"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stance__in=Stance.values), name="statement_stance_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="statement_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="statement_status_valid"
            ),
            models.CheckConstraint(condition=~Q(quote=""), name="statement_quote_required"),
            models.CheckConstraint(
                condition=Q(quote_kind__in=QuoteKind.values), name="statement_quote_kind_valid"
            ),
            # Hashed: a long quote would overflow a PostgreSQL B-tree index entry.
            models.UniqueConstraint("launch", "actor", MD5("quote"), name="statement_unique_quote"),
        ]

    def __str__(self):
        return f"{self.actor} on {self.launch}"

    def get_absolute_url(self):
        return f"{self.launch.get_absolute_url()}#statement-{self.pk}"

    @property
    def response_latency(self):
        """Time from launch to statement, when both are known to the minute."""
        if self.issued_at and self.launch.occurred_at:
            return self.issued_at - self.launch.occurred_at
        return None

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            raise ValidationError(self._readable(error.update_error_dict({}))) from None

    def _readable(self, errors):
        """Constraint errors in the words of the analyst who entered the statement."""
        duplicate = next(c for c in self._meta.constraints if c.name == "statement_unique_quote")
        raw = str(duplicate.get_violation_error_message())
        general = errors.pop(NON_FIELD_ERRORS, [])
        kept = [e for e in general if raw not in getattr(e, "messages", [e])]
        if len(kept) < len(general):
            errors.setdefault("quote", []).append(ValidationError(DUPLICATE_QUOTE, code="unique"))
        if kept:
            errors[NON_FIELD_ERRORS] = kept
        return errors

    def clean(self):
        if (
            self.issued_at
            and self.issued_on
            and self.issued_at.astimezone(datetime.UTC).date() != self.issued_on
        ):
            raise ValidationError(
                {"issued_at": "This time falls on another UTC day than 'issued on'."}
            )
        if self.speaker_id and self.actor_id and self.speaker.actor_id != self.actor_id:
            raise ValidationError({"speaker": "This speaker speaks for another actor."})
        if not self.launch_id:
            return
        launch = self.launch
        if self.issued_at and launch.occurred_at:
            if self.issued_at < launch.occurred_at:
                raise ValidationError({"issued_at": BEFORE_LAUNCH})
        elif self.issued_on and self.issued_on < launch.earliest_utc_day:
            raise ValidationError({"issued_on": BEFORE_LAUNCH})
