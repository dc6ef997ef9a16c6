"""Admin forms for the timeline: the rules an analyst meets, in the analyst's words."""

from editorial.forms import EditorialForm

from .models import LaunchClaim, Link


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
