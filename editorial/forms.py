"""The admin's form base: the rules an analyst meets, said before saving, in their words."""

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from .services import ChangeRefused, check_may_change


class EditorialForm(forms.ModelForm):
    """Refuses changes to a published record from a user who may not publish it.

    The rule is the services' (check_may_change); the form only says it before saving.
    The admin sets `user` on the form class it builds for each request.
    """

    user = None

    def clean(self):
        cleaned_data = super().clean()
        if self.has_changed():
            try:
                # A form nobody signed in to judges as a reader would: published is final.
                check_may_change(instance=self.instance, user=self.user or AnonymousUser())
            except ChangeRefused as refused:
                raise ValidationError(
                    f"{refused} Your changes were not saved.", code="published"
                ) from refused
        return cleaned_data
