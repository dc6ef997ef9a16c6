"""sitemap.xml: every published record's page and the site's standing pages, nothing else."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from reactions.models import Actor, Statement
from timeline.models import Event, Launch


class PublicSitemap(Sitemap):
    """A sitemap whose addresses use the site's canonical scheme (SITE_URL) when it has one:
    behind a proxy that ends TLS, the request itself looks like plain http."""

    @property
    def protocol(self):
        return settings.SITE_URL.partition("://")[0] or None


class LaunchSitemap(PublicSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Launch.objects.published().order_by("sort_at", "id").only("slug", "updated_at")

    def lastmod(self, launch):
        return launch.updated_at


class EventSitemap(PublicSitemap):
    changefreq = "monthly"

    def items(self):
        return Event.objects.published().order_by("start_date", "id").only("slug", "updated_at")

    def lastmod(self, event):
        return event.updated_at


class StatementSitemap(PublicSitemap):
    changefreq = "monthly"

    def items(self):
        return Statement.objects.visible().order_by("id").only("id", "updated_at")

    def location(self, statement):
        return reverse("explore:statement", kwargs={"pk": statement.pk})

    def lastmod(self, statement):
        return statement.updated_at


class ActorSitemap(PublicSitemap):
    """The actors with at least one statement readers may see: the others' pages are empty."""

    changefreq = "weekly"

    def items(self):
        spoke = Statement.objects.visible().values("actor")
        return Actor.objects.filter(pk__in=spoke).order_by("code").only("code")


class PageSitemap(PublicSitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return [
            "explore:index",
            "reactions:actor-list",
            "timeline:event-list",
            "explore:map",
            "explore:charts",
            "explore:matrix",
            "explore:data",
            "explore:methodology",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "launches": LaunchSitemap,
    "events": EventSitemap,
    "statements": StatementSitemap,
    "actors": ActorSitemap,
}
