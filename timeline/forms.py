"""Admin forms for the timeline: the rules an analyst meets, in the analyst's words."""

from django import forms
from django.core.exceptions import ValidationError

from .models import LaunchClaim, Link, Status
from .services import can_publish


class EditorialForm(forms.ModelForm):
    """Refuses changes to a published record from a user who may not publish it.

    The admin sets `user` on the form class it builds for each request.
    """

    user = None

    def clean(self):
        cleaned_data = super().clean()
        stored = self.instance
        if (
            stored.pk
            and getattr(stored, "status", None) == Status.PUBLISHED
            and self.has_changed()
            and not can_publish(self.user, stored)
        ):
            raise ValidationError(
                "This %(name)s is published: only an editor can change it. "
                "Your changes to it were not saved.",
                code="published",
                params={"name": stored._meta.verbose_name},
            )
        return cleaned_data


class LaunchClaimForm(forms.ModelForm):
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
