"""The desk in the analyst's admin: read an article, confirm the proposals, create drafts."""

from collections import Counter

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from desk.extraction import extract

from .forms import ArticleForm
from .review import Review
from .services import DeskError, desk_submit

# Who may use the desk; desk_submit checks again, with what the rows need.
DESK_PERMISSION = "reactions.add_statement"


def may_use_desk(user):
    return user.is_active and user.is_staff and user.has_perm(DESK_PERMISSION)


def desk(request):
    """Step 1 on GET; the review screen once an article is read; drafts from the review."""
    if not may_use_desk(request.user):
        return render(
            request, "desk/refused.html", {"title": "Article desk: not for this account"}, 403
        )
    if request.method == "POST" and "create" in request.POST:
        return create(request)
    if request.method == "POST":
        form = ArticleForm(request.POST, request.FILES)
        if form.is_valid():
            review = Review.from_extraction(extract(form.article), form.article)
            return render_review(request, review)
    else:
        form = ArticleForm()
    return render(request, "desk/article.html", {"title": "Article desk", "form": form})


def create(request):
    review = Review(request.POST)
    if review.is_valid():
        try:
            drafts = desk_submit(user=request.user, **review.submission())
        except PermissionDenied as error:
            messages.error(request, str(error))
        except DeskError as error:
            review.attach(error)
            messages.error(request, f"Nothing was created: {error}")
        else:
            messages.success(request, created_message(drafts))
            return HttpResponseRedirect(reverse("desk:desk"))
    else:
        messages.error(request, "Nothing was created: correct the fields marked below.")
    return render_review(request, review)


def render_review(request, review):
    context = {"title": "Article desk: review the proposals", "review": review}
    return render(request, "desk/review.html", context)


def render(request, template, context, status=200):
    context = {**admin.site.each_context(request), **context}
    return TemplateResponse(request, template, context, status=status)


def created_message(drafts):
    """One line naming what was created, each record linked to its admin page."""
    records = [
        *([drafts.launch] if drafts.launch_created else []),
        *drafts.statements,
        *drafts.events,
        *drafts.links,
    ]
    counts = Counter(type(record) for record in records)
    made = ", ".join(
        f"{n} {model._meta.verbose_name if n == 1 else model._meta.verbose_name_plural}"
        for model, n in counts.items()
    )
    status = "submitted for review" if any(r.status == "review" for r in records) else "as drafts"
    links = format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        (
            (reverse(f"admin:{r._meta.app_label}_{r._meta.model_name}_change", args=[r.pk]), r)
            for r in records
        ),
    )
    return format_html(
        "Created {}, {}: {}. Nothing is published until an editor publishes it.",
        made,
        status,
        links,
    )
