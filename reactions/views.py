from django.shortcuts import get_object_or_404, render

from .models import Actor, Statement, Theme


def actor_detail(request, code):
    actor = get_object_or_404(Actor, code=code.upper())
    statements = Statement.objects.for_actor_page().filter(actor=actor)
    return render(
        request, "reactions/actor_detail.html", {"actor": actor, "statements": statements}
    )


def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    statements = Statement.objects.for_actor_page().filter(themes=theme)
    return render(
        request, "reactions/theme_detail.html", {"theme": theme, "statements": statements}
    )
