"""The admin's base classes: every change kept with who, when and what; draft → in review →
published and back; every save, deletion and status change through the editorial services."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from core.csv import csv_response

from .forms import EditorialForm
from .models import Status
from .services import (
    TransitionRefused,
    announce_change,
    announced_once,
    can_publish,
    deleted_records,
    publication_stamps,
    record_delete,
    record_restore,
    record_revert,
    record_save,
    record_transition,
)


def year_filter(field_name):
    """A list filter by the year of `field_name`, offering the years that hold records."""

    class YearFilter(admin.SimpleListFilter):
        title = "year"
        parameter_name = "year"

        def lookups(self, request, model_admin):
            years = model_admin.get_queryset(request).dates(field_name, "year", order="DESC")
            return [(str(day.year), str(day.year)) for day in years]

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(**{f"{field_name}__year": self.value()})
            return queryset

    return YearFilter


class HistoryAdmin(SimpleHistoryAdmin):
    """Every change kept with who, when and what. Those who may delete may revert and restore.

    What readers see changes only by those who may publish it: the forms say so before
    saving, and every save and deletion here is checked by the services' rule again.
    """

    form = EditorialForm
    object_history_list_template = "admin/salvo/object_history_list.html"
    actions = ["export_csv"]
    csv_fields = []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        # The launch form is saved whole even when only its inline statements changed: an
        # unchanged record is not saved (nor checked, nor announced) again.
        if form.has_changed() or not change:
            record_save(obj, user=request.user)

    def save_related(self, request, form, formsets, change):
        # Once for the record and its inline rows (a launch and its claims), after the many-to-
        # many fields (sources, themes) are saved too.
        with announced_once():
            super().save_related(request, form, formsets, change)
            changed = set(form.changed_data)
            if changed or not change:
                announce_change(form.instance, created=not change, changed=changed)

    def delete_model(self, request, obj):
        record_delete(instance=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_delete(instance=obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record_delete(instance=obj, user=request.user)
        saved = []
        for row in formset.forms:
            obj = row.instance
            if not any(obj is instance for instance in instances):
                continue
            if hasattr(obj, "entered_by_id") and obj.entered_by_id is None:
                obj.entered_by = request.user
            created = obj._state.adding
            record_save(obj, user=request.user)
            saved.append((obj, created, set(row.changed_data)))
        formset.save_m2m()
        for obj, created, changed in saved:
            announce_change(obj, created=created, changed=changed)

    def may_revert(self, request):
        return self.has_delete_permission(request)

    def revert_disabled(self, request, obj=None):
        return not self.may_revert(request)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name="{}_{}_deleted".format(*info),
            ),
            path(
                "deleted/<path:object_id>/restore/",
                self.admin_site.admin_view(require_POST(self.restore_view)),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if self.may_revert(request):
            info = self.opts.app_label, self.opts.model_name
            extra_context["deleted_url"] = reverse("admin:{}_{}_deleted".format(*info))
        return super().changelist_view(request, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Show a past version; reverting brings it back whole, through record_revert."""
        request.viewing_history = True
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        if not self.may_revert(request):
            raise PermissionDenied
        record = get_object_or_404(
            self.model.history.model,
            **{self.opts.pk.attname: unquote(object_id), "history_id": version_id},
        )
        try:
            instance = record_revert(record=record, user=request.user)
        except (ValidationError, TransitionRefused) as error:
            reason = "; ".join(getattr(error, "messages", [str(error)]))
            self.message_user(request, f"Not reverted: {reason}", messages.ERROR)
            return HttpResponseRedirect(request.path)
        when = f"{record.history_date:%Y-%m-%d %H:%M:%S %Z}"
        self.log_change(request, instance, f"Reverted to the version of {when}.")
        self.message_user(request, f"“{instance}” is back as it was on {when}.", messages.SUCCESS)
        return HttpResponseRedirect(
            reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[instance.pk]
            )
        )

    def get_readonly_fields(self, request, obj=None):
        if getattr(request, "viewing_history", False):
            # A past version is shown, not edited: reverting takes it as it was.
            return [field.name for field in self.opts.fields if field.name != "id"]
        return super().get_readonly_fields(request, obj)

    def deleted_view(self, request):
        if not self.may_revert(request):
            raise PermissionDenied
        records, seen = [], set()
        for record in deleted_records(self.model).select_related("history_user")[:500]:
            if record.instance.pk not in seen:
                seen.add(record.instance.pk)
                records.append(record)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Deleted {self.opts.verbose_name_plural}",
            "opts": self.opts,
            "records": records,
        }
        return TemplateResponse(request, "admin/salvo/deleted_list.html", context)

    def restore_view(self, request, object_id):
        if not self.may_revert(request):
            raise PermissionDenied
        try:
            instance = record_restore(model=self.model, pk=unquote(object_id), user=request.user)
        except self.model.DoesNotExist as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_deleted")
            )
        except (ValidationError, TransitionRefused) as error:
            reason = "; ".join(getattr(error, "messages", [str(error)]))
            self.message_user(request, f"Not restored: {reason}", messages.ERROR)
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_deleted")
            )
        self.log_addition(request, instance, "Restored after it was deleted.")
        self.message_user(request, f"“{instance}” is restored.", messages.SUCCESS)
        return HttpResponseRedirect(
            reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[instance.pk]
            )
        )

    @admin.action(description="Export selected as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        fields = [self.opts.get_field(name) for name in self.csv_fields]
        related = [field.name for field in fields if field.many_to_one]
        rows = (
            [
                getattr(record, f"get_{field.name}_display")()
                if field.choices
                else getattr(record, field.name)
                for field in fields
            ]
            for record in (queryset.select_related(*related) if related else queryset)
        )
        filename = f"{self.opts.verbose_name_plural.replace(' ', '-')}.csv"
        return csv_response(filename, self.csv_fields, rows)


class EditorialAdmin(HistoryAdmin):
    """Draft → in review → published and back. Publishing goes through record_transition."""

    form = EditorialForm
    actions = ["submit_for_review", "publish", "return_to_draft", "export_csv"]

    def has_publish_permission(self, request, obj=None):
        return can_publish(request.user, self.model)

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj)]
        if not self.has_publish_permission(request):
            fields.append("status")
        # Links have no publication time of their own.
        if any(field.name == "published_at" for field in self.opts.fields):
            fields.append("published_at")
        return [*dict.fromkeys(fields)]

    def get_ordering(self, request):
        if request.GET.get("status__exact") == Status.REVIEW:
            return ["updated_at", "pk"]  # the review queue: the longest waiting first
        return super().get_ordering(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        queue = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        extra_context["review_queue_url"] = f"{queue}?status__exact={Status.REVIEW}"
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["show_submit_for_review"] = not getattr(request, "viewing_history", False)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # The status changes last, through record_transition, once everything else is saved.
        request._salvo_wanted_status = obj.status
        if not change:
            # A new record is saved once, with its status, as the services create one.
            if obj.status == Status.PUBLISHED and not can_publish(request.user, obj):
                obj.status = Status.DRAFT
            elif obj.status == Status.PUBLISHED:
                for name, value in publication_stamps(obj, user=request.user).items():
                    setattr(obj, name, value)
        elif "status" in form.changed_data:
            obj.status = form.initial.get("status", Status.DRAFT)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        wanted = request._salvo_wanted_status
        if "status" in form.changed_data:
            form.changed_data.remove("status")
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if obj.status != wanted:
            record_transition(instance=obj, status=wanted, user=request.user)
        if "_submit_for_review" not in request.POST:
            return
        records = [obj]
        records += [inline.instance for formset in formsets for inline in formset.forms]
        drafts = [r for r in records if r.pk and getattr(r, "status", None) == Status.DRAFT]
        for record in drafts:
            record_transition(instance=record, status=Status.REVIEW, user=request.user)
        self.message_user(request, f"{len(drafts)} submitted for review.", messages.SUCCESS)

    def _transition(self, request, queryset, status, done):
        moved, refused = 0, []
        for record in queryset:
            try:
                record_transition(instance=record, status=status, user=request.user)
            except (TransitionRefused, ValidationError) as error:
                refused.append(f"{record}: {'; '.join(getattr(error, 'messages', [str(error)]))}")
            else:
                moved += 1
        name = self.opts.verbose_name if moved == 1 else self.opts.verbose_name_plural
        self.message_user(request, f"{moved} {name} {done}.", messages.SUCCESS)
        for reason in refused:
            self.message_user(request, f"Not {done}: {reason}", messages.ERROR)

    @admin.action(description="Submit selected for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._transition(request, queryset.filter(status=Status.DRAFT), Status.REVIEW, "submitted")

    @admin.action(description="Publish selected", permissions=["publish"])
    def publish(self, request, queryset):
        queryset = queryset.exclude(status=Status.PUBLISHED)
        self._transition(request, queryset, Status.PUBLISHED, "published")

    @admin.action(description="Return selected to draft", permissions=["change"])
    def return_to_draft(self, request, queryset):
        queryset = queryset.exclude(status=Status.DRAFT)
        self._transition(request, queryset, Status.DRAFT, "returned to draft")


class CheckedInline:
    """An inline whose rows change only as the services allow (see HistoryAdmin)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.user = request.user
        return formset


class EditorialInline(CheckedInline):
    """An inline whose rows keep their status; published rows change only by an editor."""

    readonly_fields = ["status"]
