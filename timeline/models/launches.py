"""Launches and the figures claimed for them."""

import datetime
import zoneinfo

import pycountry
from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, Value, When
from django.db.models.functions import Coalesce, ExtractYear, TruncMonth
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.search import labelled, matching
from core.text import LONG, LONG_TEXT, TEXT
from editorial.models import PublishableQuerySet, Status

from ..counting import LAUNCH_EVENTS, MISSILES, ORDINAL_RULE
from ..dates import known_date
from .facts import FACTS, PLACING, LaunchFacts
from .sources import CitesSources, Source


def validate_state_code(value):
    if pycountry.countries.get(alpha_2=value) is None:
        raise ValidationError(
            "%(value)s is not an ISO 3166-1 alpha-2 country code.", params={"value": value}
        )


class LaunchCategory(models.TextChoices):
    BALLISTIC = "ballistic", "Ballistic missile"
    CRUISE = "cruise", "Cruise missile"
    SPACE = "space_launch", "Space launch"
    ARTILLERY = "artillery", "Rocket artillery"
    MIXED = "mixed", "Mixed salvo"
    OTHER = "other", "Other"


class MissileClass(models.TextChoices):
    CRBM = "CRBM", "Close-range ballistic (CRBM)"
    SRBM = "SRBM", "Short-range ballistic (SRBM)"
    MRBM = "MRBM", "Medium-range ballistic (MRBM)"
    IRBM = "IRBM", "Intermediate-range ballistic (IRBM)"
    ICBM = "ICBM", "Intercontinental ballistic (ICBM)"
    SLBM = "SLBM", "Submarine-launched ballistic (SLBM)"
    CRUISE = "cruise", "Cruise missile"
    HGV = "hypersonic_glide", "Hypersonic glide vehicle"
    SLV = "slv", "Satellite launch vehicle"
    ARTILLERY = "artillery_rocket", "Artillery rocket"
    UNKNOWN = "unknown", "Unknown"


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    PARTIAL = "partial", "Partial success"
    FAILURE = "failure", "Failure"
    UNKNOWN = "unknown", "Unknown"


class Confidence(models.TextChoices):
    SUSPECTED = "suspected", "Suspected"
    CONFIRMED = "confirmed", "Confirmed"
    CLAIMED = "claimed", "Claimed by the launching state"
    # An import whose confirmation cell is empty says nothing: it is not "suspected".
    UNKNOWN = "unknown", "Confirmation not stated"


class DatePrecision(models.TextChoices):
    """How much of a date is known; the date is then the first day of its month or year."""

    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


# Microseconds into the last second of its period at which a launch known only to the month
# or year sorts: after the day-only launches of that last day, a year after a month.
LAST_SECOND_FRACTION = {DatePrecision.MONTH: 500_000, DatePrecision.YEAR: 900_000}


def last_day_of(day, precision):
    """The last day a date known to `precision` can stand for."""
    if precision == DatePrecision.YEAR:
        return day.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return following - datetime.timedelta(days=1)
    return day


def claims_disagree(claims):
    """True when two of the (attribute, value, value_max) claims about one figure cannot both
    hold: ranges that do not overlap ("~700" against "450"). A single figure, or "several"
    (no number), disputes nothing."""
    spans = {}
    for attribute, value, value_max in claims:
        if value is not None:
            spans.setdefault(attribute, []).append(
                (value, value if value_max is None else value_max)
            )
    return any(
        max(low for low, _ in ranges) > min(high for _, high in ranges) for ranges in spans.values()
    )


# The latest launch, then the latest before the year it fell in, and so on: a loose index
# scan, which neither database plans by itself.
PUBLISHED_YEARS_SQL = """
WITH RECURSIVE latest(day) AS (
  SELECT MAX(occurred_on) FROM timeline_launch WHERE status = %s
  UNION ALL
  SELECT (
    SELECT MAX(occurred_on) FROM timeline_launch
    WHERE status = %s AND occurred_on < {year_start}
  )
  FROM latest
  WHERE latest.day IS NOT NULL
)
SELECT {year} FROM latest WHERE day IS NOT NULL ORDER BY day DESC
"""
YEAR_EXPRESSIONS = {
    "postgresql": {
        "year_start": "DATE_TRUNC('year', latest.day)::date",
        "year": "EXTRACT(YEAR FROM day)::integer",
    },
    "sqlite": {
        "year_start": "strftime('%%Y-01-01', latest.day)",
        "year": "CAST(strftime('%%Y', day) AS integer)",
    },
}


class LaunchQuerySet(PublishableQuerySet):
    def with_derived_facts(self):
        """Annotate each launch with its place in the published record, as LaunchFacts keeps
        it (facts.computed() says how each is counted).

        `category_ordinal`: its rank among the year's launches of its category (the
        "sixth ballistic launch this year"); `previous_same_class_on`/`_slug`: the last
        published launch of its missile class before it; `previous_on`/`_slug`: the last
        published launch of any kind. Counted against the whole published record, so a
        filtered list shows the same facts as the whole.
        """
        return self.annotate(**{name: F(f"facts__{name}") for name in FACTS})

    def with_claims_disagree(self):
        """Annotate `claims_disagree`: claims_disagree() in SQL, for lists read as rows (the
        downloads). Two claims about one figure disagree when one's lower bound is above the
        other's upper bound."""
        below = LaunchClaim.objects.annotate(high=Coalesce("value_max", "value")).filter(
            launch=OuterRef("launch"), attribute=OuterRef("attribute"), high__lt=OuterRef("value")
        )
        disagreeing = LaunchClaim.objects.filter(launch=OuterRef("pk"), value__isnull=False)
        return self.annotate(claims_disagree=Exists(disagreeing.filter(Exists(below))))

    def chronological(self):
        return self.order_by("sort_at", "id")

    def for_timeline(self):
        """Published launches for the timeline: derived facts and the visible links."""
        from .events import Link

        return (
            self.published()
            .with_derived_facts()
            .prefetch_related(Prefetch("links", queryset=Link.objects.for_cards()))
            .chronological()
        )

    def for_api(self, *, drafts=False, expand=()):
        """Launches for the API: derived facts, claims and sources in a fixed number of queries.

        `expand` may name "links" to prefetch them too; without `drafts`, only published
        launches and their visible links.
        """
        from .events import Link

        launches = self.with_derived_facts().prefetch_related(
            "sources",
            Prefetch(
                "claims",
                queryset=LaunchClaim.objects.select_related("source").prefetch_related(
                    "further_sources"
                ),
            ),
        )
        if not drafts:
            launches = launches.published()
        if "links" in expand:
            launches = launches.prefetch_related(
                Prefetch("links", queryset=Link.objects.for_api_under_launch(drafts=drafts))
            )
        return launches

    def for_api_counts_by_year_and_class(self):
        """Published launches counted per year and missile class, oldest year first, by both
        counting rules: launch events, and missiles (with the launches whose number of
        missiles is not stated, which that sum leaves out). A launch known only to the month
        or the year counts in its year."""
        return (
            self.published()
            .annotate(year=ExtractYear("occurred_on"))
            .values("year", "missile_class")
            .annotate(
                launches=LAUNCH_EVENTS.aggregate(),
                missiles=Coalesce(MISSILES.aggregate(), 0),
                launches_without_missile_count=models.Count(
                    "pk", filter=Q(missile_count__isnull=True)
                ),
            )
            .order_by("year", "missile_class")
        )

    def for_detail(self):
        """A launch with its derived facts, sources, claims and visible links (detail_details()),
        in a fixed number of queries."""
        return self.with_derived_facts().prefetch_related(*detail_details())

    def for_timeline_page(self):
        """Published launches with their derived facts, in time order: the timeline page reads
        what their cards show besides only for the cards it renders again."""
        return self.published().with_derived_facts().chronological()

    def for_timeline_years(self):
        """The years these launches fall in, newest first, as integers."""
        return [day.year for day in self.dates("occurred_on", "year", order="DESC")]

    def published_years(self):
        """The years published launches fall in, newest first, as integers.

        One step a year down the (occurred_on, id) index, each to the latest launch before
        the year of the one found last: at 10,000 launches on PostgreSQL, about 1 ms rather
        than the 9 ms of for_timeline_years(), which sorts every launch's year.
        """
        connection = connections[self.db]
        sql = PUBLISHED_YEARS_SQL.format(**YEAR_EXPRESSIONS[connection.vendor])
        with connection.cursor() as cursor:
            cursor.execute(sql, [Status.PUBLISHED, Status.PUBLISHED])
            return [year for (year,) in cursor.fetchall()]

    def for_chart(self):
        """Published launch events counted per year and missile class, as dicts; a launch
        known only to the month or the year counts in its year."""
        return (
            self.published()
            .annotate(year=ExtractYear("occurred_on"))
            .order_by()
            .values("year", "missile_class")
            .annotate(count=LAUNCH_EVENTS.aggregate())
            .order_by("year", "missile_class")
        )

    def for_chart_by_month(self):
        """Published launch events counted per month (its first day) and missile class, as
        dicts. A launch known only to the month counts in its month; one known only to the
        year has `month` None and its `year`, for the chart's "month unknown" row."""
        month = Case(
            When(date_precision=DatePrecision.YEAR, then=Value(None)),
            default=TruncMonth("occurred_on"),
            output_field=models.DateField(),
        )
        return (
            self.published()
            .annotate(month=month, year=ExtractYear("occurred_on"))
            .order_by()
            .values("month", "year", "missile_class")
            .annotate(count=LAUNCH_EVENTS.aggregate())
            .order_by("year", "month", "missile_class")
        )

    def for_sites(self):
        """Published launches with coordinates, counted per coordinates and site name as
        dicts: a site reported under several names has a row for each."""
        return (
            self.published()
            .filter(site_latitude__isnull=False, site_longitude__isnull=False)
            .order_by()
            .values("site_latitude", "site_longitude", "launch_site")
            .annotate(
                count=models.Count("pk"),
                first=models.Min("occurred_on"),
                last=models.Max("occurred_on"),
            )
            .order_by("site_latitude", "site_longitude", "launch_site")
        )

    def for_feed(self):
        """Published launches, latest first."""
        return self.published().order_by("-sort_at", "-id")

    def matching(self, text, *, ranked=False):
        """Launches whose name, type, class (by its label: "ICBM"), site, summary or notes
        hold every word of `text`: the one search of the timeline page, the API and the search
        page (core.search)."""
        fields = ("missile_name", "missile_type_label", "launch_site", "summary", "notes")
        classes = labelled("missile_class", MissileClass.choices)
        return matching(self, text, fields, ranked=ranked, also=[classes])

    def for_search(self, text):
        """Published launches matching `text`, best match first."""
        return self.published().order_by("-sort_at", "-id").matching(text, ranked=True)


class Launch(models.Model):
    """One launch event: one or several missiles fired together."""

    slug = models.SlugField(max_length=80, unique=True)
    external_id = models.CharField(
        validators=TEXT,
        max_length=120,
        null=True,
        blank=True,
        unique=True,
        help_text="The record's id in the file it was imported from (L2025-011, cns:…).",
    )
    launching_state = models.CharField(
        max_length=2,
        default="KP",
        validators=[validate_state_code],
        help_text="ISO 3166-1 alpha-2 code of the state that launched (KP for North Korea).",
    )
    occurred_on = models.DateField(
        help_text="The local date of the launch; the 1st of its month or year when only the "
        "month or the year is known."
    )
    date_precision = models.CharField(
        max_length=10,
        choices=DatePrecision,
        default=DatePrecision.DAY,
        help_text="Day, or month or year when only that much of the date is known.",
    )
    occurred_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The exact time, when reported. Leave empty when only the day is known.",
    )
    local_timezone = models.CharField(
        max_length=64,
        default="Asia/Seoul",
        help_text="The zone the launch is reported in (Korea Standard Time for KP launches).",
    )
    time_note = models.CharField(
        validators=TEXT,
        max_length=200,
        blank=True,
        help_text='How the time was reported when not exact: "just past noon", "08:10-09:20".',
    )
    sort_at = models.DateTimeField(
        editable=False,
        help_text="Position on the timeline: the exact time, or the end of the local day.",
    )
    missile_count = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Best number of missiles; empty when not stated."
    )
    count_note = models.CharField(
        validators=TEXT,
        max_length=300,
        blank=True,
        help_text='Counts as reported, when not a single number: "several (JCS); 2 (nagix)".',
    )
    category = models.CharField(
        max_length=20, choices=LaunchCategory, default=LaunchCategory.BALLISTIC
    )
    missile_class = models.CharField(
        max_length=20, choices=MissileClass, default=MissileClass.UNKNOWN
    )
    missile_type_label = models.CharField(
        validators=TEXT,
        max_length=300,
        blank=True,
        help_text='The type as reported: "MRBM (hypersonic/MaRV)".',
    )
    missile_name = models.CharField(
        validators=TEXT,
        max_length=300,
        blank=True,
        help_text="Designation, e.g. Hwasong-11; as reported.",
    )
    launch_site = models.CharField(validators=TEXT, max_length=300, blank=True)
    site_latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    site_longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    direction = models.CharField(
        validators=TEXT,
        max_length=300,
        blank=True,
        help_text='Direction or target area: "East Sea".',
    )
    distance_km = models.DecimalField(
        max_digits=8, decimal_places=1, null=True, blank=True, help_text="Best value; see claims."
    )
    apogee_km = models.DecimalField(
        max_digits=8, decimal_places=1, null=True, blank=True, help_text="Best value; see claims."
    )
    flight_time_min = models.DecimalField(
        max_digits=7, decimal_places=1, null=True, blank=True, help_text="Best value; see claims."
    )
    outcome = models.CharField(max_length=10, choices=Outcome, default=Outcome.UNKNOWN)
    outcome_note = models.CharField(
        validators=TEXT,
        max_length=300,
        blank=True,
        help_text='The outcome as reported: "KCNA claims success".',
    )
    confidence = models.CharField(max_length=10, choices=Confidence, default=Confidence.SUSPECTED)
    reporting_authority = models.CharField(
        validators=TEXT,
        max_length=300,
        blank=True,
        help_text='Who reported it: "South Korea\'s JCS; KCNA".',
    )
    summary = models.TextField(max_length=LONG_TEXT, validators=LONG, blank=True)
    notes = models.TextField(
        max_length=LONG_TEXT,
        validators=LONG,
        blank=True,
        help_text="Context an analyst should know.",
    )
    sources = models.ManyToManyField(Source, related_name="launches", blank=True)
    import_record = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="The imported cells, verbatim: nothing a file said is lost.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LaunchQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["sort_at", "id"]
        verbose_name_plural = "launches"
        permissions = [("publish_launch", "Can publish and unpublish launches")]
        indexes = [
            models.Index(fields=["sort_at", "id"]),
            # The timeline's year (a range of days) and the API's newest first by day.
            models.Index(fields=["occurred_on", "id"]),
            models.Index(fields=["status", "sort_at"]),
            models.Index(fields=["category", "sort_at"]),
            models.Index(fields=["category", "occurred_on"]),
            models.Index(fields=["missile_class", "sort_at"]),
            # When any launch last changed: part of an actor's page's stamp.
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(missile_count__isnull=True) | Q(missile_count__gte=1),
                name="launch_count_at_least_one",
            ),
            models.CheckConstraint(
                condition=Q(distance_km__isnull=True) | Q(distance_km__gte=0),
                name="launch_distance_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(apogee_km__isnull=True) | Q(apogee_km__gte=0),
                name="launch_apogee_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(flight_time_min__isnull=True) | Q(flight_time_min__gte=0),
                name="launch_flight_time_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(site_latitude__isnull=True)
                | Q(site_latitude__gte=-90, site_latitude__lte=90),
                name="launch_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(site_longitude__isnull=True)
                | Q(site_longitude__gte=-180, site_longitude__lte=180),
                name="launch_longitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(category__in=LaunchCategory.values), name="launch_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(missile_class__in=MissileClass.values), name="launch_class_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="launch_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(confidence__in=Confidence.values), name="launch_confidence_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="launch_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(launching_state__regex=r"^[A-Z]{2}$"), name="launch_state_is_iso_code"
            ),
            models.CheckConstraint(
                condition=Q(date_precision=DatePrecision.DAY)
                | Q(
                    date_precision=DatePrecision.MONTH, occurred_on__day=1, occurred_at__isnull=True
                )
                | Q(
                    date_precision=DatePrecision.YEAR,
                    occurred_on__day=1,
                    occurred_on__month=1,
                    occurred_at__isnull=True,
                ),
                name="launch_date_precision_valid",
            ),
        ]

    def __str__(self):
        day = known_date(self.occurred_on, self.date_precision, "Y-m-d")
        return f"{day} {self.get_missile_class_display()}"

    def save(self, *args, **kwargs):
        self.sort_at = self.compute_sort_at()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"occurred_on", "occurred_at", "date_precision"} & set(
            update_fields
        ):
            kwargs["update_fields"] = {*update_fields, "sort_at"}
        update_fields = kwargs.get("update_fields")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        placed = update_fields is None or bool(set(PLACING) & set(update_fields))
        before = self._stored_place(using) if placed else None
        super().save(*args, **kwargs)
        now = tuple(getattr(self, name) for name in PLACING)
        if placed and before != now:
            moved_from = before[PLACING.index("sort_at")] if before else self.sort_at
            since = min(self.sort_at, moved_from)
            LaunchFacts.objects.refresh(since=since, using=using)

    def get_absolute_url(self):
        return reverse("explore:launch", kwargs={"slug": self.slug})

    def _stored_place(self, using):
        """What places this launch, as stored (PLACING), or None for a launch not stored yet;
        its row locked until the transaction ends, so that two changes to it are placed in
        the order they commit."""
        if self._state.adding or self.pk is None:
            return None
        rows = type(self)._base_manager.using(using).filter(pk=self.pk)
        if transaction.get_connection(using).in_atomic_block:
            rows = rows.select_for_update()
        return rows.values_list(*PLACING).first()

    def compute_sort_at(self):
        if self.occurred_at:
            return self.occurred_at
        # Day-only launches sort after the timed launches of the same local day; a launch
        # known only to the month (or year) after every dated launch of that month (or year).
        # A fraction of the last second breaks the tie with the day-only launches of the
        # month's (or year's) last day.
        last_day = last_day_of(self.occurred_on, self.date_precision)
        fraction = LAST_SECOND_FRACTION.get(self.date_precision, 0)
        end_of_day = datetime.datetime.combine(last_day, datetime.time(23, 59, 59, fraction))
        return timezone.make_aware(end_of_day, self.zone).astimezone(datetime.UTC)

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.local_timezone)

    @property
    def local_time(self):
        """The exact time in the launch's own zone, or None when only the day is known."""
        return self.occurred_at.astimezone(self.zone) if self.occurred_at else None

    @property
    def earliest_utc_day(self):
        """The first UTC day the launch can have happened on."""
        if self.occurred_at:
            return self.occurred_at.astimezone(datetime.UTC).date()
        start = timezone.make_aware(
            datetime.datetime.combine(self.occurred_on, datetime.time()), self.zone
        )
        return start.astimezone(datetime.UTC).date()

    @property
    def figures_disputed(self):
        """True when two claims about one figure cannot both hold (see claims_disagree): read
        from the claims, so the pages, the API and the downloads say the same."""
        return claims_disagree((c.attribute, c.value, c.value_max) for c in self.claims.all())

    @property
    def ordinal_rule(self):
        """The counting rule `category_ordinal` counts by (timeline.counting)."""
        return ORDINAL_RULE

    @property
    def date_label(self):
        """The date as far as it is known: "6 March 2017", "September 1984", "1984"."""
        return known_date(self.occurred_on, self.date_precision)

    @property
    def date_known_to_day(self):
        return self.date_precision == DatePrecision.DAY

    @property
    def days_since_previous(self):
        return days_between(
            getattr(self, "previous_on", None),
            getattr(self, "previous_precision", None),
            self.occurred_on,
            self.date_precision,
        )

    @property
    def days_since_previous_same_class(self):
        return days_between(
            getattr(self, "previous_same_class_on", None),
            getattr(self, "previous_same_class_precision", None),
            self.occurred_on,
            self.date_precision,
        )

    def clean(self):
        try:
            zone = self.zone
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError({"local_timezone": "Not a known time zone."}) from exc
        if self.occurred_at and self.occurred_on:
            local_day = self.occurred_at.astimezone(zone).date()
            if local_day != self.occurred_on:
                message = f"The time falls on {local_day} locally, not {self.occurred_on}."
                raise ValidationError({"occurred_at": message})
        self.clean_date_precision()

    def clean_date_precision(self):
        """A launch known to the month is stored on the 1st, to the year on 1 January, and
        has no time: the stored day is never read as a real one."""
        precision, day = self.date_precision, self.occurred_on
        if precision == DatePrecision.DAY or day is None:
            return
        if self.occurred_at:
            raise ValidationError(
                {"occurred_at": f"A launch known only to the {precision} has no exact time."}
            )
        if precision == DatePrecision.MONTH and day.day != 1:
            raise ValidationError(
                {"occurred_on": "A launch known only to the month is stored on its 1st."}
            )
        if precision == DatePrecision.YEAR and (day.month, day.day) != (1, 1):
            raise ValidationError(
                {"occurred_on": "A launch known only to the year is stored on 1 January."}
            )


def days_between(earlier, earlier_precision, later, later_precision):
    """Whole days from one launch to a later one; None unless both days are known (no count
    of days from "September 1984")."""
    if earlier is None or {earlier_precision, later_precision} != {DatePrecision.DAY}:
        return None
    return (later - earlier).days


class ClaimAttribute(models.TextChoices):
    DISTANCE = "distance", "Distance (km)"
    APOGEE = "apogee", "Apogee (km)"
    COUNT = "count", "Missile count"
    TYPE = "type", "Missile type"
    NAME = "name", "Missile name"
    FLIGHT_TIME = "flight_time", "Flight time (min)"
    OUTCOME = "outcome", "Outcome"


class LaunchClaim(CitesSources):
    """One figure as claimed by someone: "~700 km (JCS)", "1,500 km (KCNA claim)"."""

    launch = models.ForeignKey(Launch, on_delete=models.CASCADE, related_name="claims")
    attribute = models.CharField(max_length=20, choices=ClaimAttribute)
    value_text = models.CharField(
        validators=TEXT,
        max_length=300,
        help_text='The value as stated, verbatim: "~700", "several", "350-400".',
    )
    value = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Its number, when it has one (the lower bound of a range).",
    )
    value_max = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="Upper bound of a range."
    )
    claimant = models.CharField(
        validators=TEXT,
        max_length=200,
        blank=True,
        help_text="Who said it: JCS, Japan MoD, KCNA, INDOPACOM…",
    )
    note = models.CharField(validators=TEXT, max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order in which the claims were listed."
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        help_text="The document cited for the figure, listed first.",
    )
    further_sources = models.ManyToManyField(
        Source,
        related_name="further_claims",
        blank=True,
        help_text="Other documents that report the same figure from the same claimant.",
    )

    history = HistoricalRecords(m2m_fields=[further_sources])

    class Meta:
        ordering = ["launch", "position", "id"]
        indexes = [models.Index(fields=["launch", "position", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(attribute__in=ClaimAttribute.values), name="claim_attribute_valid"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="claim_value_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(value_max__isnull=True) | Q(value__lte=F("value_max")),
                name="claim_range_ordered",
            ),
            models.UniqueConstraint(
                fields=["launch", "attribute", "position"], name="claim_position_unique"
            ),
        ]

    def __str__(self):
        return f"{self.get_attribute_display()}: {self.value_text}" + (
            f" ({self.claimant})" if self.claimant else ""
        )

    def get_absolute_url(self):
        return self.launch.get_absolute_url()


def detail_details():
    """Prefetches of a launch's sources, its claims and its visible links, each with its
    sources, as a launch page shows them."""
    from .events import Link

    return [
        "sources",
        Prefetch(
            "claims",
            queryset=LaunchClaim.objects.select_related("source").prefetch_related(
                "further_sources"
            ),
        ),
        Prefetch(
            "links",
            queryset=Link.objects.visible()
            .select_related("event", "source")
            .prefetch_related("further_sources")
            .order_by("event__start_date", "id"),
        ),
    ]
