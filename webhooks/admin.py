from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from . import services
from .models import Attempt, Delivery, EventType, Subscription


class SubscriptionForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Subscription
        fields = ["name", "target_url", "event_types", "is_active"]


def _shown_once(subscription):
    return format_html(
        "The secret of {} is <code>{}</code>. It is shown only now: give it to the "
        "receiver, which checks the Salvo-Signature header with it.",
        subscription,
        subscription.secret,
    )


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Superusers see every subscription; other staff only their own. Secrets are shown once."""

    form = SubscriptionForm
    list_display = ["name", "target_url", "is_active", "paused_at", "consecutive_failures"]
    list_filter = ["is_active"]
    search_fields = ["name", "target_url"]
    readonly_fields = ["owner", "paused_at", "consecutive_failures", "created_by", "created_at"]
    actions = ["resume", "rotate_secret"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in SubscriptionForm.Meta.fields}
        if change:
            changed = {name: fields[name] for name in form.changed_data}
            services.subscription_update(subscription=obj, user=request.user, **changed)
            return
        created = services.subscription_create(owner=request.user, **fields)
        obj.pk = created.pk
        obj.refresh_from_db()
        self.message_user(request, _shown_once(obj), messages.WARNING)

    def delete_model(self, request, obj):
        services.subscription_delete(subscription=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for subscription in queryset:
            services.subscription_delete(subscription=subscription, user=request.user)

    @admin.action(description="Resume: send what waited while paused", permissions=["change"])
    def resume(self, request, queryset):
        for subscription in queryset.exclude(paused_at=None):
            services.subscription_resume(subscription=subscription, user=request.user)
            self.message_user(request, f"{subscription} resumed.")

    @admin.action(description="Rotate the secret (shown once)", permissions=["change"])
    def rotate_secret(self, request, queryset):
        for subscription in queryset:
            rotated = services.subscription_rotate_secret(
                subscription=subscription, user=request.user
            )
            self.message_user(request, _shown_once(rotated), messages.WARNING)


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
    list_filter = ["status", "event_type", ("subscription", admin.RelatedOnlyFieldListFilter)]
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

    def get_queryset(self, request):
        subscriptions = Subscription.objects.visible_to(request.user)
        return super().get_queryset(request).filter(subscription__in=subscriptions)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Redeliver (same idempotency key)", permissions=["change"])
    def redeliver(self, request, queryset):
        for delivery in queryset:
            services.delivery_redeliver(delivery=delivery, user=request.user)
        self.message_user(request, f"{len(queryset)} queued again.", messages.SUCCESS)
