from django.contrib import admin

from .models import Actor, Speaker, Statement, Theme


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "short_name"]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "actor"]
    list_select_related = ["actor"]
    search_fields = ["name", "role", "actor__name"]
    autocomplete_fields = ["actor"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["launch", "actor", "stance", "channel", "status", "issued_on"]
    list_filter = ["status", "stance", "channel"]
    list_select_related = ["launch", "actor"]
    search_fields = ["quote", "summary", "speaker__name", "actor__name"]
    autocomplete_fields = ["launch", "actor", "co_signers", "speaker", "source", "themes"]
    date_hierarchy = "issued_on"
