"""The analyst's desk: launches, claims, events, links and sources, with review and history."""

from django.contrib import admin

from editorial.admin import (
    CheckedInline,
    EditorialAdmin,
    EditorialInline,
    HistoryAdmin,
    year_filter,
)

from .forms import LaunchClaimForm, LinkForm
from .models import Event, Launch, LaunchClaim, Link, Source

admin.site.site_header = "Salvo: the analyst's desk"
admin.site.site_title = "Salvo admin"
admin.site.index_title = "Launches, reactions and their sources"


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["__str__", "publisher", "url", "published_at"]
    search_fields = ["title", "url", "publisher", "reference"]
    date_hierarchy = "published_at"
    list_filter = ["language", "publisher"]
    csv_fields = ["id", "url", "reference", "title", "publisher", "published_at", "language"]


class LaunchClaimInline(CheckedInline, admin.TabularInline):
    model = LaunchClaim
    form = LaunchClaimForm
    extra = 0
    autocomplete_fields = ["source"]


class LinkInline(EditorialInline, admin.TabularInline):
    model = Link
    form = LinkForm
    extra = 0
    autocomplete_fields = ["event", "source"]


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


@admin.register(LaunchClaim)
class LaunchClaimAdmin(HistoryAdmin):
    form = LaunchClaimForm
    list_display = ["launch", "attribute", "value_text", "claimant", "source"]
    list_filter = ["attribute", "claimant"]
    list_select_related = ["launch", "source"]
    search_fields = ["value_text", "claimant", "note", "launch__slug"]
    autocomplete_fields = ["launch", "source"]
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
class LinkAdmin(EditorialAdmin):
    form = LinkForm
    list_display = ["launch", "relation", "event", "confidence", "status", "updated_at"]
    list_filter = ["status", "relation", "confidence"]
    list_select_related = ["launch", "event"]
    autocomplete_fields = ["launch", "event", "source"]
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
