"""What every record that goes through review shares: its status and the QuerySet that
reads what readers and API clients may see."""

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """Only what readers and anonymous API clients may see."""
        return self.filter(status=Status.PUBLISHED)

    def for_api(self, *, drafts=False):
        """What an API client may see, with the launch and event each record hangs from.

        Every record for a client allowed to see drafts; otherwise the published records
        whose launch and event (where they have one) are published too.
        """
        parents = [name for name in ("launch", "event") if hasattr(self.model, f"{name}_id")]
        records = self.select_related(*parents)
        if drafts:
            return records
        return records.published().filter(
            **{f"{parent}__status": Status.PUBLISHED for parent in parents}
        )
