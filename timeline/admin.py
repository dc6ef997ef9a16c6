"""The analyst's desk: launches, claims, events, links and sources, with review and history."""

from django.contrib import admin, messages
from django.db import transaction
from django.template.response import TemplateResponse

from core.admin import LabelledChoices
from editorial.admin import (
    CheckedInline,
    EditorialAdmin,
    EditorialInline,
    HistoryAdmin,
    year_filter,
)
from editorial.models import Status
from editorial.services import ChangeRefused

from .dates import known_date
from .forms import LaunchClaimForm, LinkForm, SourceForm
from .models import Event, Launch, LaunchClaim, Link, Source
from .services import MergeRefused, launch_merge

admin.site.site_header = "Salvo: the analyst's desk"
admin.site.site_title = "Salvo admin"
admin.site.index_title = "Launches, reactions and their sources"


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    """A pasted URL with no title gets its page's title (SourceForm); if the page cannot be
    read, the source is saved all the same and the analyst is told why."""

    form = SourceForm
    list_display = ["__str__", "publisher", "url", "published_at"]
    search_fields = ["title", "url", "publisher", "reference"]
    date_hierarchy = "published_at"
    list_filter = ["language", "publisher"]
    csv_fields = ["id", "url", "reference", "title", "publisher", "published_at", "language"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.title_problem:
            self.message_user(
                request,
                f"The page's title could not be fetched: {form.title_problem} Type it in.",
                messages.WARNING,
            )


class LaunchClaimInline(CheckedInline, admin.TabularInline):
    model = LaunchClaim
    form = LaunchClaimForm
    extra = 0
    autocomplete_fields = ["source", "further_sources"]


class LinkInline(EditorialInline, admin.TabularInline):
    model = Link
    form = LinkForm
    extra = 0
    autocomplete_fields = ["event", "source", "further_sources"]


@admin.register(Launch)
class LaunchAdmin(EditorialAdmin):
    list_display = [
        "occurred_on",
        "missile_class",
        "missile_name",
        "missile_count",
        "launching_state",
        "status",
        "updated_at",
    ]
    list_filter = ["status", year_filter("occurred_on"), "category", "missile_class", "confidence"]
    search_fields = [
        "slug",
        "missile_name",
        "missile_type_label",
        "launch_site",
        "summary",
        "notes",
    ]
    date_hierarchy = "occurred_on"
    autocomplete_fields = ["sources"]
    inlines = [LaunchClaimInline, LinkInline]
    readonly_fields = ["import_record"]
    actions = [*EditorialAdmin.actions, "merge_into"]
    csv_fields = [
        "id",
        "slug",
        "launching_state",
        "occurred_on",
        "occurred_at",
        "time_note",
        "missile_count",
        "category",
        "missile_class",
        "missile_name",
        "launch_site",
        "direction",
        "distance_km",
        "apogee_km",
        "outcome",
        "confidence",
        "reporting_authority",
        "summary",
        "status",
        "published_at",
    ]

    @staticmethod
    def autocomplete_label(launch):
        """How autocompletes name a launch, so that launches of one day are told apart by time
        and type: "2025-11-07 12:10 KST · SRBM · Hwasong-11 · draft"."""
        local = launch.local_time
        parts = [
            f"{local:%Y-%m-%d %H:%M %Z}"
            if local
            else known_date(launch.occurred_on, launch.date_precision, "Y-m-d"),
            # The class by its short code where it has one (SRBM), else by name (Cruise missile).
            launch.missile_class
            if launch.missile_class.isupper()
            else launch.get_missile_class_display(),
        ]
        if launch.missile_name:
            parts.append(launch.missile_name)
        if launch.missile_count and launch.missile_count > 1:
            parts.append(f"{launch.missile_count} missiles")
        if launch.status != Status.PUBLISHED:
            parts.append(launch.get_status_display().lower())
        return " · ".join(parts)

    @admin.action(description="Merge into…", permissions=["change", "delete"])
    def merge_into(self, request, queryset):
        """Merge the launches chosen into one of them, chosen on a confirmation page: one
        launch seen twice (two sources, or an ambiguous import) becomes one."""
        launches = list(queryset.order_by("occurred_on", "sort_at", "id"))
        if len(launches) < 2:
            self.message_user(request, "Choose at least two launches to merge.", messages.ERROR)
            return None
        chosen = request.POST.get("keep") if request.POST.get("post") else None
        keep = next((launch for launch in launches if str(launch.pk) == chosen), None)
        if keep is None:
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "launches": launches,
                "title": f"Merge {len(launches)} launches into one",
            }
            return TemplateResponse(request, "admin/timeline/launch/merge.html", context)
        try:
            with transaction.atomic():
                for merged in launches:
                    if merged.pk != keep.pk:
                        launch_merge(keep=keep, merged=merged, user=request.user)
        except (ChangeRefused, MergeRefused) as refused:
            self.message_user(request, f"Nothing was merged: {refused}", messages.ERROR)
            return None
        self.message_user(
            request, f"{len(launches) - 1} launch(es) merged into {keep}.", messages.SUCCESS
        )
        return None


@admin.register(LaunchClaim)
class LaunchClaimAdmin(LabelledChoices, HistoryAdmin):
    form = LaunchClaimForm
    list_display = ["launch", "attribute", "value_text", "claimant", "source"]
    list_filter = ["attribute", "claimant"]
    list_select_related = ["launch", "source"]
    search_fields = ["value_text", "claimant", "note", "launch__slug"]
    autocomplete_fields = ["launch", "source", "further_sources"]
    csv_fields = [
        "id",
        "launch",
        "attribute",
        "value_text",
        "value",
        "value_max",
        "claimant",
        "note",
    ]


@admin.register(Event)
class EventAdmin(EditorialAdmin):
    list_display = ["start_date", "kind", "title", "status", "updated_at"]
    list_filter = ["status", year_filter("start_date"), "kind"]
    search_fields = ["title", "description", "participants", "location"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["sources"]
    readonly_fields = ["import_record"]
    csv_fields = [
        "id",
        "slug",
        "kind",
        "title",
        "start_date",
        "end_date",
        "location",
        "participants",
        "description",
        "status",
        "published_at",
    ]


@admin.register(Link)
class LinkAdmin(LabelledChoices, EditorialAdmin):
    form = LinkForm
    list_display = ["launch", "relation", "event", "confidence", "status", "updated_at"]
    list_filter = ["status", "relation", "confidence"]
    list_select_related = ["launch", "event"]
    autocomplete_fields = ["launch", "event", "source", "further_sources"]
    search_fields = ["rationale", "event__title", "launch__slug"]
    csv_fields = [
        "id",
        "launch",
        "relation",
        "event",
        "rationale",
        "confidence",
        "source",
        "status",
    ]


from . import admin_suggestions  # noqa: E402, F401 - registers the trigger suggestions admin
