"""Admin forms for the timeline: the rules an analyst meets, in the analyst's words."""

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from .models import LaunchClaim, Link
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


class LaunchClaimForm(EditorialForm):
    class Meta:
        model = LaunchClaim
        fields = [
            "launch",
            "attribute",
            "value_text",
            "value",
            "value_max",
            "claimant",
            "note",
            "position",
            "source",
        ]
        error_messages = {
            "value_text": {"required": "Write the figure as it was stated, e.g. “~700”."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Imported claims may lack a claimant; one entered by hand names who said it.
        self.fields["claimant"].required = True
        self.fields["claimant"].error_messages["required"] = (
            "Say who claimed this figure: JCS, Japan MoD, KCNA…"
        )


class LinkForm(EditorialForm):
    class Meta:
        model = Link
        fields = ["launch", "event", "relation", "rationale", "confidence", "source", "status"]
        error_messages = {
            "rationale": {
                "required": "Give the rationale: why this launch and this event belong together."
            },
            "source": {"required": "Cite the source that ties this launch to the event."},
        }
