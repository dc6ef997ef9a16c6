"""The documents Salvo cites."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.text import TEXT
from editorial.models import Status


class SourceQuerySet(models.QuerySet):
    def cited_on_timeline(self):
        """Sources cited by a timeline record readers may see: a published launch or event, a
        claim on a published launch, a visible link, first or further. Reactions cite sources
        too: see explore.queries.visible_sources."""
        from . import Event, Launch, LaunchClaim, Link

        claims = LaunchClaim.objects.filter(launch__status=Status.PUBLISHED)
        return self.filter(
            Q(pk__in=Launch.objects.published().values("sources"))
            | Q(pk__in=Event.objects.published().values("sources"))
            | cited_by(claims)
            | cited_by(Link.objects.visible())
        )


def cited_by(records):
    """A filter on sources: those `records` cite, first or as a further source."""
    return Q(pk__in=records.values("source")) | Q(pk__in=records.values("further_sources"))


class CitesSources(models.Model):
    """A record that cites one source first and may cite further ones that report the same:
    a statement, a link, a claim. Each declares its own `source` and `further_sources`."""

    class Meta:
        abstract = True

    @property
    def all_sources(self):
        """The cited source first, then the further ones: what pages and the API list."""
        first = [self.source] if self.source_id else []
        return [*first, *self.further_sources.all()]


def validate_further_sources(cited, further):
    """Refuse `further` as the further sources of a record citing `cited` first: never the
    cited source again, and none on a record that cites no source first."""
    if not further:
        return
    if cited is None:
        raise ValidationError(
            {"further_sources": "Cite a first source before adding further ones."}
        )
    if any(source.pk == cited.pk for source in further):
        raise ValidationError({"further_sources": f"“{cited}” is already the cited source."})


# Datasets that import files cite by name rather than by URL, and the Source each stands for.
SOURCE_REFERENCES = {
    "CNS-DB": {
        "title": "CNS North Korea Missile Test Database",
        "publisher": "James Martin Center for Nonproliferation Studies",
        "url": "https://www.nti.org/analysis/articles/cns-north-korea-missile-test-database/",
    },
    "NAGIX-PRELIM": {
        "title": "nagix preliminary launch compilation",
        "publisher": "nagix",
        "url": "",
    },
}


class Source(models.Model):
    """A document we cite: an article, a statement page, or a dataset."""

    url = models.URLField(
        validators=TEXT,
        max_length=1000,
        blank=True,
        help_text="Where the document can be read. Unique.",
    )
    reference = models.SlugField(
        max_length=60,
        blank=True,
        help_text="A short key for a source without a single URL, such as a dataset (CNS-DB).",
    )
    title = models.CharField(
        validators=TEXT, max_length=500, blank=True, help_text="The document's headline."
    )
    publisher = models.CharField(
        validators=TEXT,
        max_length=200,
        blank=True,
        help_text="The outlet or body that published it.",
    )
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was published, if known."
    )
    language = models.CharField(
        validators=TEXT,
        max_length=16,
        blank=True,
        default="en",
        help_text="Language code, e.g. en, ko, ru.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SourceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["publisher", "url", "reference", "id"]
        indexes = [models.Index(fields=["publisher", "url", "reference", "id"])]
        constraints = [
            models.UniqueConstraint(fields=["url"], condition=~Q(url=""), name="source_url_unique"),
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="source_reference_unique"
            ),
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(reference=""), name="source_has_url_or_reference"
            ),
        ]

    def __str__(self):
        return self.title or self.reference or self.url

    def get_absolute_url(self):
        """Salvo's page of the source: what it backs, and its original address if it has one."""
        return reverse("reactions:source", kwargs={"pk": self.pk})
