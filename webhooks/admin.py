from django import forms
from django.contrib import admin, messages

from . import services
from .models import Attempt, Delivery, EventType, Subscription


class SubscriptionForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Subscription
        fields = ["name", "target_url", "event_types", "is_active", "secret"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["name", "target_url", "is_active", "paused_at", "consecutive_failures"]
    list_filter = ["is_active"]
    search_fields = ["name", "target_url"]
    readonly_fields = ["paused_at", "consecutive_failures", "created_by", "created_at"]
    actions = ["resume"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Resume: send what waited while paused", permissions=["change"])
    def resume(self, request, queryset):
        for subscription in queryset.exclude(paused_at=None):
            services.subscription_resume(subscription=subscription)
            self.message_user(request, f"{subscription} resumed.")


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "duration_ms", "status_code", "error", "response_excerpt"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "event_type",
        "record_type",
        "record_id",
        "subscription",
        "status",
        "attempt_count",
        "next_attempt_at",
    ]
    list_filter = ["status", "event_type", "subscription"]
    list_select_related = ["subscription"]
    search_fields = ["=idempotency_key", "=record_id"]
    date_hierarchy = "created_at"
    inlines = [AttemptInline]
    readonly_fields = [
        "subscription",
        "event_type",
        "idempotency_key",
        "record_type",
        "record_id",
        "payload",
        "status",
        "attempt_count",
        "next_attempt_at",
        "give_up_at",
        "queued_at",
        "delivered_at",
        "created_at",
    ]
    actions = ["redeliver"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Redeliver (same idempotency key)", permissions=["change"])
    def redeliver(self, request, queryset):
        for delivery in queryset:
            services.delivery_redeliver(delivery=delivery)
        self.message_user(request, f"{len(queryset)} queued again.", messages.SUCCESS)
