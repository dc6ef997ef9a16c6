from django.contrib import admin

from .models import Event, Launch, LaunchClaim, Link, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "publisher", "url", "published_at"]
    search_fields = ["title", "url", "publisher", "reference"]


class LaunchClaimInline(admin.TabularInline):
    model = LaunchClaim
    extra = 0
    autocomplete_fields = ["source"]


class LinkInline(admin.TabularInline):
    model = Link
    extra = 0
    autocomplete_fields = ["event", "source"]


@admin.register(Launch)
class LaunchAdmin(admin.ModelAdmin):
    list_display = ["occurred_on", "missile_class", "missile_name", "missile_count", "status"]
    list_filter = ["status", "category", "missile_class", "confidence"]
    search_fields = ["slug", "missile_name", "missile_type_label", "launch_site", "notes"]
    date_hierarchy = "occurred_on"
    autocomplete_fields = ["sources"]
    inlines = [LaunchClaimInline, LinkInline]
    readonly_fields = ["import_record"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["start_date", "kind", "title", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "description", "participants"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["sources"]


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ["launch", "relation", "event", "confidence", "status"]
    list_filter = ["relation", "confidence", "status"]
    list_select_related = ["launch", "event"]
    autocomplete_fields = ["launch", "event", "source"]
    search_fields = ["rationale", "event__title"]
from . import admin_imports  # noqa: E402, F401 - registers the background-work admin
