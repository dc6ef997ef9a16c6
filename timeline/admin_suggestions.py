"""Admin for trigger suggestions (background work)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from .models import TriggerSuggestion
from .services import (
    SuggestionRefused,
    trigger_suggestion_accept,
    trigger_suggestion_reject,
)


@admin.register(TriggerSuggestion)
class TriggerSuggestionAdmin(admin.ModelAdmin):
    list_display = ["launch", "rank", "event", "reason", "score", "status", "link"]
    list_filter = ["status", "event__kind"]
    list_select_related = ["launch", "event", "link"]
    search_fields = ["event__title", "launch__slug"]
    readonly_fields = [
        "launch",
        "event",
        "rank",
        "score",
        "days_before",
        "under_way",
        "reason",
        "status",
        "link",
        "decided_by",
        "decided_at",
        "created_at",
    ]
    actions = ["accept", "reject"]

    def has_add_permission(self, request):
        return False  # suggestions come from the launch; an analyst adds a Link directly

    def _decide(self, request, queryset, decide, verb):
        if not request.user.has_perm("timeline.add_link"):
            raise PermissionDenied
        done = 0
        for suggestion in queryset.select_related("launch", "event"):
            try:
                decide(suggestion=suggestion, user=request.user)
            except SuggestionRefused as exc:
                self.message_user(request, f"{suggestion}: {exc}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} suggestion{'s' if done != 1 else ''} {verb}.")

    @admin.action(description="Accept: create draft links", permissions=["change"])
    def accept(self, request, queryset):
        self._decide(request, queryset, trigger_suggestion_accept, "accepted as draft links")

    @admin.action(description="Reject", permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, trigger_suggestion_reject, "rejected")
