"""The reader's pages that stand beside the record: the methodology, a statement's own page
(its permanent address), and what crawlers read (robots.txt, sitemap.xml)."""

from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from core.caching import reads
from reactions.models import Stance, Statement
from timeline.models import Confidence

from .citation import LICENCE, LICENCE_URL
from .sitemaps import SITEMAPS

# Short examples of each stance, written for the methodology page (not quotes).
STANCE_EXAMPLES = {
    Stance.CONDEMNS: "“We condemn this launch, a flagrant violation of UN resolutions.”",
    Stance.CONCERNED: "“We are concerned by the launch and urge restraint.”",
    Stance.NEUTRAL: "“All sides should avoid steps that raise tension and return to talks.”",
    Stance.SUPPORTIVE: "“The tension comes from the drills held on its doorstep.”",
    Stance.DEFENDS: "“It is the country's sovereign right to test the weapons of its defence.”",
}
STANCE_RULES = {
    Stance.CONDEMNS: (
        "An explicit condemnation, denunciation or protest, or words such as "
        "“unacceptable”, “flagrant violation”, “reckless, unlawful”."
    ),
    Stance.CONCERNED: (
        "Concern or regret, or calling the launch a breach of resolutions, without condemning it."
    ),
    Stance.NEUTRAL: "A call on all sides, without blaming anyone.",
    Stance.SUPPORTIVE: (
        "Sympathy for the launching state's position, blame on others, without defending "
        "the launch itself."
    ),
    Stance.DEFENDS: "Defends the launch as legitimate.",
}


def signed(value):
    """A stance's score as the scale prints it, with a true minus sign: -2 … +2."""
    return f"{value:+d}".replace("-", "\N{MINUS SIGN}") if value else "0"


@reads()
def methodology(request):
    """How Salvo counts, labels, sources and corrects what it publishes."""
    stances = [
        (value, label, signed(value), STANCE_RULES[value], STANCE_EXAMPLES[value])
        for value, label in Stance.choices
    ]
    return render(
        request,
        "explore/methodology.html",
        {
            "stances": stances,
            "confidences": dict(Confidence.choices),
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
        },
    )


@reads()
def statement_detail(request, pk):
    """One statement on its own page: the permanent address a citation gives."""
    statement = get_object_or_404(Statement.objects.for_page(), pk=pk)
    return render(request, "explore/statement_detail.html", {"statement": statement})


@reads()
def robots_txt(request):
    """Crawlers may read every reader's page; not the admin, nor the API's many queries."""
    sitemap = request.build_absolute_uri(reverse("explore:sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /search/",
        "Allow: /api/docs/",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@reads("p")
def sitemap(request):
    """Every published record's page, for search engines (django.contrib.sitemaps)."""
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS)
