"""The admin site: Django's own, with autocompletes that a model's admin may label."""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class AutocompleteView(AutocompleteJsonView):
    """Django's autocomplete. A model admin with `autocomplete_label(obj)` names its records
    there by it, rather than by `str(obj)`, which public pages also use."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result


class AdminSite(admin.AdminSite):
    def autocomplete_view(self, request):
        return AutocompleteView.as_view(admin_site=self)(request)


class LabelledChoices:
    """A model admin mixin: a record already chosen in an autocomplete is shown with the label
    the autocomplete gave it."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        related = self.admin_site._registry.get(db_field.remote_field.model)
        label = getattr(related, "autocomplete_label", None)
        if formfield is not None and label is not None:
            formfield.label_from_instance = label
        return formfield
